// Growable, endian-aware writer for what Vigil sends (sensor replies, scanner probes, test vectors).
// Alignment is relative to a caller-given base so NDR can align against the stub start.

import { AppError } from './errors.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;
  littleEndian: boolean;

  constructor(littleEndian = true, initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
    this.littleEndian = littleEndian;
  }

  get length(): number {
    return this.pos;
  }

  // Callers must take the offset from ensure() before touching this.buf/this.view: it may reallocate.
  private ensure(n: number): number {
    const p = this.pos;
    if (p + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < p + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, p));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.pos = p + n;
    return p;
  }

  u8(v: number): this {
    const p = this.ensure(1);
    this.buf[p] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    const p = this.ensure(2);
    this.view.setUint16(p, v, this.littleEndian);
    return this;
  }
  u32(v: number): this {
    const p = this.ensure(4);
    this.view.setUint32(p, v >>> 0, this.littleEndian);
    return this;
  }
  i32(v: number): this {
    const p = this.ensure(4);
    this.view.setInt32(p, v, this.littleEndian);
    return this;
  }
  u64(v: bigint): this {
    const p = this.ensure(8);
    this.view.setBigUint64(p, v, this.littleEndian);
    return this;
  }
  u16be(v: number): this {
    const p = this.ensure(2);
    this.view.setUint16(p, v, false);
    return this;
  }
  u32be(v: number): this {
    const p = this.ensure(4);
    this.view.setUint32(p, v >>> 0, false);
    return this;
  }
  bytes(b: Uint8Array): this {
    const p = this.ensure(b.length);
    this.buf.set(b, p);
    return this;
  }
  zeros(n: number): this {
    const p = this.ensure(n);
    this.buf.fill(0, p, p + n);
    return this;
  }
  fill(n: number, value: number): this {
    const p = this.ensure(n);
    this.buf.fill(value & 0xff, p, p + n);
    return this;
  }
  align(n: number, base = 0): this {
    const rel = (this.pos - base) % n;
    if (rel !== 0) this.zeros(n - rel);
    return this;
  }
  /** DCE UUID: first three fields in the writer's byte order (C706 appendix A). */
  uuid(u: string): this {
    if (!UUID_RE.test(u)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `not a UUID: ${u}`);
    const h = u.replace(/-/g, '');
    this.u32(parseInt(h.slice(0, 8), 16));
    this.u16(parseInt(h.slice(8, 12), 16));
    this.u16(parseInt(h.slice(12, 16), 16));
    for (let i = 16; i < 32; i += 2) this.u8(parseInt(h.slice(i, i + 2), 16));
    return this;
  }
  /** Overwrite a u16/u32 already written (lengths known only at the end). */
  patchU16(at: number, v: number): this {
    this.view.setUint16(at, v, this.littleEndian);
    return this;
  }
  patchU32(at: number, v: number): this {
    this.view.setUint32(at, v >>> 0, this.littleEndian);
    return this;
  }
  /** A copy of what has been written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
