// Bounded, endian-aware reader over one slice of a buffer (one PDU, one stub). Written by us: every
// read is checked against `end`, and byte order is a property of the reader, set once from the
// data representation of the message being decoded (C706 14.1, drep[0] & 0x10), never per field.

import { TruncatedError } from './errors.js';

export class ByteReader {
  // buf / start / end are read-only to users; only reset() moves them (one reader reused per PDU
  // by hot decoders instead of one reader per message: allocation was a fifth of capture CPU).
  readonly buf: Uint8Array;
  /** Built on first use: 16/32-bit reads do their own byte arithmetic and most readers need no view. */
  private dv: DataView | undefined;
  /** Absolute offset into `buf` of the first byte this reader may read. */
  readonly start: number;
  /** Absolute offset into `buf` one past the last byte this reader may read. */
  readonly end: number;
  /** Absolute read position. */
  pos: number;
  littleEndian: boolean;

  constructor(buf: Uint8Array, start = 0, end = buf.length, littleEndian = true) {
    checkBounds(buf, start, end);
    this.buf = buf;
    this.dv = undefined;
    this.start = start;
    this.end = end;
    this.pos = start;
    this.littleEndian = littleEndian;
  }

  /** Point this reader at another slice, as `new ByteReader(buf, start, end, littleEndian)` would. */
  reset(buf: Uint8Array, start = 0, end = buf.length, littleEndian = true): this {
    checkBounds(buf, start, end);
    const self = this as { -readonly [K in 'buf' | 'start' | 'end']: ByteReader[K] };
    if (buf !== this.buf) this.dv = undefined;
    self.buf = buf;
    self.start = start;
    self.end = end;
    this.pos = start;
    this.littleEndian = littleEndian;
    return this;
  }

  private get view(): DataView {
    return (this.dv ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
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
    const p = this.need(2);
    const b = this.buf;
    return this.littleEndian ? b[p] | (b[p + 1] << 8) : (b[p] << 8) | b[p + 1];
  }
  u32(): number {
    const p = this.need(4);
    const b = this.buf;
    const v = this.littleEndian ? b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24) : (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    return v >>> 0;
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
    const p = this.need(2);
    return (this.buf[p] << 8) | this.buf[p + 1];
  }
  u32be(): number {
    const p = this.need(4);
    const b = this.buf;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
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
    return uuidAt(this.buf, this.need(16), this.littleEndian);
  }
}

function checkBounds(buf: Uint8Array, start: number, end: number): void {
  if (start < 0 || end > buf.length || start > end) {
    throw new RangeError(`ByteReader bounds [${start}, ${end}) outside buffer of ${buf.length}`);
  }
}

/** Unsigned 16-bit integer at buf[o] without a reader (fixed-offset header fields); no bounds check. */
export function u16At(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
}

/** Unsigned 32-bit integer at buf[o] without a reader; no bounds check. */
export function u32At(b: Uint8Array, o: number, le: boolean): number {
  return (le ? b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24) : (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const LE_ORDER = [3, 2, 1, 0, 5, 4, 7, 6] as const;
const BE_ORDER = [0, 1, 2, 3, 4, 5, 6, 7] as const;

/** Recently formatted UUIDs, direct-mapped by a byte hash: the same few interface and transfer
 * syntax UUIDs recur in every bind, and comparing 16 bytes is far cheaper than building the string.
 * Entries hold the raw bytes plus the byte order, so a hit is exact, never a guess. */
const CACHE_SLOTS = 256;
const cacheBytes = new Uint8Array(CACHE_SLOTS * 17);
const cacheText: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);

/** The UUID at `buf[p..p+16)` (C706 appendix A) as canonical lower-case text. */
export function uuidAt(buf: Uint8Array, p: number, littleEndian: boolean): string {
  const slot = (buf[p] ^ buf[p + 5] ^ buf[p + 9] ^ buf[p + 15] ^ (littleEndian ? 0x5a : 0)) & (CACHE_SLOTS - 1);
  const at = slot * 17;
  const hit = cacheText[slot];
  if (hit !== undefined && cacheBytes[at + 16] === (littleEndian ? 1 : 0) && sameBytes(buf, p, at)) return hit;
  const text = formatUuid(buf, p, littleEndian);
  cacheBytes.set(buf.subarray(p, p + 16), at);
  cacheBytes[at + 16] = littleEndian ? 1 : 0;
  cacheText[slot] = text;
  return text;
}

function sameBytes(buf: Uint8Array, p: number, at: number): boolean {
  for (let i = 0; i < 16; i++) if (buf[p + i] !== cacheBytes[at + i]) return false;
  return true;
}

function formatUuid(b: Uint8Array, p: number, littleEndian: boolean): string {
  const [i0, i1, i2, i3, i4, i5, i6, i7] = littleEndian ? LE_ORDER : BE_ORDER;
  return `${HEX[b[p + i0]]}${HEX[b[p + i1]]}${HEX[b[p + i2]]}${HEX[b[p + i3]]}-${HEX[b[p + i4]]}${HEX[b[p + i5]]}-${HEX[b[p + i6]]}${HEX[b[p + i7]]}-${HEX[b[p + 8]]}${HEX[b[p + 9]]}-${HEX[b[p + 10]]}${HEX[b[p + 11]]}${HEX[b[p + 12]]}${HEX[b[p + 13]]}${HEX[b[p + 14]]}${HEX[b[p + 15]]}`;
}
