import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader } from '../../src/core/byte-reader.js';
import { ByteWriter } from '../../src/core/byte-writer.js';
import { TruncatedError } from '../../src/core/errors.js';
import { fromHex, toHex } from '../../src/core/hex.js';

test('reads integers in the reader byte order and UUIDs per C706 appendix A', () => {
  const b = fromHex('0102 03040506 a0d1f7e8 5d1f 11c9 91a4 08002b14a0fa');
  const le = new ByteReader(b);
  assert.equal(le.u16(), 0x0201);
  assert.equal(le.u32(), 0x06050403);
  const be = new ByteReader(b, 0, b.length, false);
  assert.equal(be.u16(), 0x0102);
  assert.equal(be.u32(), 0x03040506);
  assert.equal(le.uuid(), 'e8f7d1a0-1f5d-c911-91a4-08002b14a0fa');
  be.pos = 6;
  assert.equal(be.uuid(), 'a0d1f7e8-5d1f-11c9-91a4-08002b14a0fa');
});

test('never reads past its end, and sub-readers are bounded by their length', () => {
  const r = new ByteReader(fromHex('00112233445566'), 1, 5);
  assert.equal(r.remaining, 4);
  const s = r.sub(2);
  assert.equal(s.u16(), 0x2211);
  assert.throws(() => s.u8(), TruncatedError);
  assert.throws(() => r.u32(), TruncatedError);
  assert.equal(r.u16(), 0x4433, 'a failed read does not move the position');
  assert.throws(() => r.bytes(-1), TruncatedError);
});

test('aligns relative to a base offset, failing when the padding is missing', () => {
  const r = new ByteReader(new Uint8Array(10));
  r.pos = 3;
  r.align(4, 2);
  assert.equal(r.pos, 6);
  r.pos = 9;
  assert.throws(() => r.align(8), TruncatedError);
});

test('writer round-trips through the reader in both byte orders', () => {
  for (const le of [true, false]) {
    const w = new ByteWriter(le, 1);
    w.u8(5).align(4).u32(0xdeadbeef).u16(7).uuid('000001a0-0000-0000-c000-000000000046').u64(123n);
    const out = w.finish();
    const r = new ByteReader(out, 0, out.length, le);
    assert.equal(r.u8(), 5);
    r.align(4);
    assert.equal(r.u32(), 0xdeadbeef);
    assert.equal(r.u16(), 7);
    assert.equal(r.uuid(), '000001a0-0000-0000-c000-000000000046');
    assert.equal(r.u64(), 123n);
    assert.equal(r.remaining, 0);
  }
  assert.equal(toHex(new ByteWriter(true).uuid('e1af8308-5d1f-11c9-91a4-08002b14a0fa').finish()), '0883afe11f5dc91191a408002b14a0fa');
});

test('reset re-bounds a reader on another buffer, with its own byte order and a fresh view', () => {
  const r = new ByteReader(fromHex('01020304'));
  assert.equal(r.u32(), 0x04030201);
  const other = fromHex('aa 0000000a bb');
  r.reset(other, 1, 5, false);
  assert.equal(r.offset, 0);
  assert.equal(r.remaining, 4);
  assert.equal(r.u32(), 10, 'reads the new buffer, big-endian');
  assert.throws(() => r.u8(), TruncatedError, 'bounded by the new end, not the buffer length');
  r.reset(other, 0, 2);
  assert.equal(r.u16(), 0x00aa);
  assert.throws(() => r.reset(other, 3, 99), RangeError, 'bounds outside the buffer are refused');
});
