// NDR 2.0 writer for what Vigil sends (sensor replies, scanner probes, inert test traffic):
// alignment from the stub start, embedded pointers' referents deferred (C706 14.3.12.3).

import { ByteWriter } from '../../../core/byte-writer.js';

type Job = () => void;

/** Windows numbers a request's referents 0x00020000, 0x00020004, ...; peers do not care, but tshark
 * captures of our traffic then read like Windows'. */
export const FIRST_REFERENT_ID = 0x00020000;
/** Where response encoders start, clear of the ids clients use in their requests (Windows clients
 * number from 1, impacket and Windows' DCOM from 0x00020000). */
export const RESPONSE_FIRST_REFERENT_ID = 0x00030000;

export class NdrWriter {
  readonly bytes: ByteWriter;
  private embedDepth = 0;
  private frames: Job[][] = [];
  private nextId = FIRST_REFERENT_ID;
  private hoisted = false;

  /** `firstReferentId`: full pointers are per call, so a response must not reuse an id the
   * request used for another referent (C706 14.3.11.3); responses start elsewhere. */
  constructor(littleEndian = true, firstReferentId = FIRST_REFERENT_ID) {
    this.bytes = new ByteWriter(littleEndian);
    this.nextId = firstReferentId;
  }

  get littleEndian(): boolean {
    return this.bytes.littleEndian;
  }
  get offset(): number {
    return this.bytes.pos;
  }
  get embedded(): boolean {
    return this.embedDepth > 0;
  }

  align(n: number): this {
    this.bytes.align(n);
    return this;
  }
  u8(v: number): this {
    this.bytes.u8(v);
    return this;
  }
  u16(v: number): this {
    this.bytes.align(2).u16(v);
    return this;
  }
  u32(v: number): this {
    this.bytes.align(4).u32(v);
    return this;
  }
  i32(v: number): this {
    this.bytes.align(4).i32(v);
    return this;
  }
  u64(v: bigint): this {
    this.bytes.align(8).u64(v);
    return this;
  }
  uuid(u: string): this {
    this.bytes.align(4).uuid(u);
    return this;
  }
  raw(b: Uint8Array): this {
    this.bytes.bytes(b);
    return this;
  }

  referentId(): number {
    const id = this.nextId;
    this.nextId += 4;
    return id;
  }

  top(write: () => void): this {
    this.frames.push([]);
    const saved = this.embedDepth;
    this.embedDepth = 0;
    try {
      write();
      this.flush();
    } finally {
      this.embedDepth = saved;
      this.frames.pop();
    }
    return this;
  }
  inside(write: () => void): void {
    this.embedDepth++;
    try {
      write();
    } finally {
      this.embedDepth--;
    }
  }
  defer(write: () => void): void {
    const frame = this.frames[this.frames.length - 1];
    if (!frame) throw new Error('NdrWriter.defer outside a top-level write');
    frame.push(() => this.referent(write));
  }
  referent(write: () => void): void {
    this.frames.push([]);
    const saved = this.embedDepth;
    this.embedDepth = 0;
    try {
      write();
      this.flush();
    } finally {
      this.embedDepth = saved;
      this.frames.pop();
    }
  }

  /** A conformant structure writes its array's max_count first (C706 14.3.7.1). */
  hoistConformance(maxCount: number): void {
    this.u32(maxCount);
    this.hoisted = true;
  }
  get hoisting(): boolean {
    return this.hoisted;
  }
  conformance(maxCount: number): void {
    if (this.hoisted) this.hoisted = false;
    else this.u32(maxCount);
  }

  finish(): Uint8Array {
    return this.bytes.finish();
  }

  private flush(): void {
    const frame = this.frames[this.frames.length - 1];
    for (let i = 0; i < frame.length; i++) frame[i]();
    frame.length = 0;
  }
}
