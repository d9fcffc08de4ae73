// Bounded, endian-aware reader over one slice of a buffer (one PDU, one stub). Written by us: every
// read is checked against `end`, and byte order is a property of the reader, set once from the
// data representation of the message being decoded (C706 14.1, drep[0] & 0x10), never per field.

import { TruncatedError } from './errors.js';

export class ByteReader {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  /** Absolute offset into `buf` of the first byte this reader may read. */
  readonly start: number;
  /** Absolute offset into `buf` one past the last byte this reader may read. */
  readonly end: number;
  /** Absolute read position. */
  pos: number;
  littleEndian: boolean;

  constructor(buf: Uint8Array, start = 0, end = buf.length, littleEndian = true) {
    if (start < 0 || end > buf.length || start > end) {
      throw new RangeError(`ByteReader bounds [${start}, ${end}) outside buffer of ${buf.length}`);
    }
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.start = start;
    this.end = end;
    this.pos = start;
    this.littleEndian = littleEndian;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }
  /** Position relative to `start`. */
  get offset(): number {
    return this.pos - this.start;
  }
  get length(): number {
    return this.end - this.start;
  }

  private need(n: number): number {
    const p = this.pos;
    if (n < 0 || p + n > this.end) throw new TruncatedError(p - this.start, n, this.end - this.start);
    this.pos = p + n;
    return p;
  }

  u8(): number {
    return this.buf[this.need(1)];
  }
  u16(): number {
    return this.view.getUint16(this.need(2), this.littleEndian);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), this.littleEndian);
  }
  i16(): number {
    return this.view.getInt16(this.need(2), this.littleEndian);
  }
  i32(): number {
    return this.view.getInt32(this.need(4), this.littleEndian);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.need(8), this.littleEndian);
  }
  f64(): number {
    return this.view.getFloat64(this.need(8), this.littleEndian);
  }
  /** Big-endian reads regardless of the reader's order (network headers, pcap IP layers). */
  u16be(): number {
    return this.view.getUint16(this.need(2), false);
  }
  u32be(): number {
    return this.view.getUint32(this.need(4), false);
  }

  /** A view (no copy) of the next n bytes. */
  bytes(n: number): Uint8Array {
    const p = this.need(n);
    return this.buf.subarray(p, p + n);
  }
  skip(n: number): void {
    this.need(n);
  }
  /** Reader over the next n bytes with the same byte order; this reader moves past them. */
  sub(n: number): ByteReader {
    const p = this.need(n);
    return new ByteReader(this.buf, p, p + n, this.littleEndian);
  }
  /** Move to an offset relative to `start` (bounds-checked). */
  seek(offset: number): void {
    if (offset < 0 || this.start + offset > this.end) throw new TruncatedError(offset, 0, this.end - this.start);
    this.pos = this.start + offset;
  }
  /** Align to a multiple of n counted from `base` (an absolute offset; NDR aligns relative to the
   * start of the stub, C706 14.2.2). Fails if the padding itself is missing. */
  align(n: number, base = this.start): void {
    const rel = (this.pos - base) % n;
    if (rel !== 0) this.need(n - rel);
  }

  /** A DCE UUID (C706 appendix A): time_low, time_mid, time_hi in the reader's byte order, then 8
   * bytes as they stand. Returned in the canonical lower-case 8-4-4-4-12 form. */
  uuid(): string {
    const p = this.need(16);
    const v = this.view;
    const le = this.littleEndian;
    const a = v.getUint32(p, le);
    const b = v.getUint16(p + 4, le);
    const c = v.getUint16(p + 6, le);
    let tail = '';
    for (let i = 8; i < 16; i++) {
      if (i === 10) tail += '-';
      tail += HEX[this.buf[p + i]];
    }
    return `${hex8(a)}-${hex4(b)}-${hex4(c)}-${tail}`;
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
