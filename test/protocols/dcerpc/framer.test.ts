// Framer tests: split-at-every-offset and 1-byte delivery in both byte orders, zero-copy for PDUs
// inside one chunk, resynchronisation after garbage, and bounded buffering against huge claims.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../../src/core/hex.js';
import type { Anomaly } from '../../../src/model/anomaly.js';
import {
  DcerpcFramer,
  encodeBind,
  encodeFault,
  encodeRequest,
  encodeResponse,
  encodeShutdown,
  pduLengthAt,
  TRANSFER_SYNTAX,
} from '../../../src/protocols/dcerpc/index.js';
import { vector } from './vectors/load-vectors.js';

function stream(le: boolean): Uint8Array[] {
  const o = { littleEndian: le };
  return [
    encodeBind({ ...o, contexts: [{ ctxId: 0, abstractSyntax: { uuid: '000001a0-0000-0000-c000-000000000046', versionMajor: 0, versionMinor: 0 }, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }] }),
    encodeRequest({ ...o, callId: 2, opnum: 4, stub: new Uint8Array(37).fill(0x41) }),
    encodeShutdown(o), // exactly 16 bytes: a PDU that is only a header
    encodeResponse({ ...o, callId: 2, stub: new Uint8Array(5).fill(0x42) }),
    encodeFault({ ...o, callId: 3, status: 0x1c010002 }),
  ];
}
const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Frame `chunks`, each pushed whole, or as a range [start, end) of a larger buffer. */
function frame(chunks: (Uint8Array | [Uint8Array, number, number])[], maxFragLength?: number): { pdus: string[]; offsets: number[]; anomalies: Anomaly[]; framer: DcerpcFramer } {
  const anomalies: Anomaly[] = [];
  const framer = new DcerpcFramer({ maxFragLength, onAnomaly: (a) => anomalies.push(a) });
  const pdus: string[] = [];
  const offsets: number[] = [];
  const sink = (b: Uint8Array, s: number, e: number, off: number): void => void (pdus.push(toHex(b.subarray(s, e))), offsets.push(off));
  for (const c of chunks) {
    if (c instanceof Uint8Array) framer.push(c, sink);
    else framer.push(c[0], sink, c[1], c[2]);
  }
  framer.flush();
  return { pdus, offsets, anomalies, framer };
}

test('split at every offset, in both byte orders: the same PDUs at the same stream offsets', () => {
  for (const le of [true, false]) {
    const parts = stream(le);
    const all = concat(parts);
    const want = parts.map(toHex);
    const wantOffsets = parts.map((_, i) => parts.slice(0, i).reduce((n, p) => n + p.length, 0));
    for (let cut = 0; cut <= all.length; cut++) {
      const got = frame([all.subarray(0, cut), all.subarray(cut)]);
      assert.deepEqual(got.pdus, want, `le=${le} cut=${cut}`);
      assert.deepEqual(got.offsets, wantOffsets);
      assert.deepEqual(got.anomalies, []);
      // the same cut pushed as two ranges of one buffer
      const ranged = frame([[all, 0, cut], [all, cut, all.length]]);
      assert.deepEqual([ranged.pdus, ranged.offsets, ranged.anomalies], [want, wantOffsets, []], `le=${le} ranges cut=${cut}`);
    }
    const bytewise = frame(Array.from(all, (_, i) => all.subarray(i, i + 1)));
    assert.deepEqual(bytewise.pdus, want, `le=${le} one byte per chunk`);
  }
});

test('a real 1972-byte Kerberos bind split in three TCP-sized pieces comes out whole', () => {
  const b = vector('k135-bind');
  const got = frame([b.subarray(0, 1460), b.subarray(1460, 1900), b.subarray(1900)]);
  assert.deepEqual(got.pdus, [toHex(b)]);
});

