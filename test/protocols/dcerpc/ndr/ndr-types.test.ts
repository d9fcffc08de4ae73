// NDR 2.0 reader/writer tests: decode-from-hex, encode-to-hex, round trips in both byte orders,
// deferred referents, conformant structures, strings with inconsistent counts, limits, mutation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/core/hex.js';
import {
  NdrReader, NdrWriter, decodeNdr, u8, u16, u32, hyper, uuid, struct, pointer, conformantArray, conformantBytes,
  conformantVaryingArray, contextHandle, wstring, cstring, varyingCString, resolveNdrLimits, NdrLimitError,
  readTypeSerialization, writeTypeSerialization, transferSyntaxAnomaly, NDR64_SYNTAX_UUID,
} from '../../../../src/protocols/dcerpc/ndr/index.js';
import type { NdrType } from '../../../../src/protocols/dcerpc/ndr/index.js';

function encode<T, W>(t: NdrType<T, W>, v: W, le = true): string {
  const w = new NdrWriter(le);
  w.top(() => t.write(w, v));
  return toHex(w.finish());
}
function decode<T, W>(t: NdrType<T, W>, hex: string, le = true): { v: T; r: NdrReader } {
  const r = new NdrReader(fromHex(hex), le);
  const v = r.top(() => t.read(r));
  return { v, r };
}

test('primitives align relative to the stub start, in the drep byte order', () => {
  const t = struct('s', { a: u8, b: u16, c: u32, d: hyper });
  const v = { a: 1, b: 0x0203, c: 0x04050607, d: 0x08090a0b0c0d0e0fn };
  assert.equal(encode(t, v), '01' + '00' + '0302' + '07060504' + '0f0e0d0c0b0a0908');
  assert.equal(encode(t, v, false), '01' + '00' + '0203' + '04050607' + '08090a0b0c0d0e0f');
  assert.deepEqual(decode(t, encode(t, v, false), false).v, v);
});

test('a UUID keeps its first three fields in the stub byte order', () => {
  const id = '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57';
  assert.equal(encode(uuid, id), 'b84a9f4d1c7dcf11861e0020af6e7c57');
  assert.equal(encode(uuid, id, false), '4d9f4ab87d1c11cf861e0020af6e7c57');
  assert.equal(decode(uuid, '4d9f4ab87d1c11cf861e0020af6e7c57', false).v, id);
});

// struct { u32* a; u32 b; inner* c } with inner { u16* d }: embedded referents follow the whole
// top-level struct, and d's referent follows c's referent (depth first).
const inner = struct('inner', { d: pointer(u16) });
const outer = struct('outer', { a: pointer(u32), b: u32, c: pointer(inner) });
const outerHex =
  '00000200' + '05000000' + '04000200' + // a id, b, c id
  '0a000000' + // *a
  '08000200' + // *c = { d id }
  '0700'; // *d

test('embedded pointers defer their referents to the end of the top-level construct', () => {
  const v = { a: 10, b: 5, c: { d: 7 } };
  assert.equal(encode(outer, v), outerHex);
  assert.deepEqual(decode(outer, outerHex).v, v);
});

test('a top-level unique pointer is followed at once by its referent; null is id 0', () => {
  const t = pointer(outer);
  const hex = '00000200' + '04000200' + '05000000' + '00000000' + '0b000000'; // id, {a id, b, c null}, *a
  assert.equal(encode(t, { a: 11, b: 5, c: null }), hex);
  assert.deepEqual(decode(t, hex).v, { a: 11, b: 5, c: null });
  assert.equal(decode(t, '00000000').v, null);
});

test('a top-level ref pointer has no wire form; an embedded null ref pointer is an anomaly', () => {
  assert.equal(encode(pointer(u32, 'ref'), 9), '09000000');
  const { v, r } = decode(struct('s', { p: pointer(u32, 'ref') }), '00000000');
  assert.deepEqual(v, { p: null });
  assert.equal(r.anomalies[0].name, 'protocol_violation');
  assert.match(r.anomalies[0].detail ?? '', /^p: null ref pointer/);
});

test('full pointers: a repeated referent id is sent once and decodes to the same value', () => {
  const t = struct('pair', { x: pointer(u32, 'full'), y: pointer(u32, 'full') });
  const { v } = decode(t, '00000200' + '00000200' + '2a000000');
  assert.deepEqual(v, { x: 42, y: 42 });
});

test('a conformant structure hoists its array max_count in front of the structure', () => {
  const mip = struct('MInterfacePointer', { ulCntData: u32, abData: conformantBytes });
  const hex = '03000000' + '03000000' + 'aabbcc';
  assert.equal(encode(mip, { ulCntData: 3, abData: fromHex('aabbcc') }), hex);
  const { v } = decode(mip, hex);
  assert.equal(v.ulCntData, 3);
  assert.equal(toHex(v.abData), 'aabbcc');
  const be = encode(mip, { ulCntData: 3, abData: fromHex('aabbcc') }, false);
  assert.equal(be, '00000003' + '00000003' + 'aabbcc');
});

test('conformant arrays of embedded pointers put all referents after the array', () => {
  const t = conformantArray(pointer(u32));
  const hex = '02000000' + '00000200' + '04000200' + '01000000' + '02000000';
  assert.equal(encode(t, [1, 2]), hex);
  assert.deepEqual(decode(t, hex).v, [1, 2]);
});

test('wchar and char strings: counts include the NUL; decode in both byte orders', () => {
  const hex = '03000000' + '00000000' + '03000000' + '41004200' + '0000';
  assert.equal(encode(wstring, { value: 'AB' }), hex);
  const { v, r } = decode(wstring, hex);
  assert.equal(v.value, 'AB');
  assert.deepEqual([('maxCount' in v && v.maxCount), v.actualCount, v.terminated], [3, 3, true]);
  assert.equal(r.anomalies.length, 0);
  assert.equal(decode(wstring, encode(wstring, { value: 'AB' }, false), false).v.value, 'AB');
  assert.equal(encode(cstring, { value: 'ncacn' }), '06000000' + '00000000' + '06000000' + toHex(Buffer.from('ncacn\0')));
  assert.equal(decode(varyingCString, '00000000' + '02000000' + '7a00').v.value, 'z');
});

test('string counts that disagree are reported as ndr_string_inconsistent, not rejected', () => {
  const cases: Array<[string, RegExp]> = [
    ['02000000' + '00000000' + '04000000' + '4100410041000000', /actual_count 4 \+ offset 0 > max_count 2/],
    ['04000000' + '01000000' + '02000000' + '41000000', /offset 1/],
    ['02000000' + '00000000' + '02000000' + '41004100', /not NUL-terminated/],
  ];
  for (const [hex, re] of cases) {
    const { v, r } = decode(wstring, hex);
    assert.ok(v.value.startsWith('A'), hex);
    assert.ok(r.anomalies.some((a) => a.name === 'ndr_string_inconsistent' && re.test(a.detail ?? '')), hex);
  }
});

test('conformant-varying arrays check offset and actual_count against max_count', () => {
  const t = conformantVaryingArray(u16);
  assert.equal(encode(t, [7]), '01000000' + '00000000' + '01000000' + '0700');
  const { v, r } = decode(t, '01000000' + '00000000' + '02000000' + '07000800');
  assert.deepEqual(v, [7, 8]);
  assert.equal(r.anomalies[0].name, 'ndr_string_inconsistent');
});

test('context handles are 20 bytes: attributes then UUID', () => {
  const h = { attributes: 0, uuid: '11223344-5566-7788-99aa-bbccddeeff00' };
  const hex = encode(contextHandle, h);
  assert.equal(hex.length, 40);
  assert.deepEqual(decode(contextHandle, hex).v, h);
});

test('limits are named, configurable, and a breach becomes an anomaly keeping earlier fields', () => {
  assert.equal(resolveNdrLimits().maxArrayElements, 1_048_576);
  assert.throws(() => resolveNdrLimits({ maxStringChars: 0 }), /ndr\.maxStringChars/);
  const limits = resolveNdrLimits({ maxStringChars: 4 });
  const stub = fromHex('07000000' + encode(wstring, { value: 'ABCDEFG' }).slice(0));
  const res = decodeNdr(stub, true, {} as { n?: number; s?: string }, (r, out) => {
    out.n = r.top(() => u32.read(r), 'n');
    out.s = r.top(() => wstring.read(r).value, 'name');
  }, limits);
  assert.equal(res.complete, false);
  assert.equal(res.value.n, 7);
  assert.equal(res.value.s, undefined);
  assert.equal(res.anomalies[0].name, 'protocol_violation');
  assert.match(res.anomalies[0].detail ?? '', /stub\.name: ndr limit maxStringChars \(4\) exceeded: 8/);
  const depth = resolveNdrLimits({ maxPointerDepth: 1 });
  const nested = pointer(pointer(u32));
  const deep = decodeNdr(fromHex('00000200' + '04000200' + '01000000'), true, {}, (r) => void r.top(() => nested.read(r)), depth);
  assert.match(deep.anomalies[0].detail ?? '', /maxPointerDepth/);
  assert.ok(new NdrLimitError('maxReferents', 2, 1) instanceof Error);
});