test('PDUs inside one chunk are ranges of it (no copy); needed() reports what is missing', () => {
  const parts = stream(true);
  const all = concat(parts);
  const framer = new DcerpcFramer();
  const views: Uint8Array[] = [];
  const needed = framer.push(all.subarray(0, all.length - 3), (b) => views.push(b));
  assert.equal(views.length, parts.length - 1);
  for (const v of views) assert.equal(v.buffer, all.buffer, 'a range of the pushed chunk');
  assert.equal(needed, 3);
  assert.equal(framer.needed, 3);
  framer.push(all.subarray(all.length - 3), (b) => views.push(b));
  assert.equal(views.length, parts.length);
  assert.equal(framer.needed, 0);
});

test('resynchronises after garbage at the start, between PDUs and inside a bogus header', () => {
  const [bind, req] = stream(true);
  const junk = new Uint8Array([0x41, 0x05, 0x07, 0x42, 0x05]); // includes a 05 not followed by 00/01
  const badHeader = bind.slice(0, 16);
  badHeader[8] = 4; // frag_length 4: cannot be a PDU
  badHeader[9] = 0;
  const all = concat([junk, bind, badHeader, req]);
  for (let cut = 0; cut <= all.length; cut++) {
    const got = frame([all.subarray(0, cut), all.subarray(cut)]);
    assert.deepEqual(got.pdus, [toHex(bind), toHex(req)], `cut=${cut}`);
    const names = got.anomalies.map((a) => a.name);
    assert.deepEqual(names, ['bad_version', 'resync_garbage_skipped', 'frag_length_too_small', 'resync_garbage_skipped'], `cut=${cut}`);
    assert.equal(got.anomalies[1].detail, '5 byte(s) skipped');
    assert.equal(got.anomalies[2].offset, junk.length + bind.length);
  }
});

test('a frag_length claim of 65535 with nothing behind it buffers at most the limit, then reports truncation', () => {
  const head = encodeRequest({ opnum: 0 }).slice(0, 16);
  head[8] = 0xff;
  head[9] = 0xff;
  const got = frame([head], 65535);
  assert.equal(got.pdus.length, 0);
  assert.deepEqual(got.anomalies.map((a) => a.name), ['truncated_pdu']);
  const framer = new DcerpcFramer({ maxFragLength: 65535 });
  framer.push(head, () => assert.fail('no PDU'));
  assert.ok(framer.buffered <= 65535);
  assert.equal(framer.needed, 65535 - 16);
  // with a smaller limit the same claim is garbage, and nothing is buffered for it
  const small = frame([head, new Uint8Array(1000).fill(0x41)], 4096);
  assert.deepEqual(small.anomalies.map((a) => a.name), ['frag_length_exceeds_limit', 'resync_garbage_skipped']);
  const f2 = new DcerpcFramer({ maxFragLength: 4096 });
  f2.push(concat([head, new Uint8Array(1000).fill(0x41)]), () => undefined);
  assert.equal(f2.buffered, 0);
});

test('pduLengthAt speaks consumed / still needed without allocating', () => {
  const req = stream(false)[1];
  assert.equal(pduLengthAt(req, 0), req.length);
  assert.equal(pduLengthAt(req.subarray(0, 5), 0), -11, 'header incomplete: 16 - 5');
  assert.equal(pduLengthAt(req.subarray(0, 20), 0), -(req.length - 20));
  assert.equal(pduLengthAt(new Uint8Array([4, 0]), 0), 0);
  assert.equal(pduLengthAt(req, 0, 20), 0, 'over the limit');
});

test('split at every offset over real captured PDUs: big-endian Arkime session and little-endian Windows PDUs', () => {
  for (const names of [['be-bind', 'be-bind-ack', 'be-request', 'be-response'], ['nofrag-bind', 'ctxids-request-object', 'nofrag-fault', 'k135-alter-context-resp']]) {
    const parts = names.map(vector);
    const all = concat(parts);
    for (let cut = 0; cut <= all.length; cut++) {
      const got = frame([all.subarray(0, cut), all.subarray(cut)]);
      assert.deepEqual(got.pdus, parts.map(toHex), `${names[0]}.. cut=${cut}`);
      assert.deepEqual(got.anomalies, []);
    }
  }
});