test('a truncated stub yields declared_size_mismatch naming the field where it stopped', () => {
  const t = struct('s', { count: u32, data: conformantBytes });
  const res = decodeNdr(fromHex('10000000' + '10000000' + 'aabb'), true, {}, (r) => void r.top(() => t.read(r), 'blob'));
  assert.equal(res.complete, false);
  assert.equal(res.anomalies[0].name, 'declared_size_mismatch');
  assert.match(res.anomalies[0].detail ?? '', /^stub\.blob\.data: needs 16 more byte/);
});

test('type serialisation v1 header: framing, padding to 8, both byte orders, short input', () => {
  const framed = writeTypeSerialization(fromHex('0102030405'));
  assert.equal(toHex(framed), '01100800cccccccc' + '08000000' + '00000000' + '0102030405000000');
  const anomalies: import('../../../../src/model/anomaly.js').Anomaly[] = [];
  const obj = readTypeSerialization(framed, 'x', anomalies);
  assert.equal(obj?.header.objectBufferLength, 8);
  assert.equal(obj?.header.littleEndian, true);
  assert.equal(readTypeSerialization(writeTypeSerialization(fromHex('01'), false), 'x', anomalies)?.header.littleEndian, false);
  assert.equal(anomalies.length, 0);
  const lying = fromHex('01100800cccccccc' + '40000000' + '00000000' + '0102');
  readTypeSerialization(lying, 'prop', anomalies);
  assert.match(anomalies[0].detail ?? '', /prop\.ObjectBufferLength: declared 64, present 2/);
  assert.equal(readTypeSerialization(fromHex('0110'), 'y', anomalies), undefined);
});

test('NDR64 is recognised and flagged, NDR 2.0 is not', () => {
  assert.equal(transferSyntaxAnomaly(NDR64_SYNTAX_UUID)?.name, 'ndr64_not_decoded');
  assert.equal(transferSyntaxAnomaly('8a885d04-1ceb-11c9-9fe8-08002b104860'), undefined);
});

test('seeded mutation: every mutated stub is decoded or rejected as an anomaly, never thrown', () => {
  const t = struct('t', { a: pointer(outer), s: pointer(wstring), arr: pointer(conformantArray(pointer(u32))) });
  const base = fromHex(encode(t, { a: { a: 1, b: 2, c: { d: 3 } }, s: { value: 'hello' }, arr: [4, 5, 6] }));
  let seed = 12345;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  let decoded = 0;
  let rejected = 0;
  const total = 3000;
  for (let i = 0; i < total; i++) {
    const m = base.slice(0, rand(base.length + 1));
    for (let k = rand(4); k >= 0 && m.length; k--) m[rand(m.length)] = rand(256);
    const res = decodeNdr(m, rand(2) === 0, {}, (r) => void r.top(() => t.read(r)), resolveNdrLimits({ maxArrayElements: 1000 }));
    if (res.complete) decoded++;
    else rejected++;
  }
  assert.equal(decoded + rejected, total);
  assert.ok(decoded > 0 && rejected > 0);
});

test('maxArrayElements and maxReferents stop hostile counts before allocation', () => {
  const arr = conformantArray(u32);
  const big = decodeNdr(fromHex('00000001' + '00'.repeat(16)), true, {}, (r) => void r.top(() => arr.read(r)), resolveNdrLimits({ maxArrayElements: 1000 }));
  assert.match(big.anomalies[0].detail ?? '', /maxArrayElements \(1000\) exceeded: 16777216/);
  const lying = decodeNdr(fromHex('ffff0000' + '01000000'), true, {}, (r) => void r.top(() => arr.read(r)));
  assert.equal(lying.anomalies[0].name, 'declared_size_mismatch'); // 65535 elements cannot fit in 4 bytes
  const ptrs = conformantArray(pointer(u32));
  const many = encode(ptrs, [1, 2, 3, 4, 5]);
  const capped = decodeNdr(fromHex(many), true, {}, (r) => void r.top(() => ptrs.read(r)), resolveNdrLimits({ maxReferents: 3 }));
  assert.match(capped.anomalies[0].detail ?? '', /maxReferents \(3\) exceeded: 4/);
  assert.equal(decodeNdr(fromHex(many), true, {}, (r) => void r.top(() => ptrs.read(r))).complete, true);
});
