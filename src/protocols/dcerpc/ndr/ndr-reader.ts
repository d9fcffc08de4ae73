// NDR 2.0 reader over one call's stub (C706 14.2-14.3; MS-RPCE 2.2.5): alignment counted from the
// stub start, byte order from the call's drep, deferred referents of embedded pointers (14.3.12.3).

import { ByteReader } from '../../../core/byte-reader.js';
import type { Anomaly } from '../../../model/anomaly.js';
import { dcerpcAnomaly, type DcerpcAnomalyName } from '../anomalies.js';
import { DEFAULT_NDR_LIMITS, NdrLimitError, type NdrLimitName, type NdrLimits } from './ndr-limits.js';

/** A referent not read yet: a container (struct, array) tells it where the value goes once the
 * deferred bytes are reached. Never escapes a top-level read. */
export class Pending<T = unknown> {
  private targets: ((v: T) => void)[] = [];
  private value: { v: T } | undefined;
  bind(assign: (v: T) => void): void {
    if (this.value) assign(this.value.v);
    else this.targets.push(assign);
  }
  /** The value, once read. */
  get settled(): { v: T } | undefined {
    return this.value;
  }
  resolve(v: T): void {
    this.value = { v };
    for (const t of this.targets) t(v);
    this.targets = [];
  }
}

type Job = () => void;

export class NdrReader {
  readonly bytes: ByteReader;
  readonly limits: NdrLimits;
  readonly anomalies: Anomaly[] = [];
  /** >0 while reading inside a constructed type: pointers met there are embedded, so deferred. */
  private embedDepth = 0;
  private frames: Job[][] = [];
  private referents = 0;
  private depth = 0;
  /** Made on the first full pointer: most stubs have none. */
  private fullPointers: Map<number, { readonly p: Pending; readonly type: unknown }> | undefined;
  /** max_count hoisted to the front of a conformant structure, waiting for its array. */
  private hoisted: number | undefined;
  /** Field names from the top-level parameter down, so anomalies name the field they concern. */
  private path: string[] = [];

  constructor(stub: Uint8Array, littleEndian: boolean, limits: NdrLimits = DEFAULT_NDR_LIMITS) {
    this.bytes = new ByteReader(stub, 0, stub.length, littleEndian);
    this.limits = limits;
  }

  get littleEndian(): boolean {
    return this.bytes.littleEndian;
  }
  /** Offset from the start of the stub. */
  get offset(): number {
    return this.bytes.offset;
  }
  get remaining(): number {
    return this.bytes.remaining;
  }
  get embedded(): boolean {
    return this.embedDepth > 0;
  }

  align(n: number): void {
    this.bytes.align(n);
  }
  u8(): number {
    return this.bytes.u8();
  }
  u16(): number {
    this.bytes.align(2);
    return this.bytes.u16();
  }
  u32(): number {
    this.bytes.align(4);
    return this.bytes.u32();
  }
  i32(): number {
    this.bytes.align(4);
    return this.bytes.i32();
  }
  u64(): bigint {
    this.bytes.align(8);
    return this.bytes.u64();
  }
  /** A GUID: a structure of u32, u16, u16, byte[8], so aligned to 4 (C706 appendix A). */
  uuid(): string {
    this.bytes.align(4);
    return this.bytes.uuid();
  }
  raw(n: number): Uint8Array {
    return this.bytes.bytes(n);
  }

  anomaly(name: DcerpcAnomalyName, detail: string): void {
    const where = this.fieldPath;
    this.anomalies.push(dcerpcAnomaly(name, where ? `${where}: ${detail}` : detail, { offset: this.offset }));
  }
  /** Dotted path of the field being read, e.g. `pActProperties.abData`. */
  get fieldPath(): string {
    return this.path.join('.');
  }
  /** Read `read` as field `name` of whatever is being read. */
  field<T>(name: string, read: () => T): T {
    this.path.push(name);
    try {
      return read();
    } catch (e) {
      this.markPath(e);
      throw e;
    } finally {
      this.path.pop();
    }
  }

  /** field(name, () => type.read(this)) without a closure per member read (structures read every
   * member this way; stubs are decoded once each, mostly before the JIT has optimised anything). */
  fieldOf<T>(name: string, type: { read(r: NdrReader): T }): T {
    this.path.push(name);
    try {
      return type.read(this);
    } catch (e) {
      this.markPath(e);
      throw e;
    } finally {
      this.path.pop();
    }
  }

  /** Remember where decoding stopped, for the anomaly the caller records. */
  private markPath(e: unknown): void {
    if (typeof e === 'object' && e !== null && !('ndrPath' in e)) (e as { ndrPath?: string }).ndrPath = this.fieldPath;
  }

  /** Check a peer-declared count against a limit and against the bytes left (each element takes at
   * least `minSize` bytes), before anything is allocated. */
  checkCount(limit: NdrLimitName, n: number, minSize: number): void {
    if (n > this.limits[limit]) throw new NdrLimitError(limit, n, this.limits[limit]);
    if (n * minSize > this.remaining) this.bytes.skip(n * minSize); // throws TruncatedError
  }

  /** Read one top-level construct (a parameter): its embedded pointers' referents follow it. */
  top<T>(read: () => T, name?: string): T {
    if (name === undefined) return this.topRead(read);
    // as field(name, () => this.top(read)), without the closure
    this.path.push(name);
    try {
      return this.topRead(read);
    } catch (e) {
      this.markPath(e);
      throw e;
    } finally {
      this.path.pop();
    }
  }

  private topRead<T>(read: () => T): T {
    this.frames.push([]);
    const saved = this.embedDepth;
    this.embedDepth = 0;
    try {
      const v = read();
      this.flush();
      return v;
    } finally {
      this.embedDepth = saved;
      this.frames.pop();
    }
  }

  /** Run `read` as the inside of a constructed type (pointers in it are embedded). */
  inside<T>(read: () => T): T {
    this.embedDepth++;
    try {
      return read();
    } finally {
      this.embedDepth--;
    }
  }

  /** Queue a referent read until the enclosing top-level construct (or referent) is complete. */
  defer<T>(read: () => T): Pending<T> {
    const p = new Pending<T>();
    const frame = this.frames[this.frames.length - 1];
    if (!frame) throw new Error('NdrReader.defer outside a top-level read');
    const path = [...this.path];
    frame.push(() => {
      const outer = this.path;
      this.path = path;
      try {
        p.resolve(this.referent(read));
      } finally {
        this.path = outer;
      }
    });
    return p;
  }

  /** Read a referent now; the referents of pointers embedded in it come right after it (depth first). */
  referent<T>(read: () => T): T {
    if (++this.referents > this.limits.maxReferents) throw new NdrLimitError('maxReferents', this.referents, this.limits.maxReferents);
    if (++this.depth > this.limits.maxPointerDepth) throw new NdrLimitError('maxPointerDepth', this.depth, this.limits.maxPointerDepth);
    this.frames.push([]);
    const saved = this.embedDepth;
    this.embedDepth = 0;
    try {
      const v = read();
      this.flush();
      return v;
    } finally {
      this.embedDepth = saved;
      this.frames.pop();
      this.depth--;
    }
  }

  /**
   * Full pointers (C706 14.3.11.3) may repeat a referent id; the referent is sent only once. The
   * referent's type is remembered with it: a peer may alias an id to a pointer of another type,
   * whose referent the reader must then refuse rather than hand over as the wrong type.
   */
  fullPointerSeen(id: number): { readonly p: Pending; readonly type: unknown } | undefined {
    return this.fullPointers?.get(id);
  }
  rememberFullPointer(id: number, p: Pending, type: unknown): void {
    (this.fullPointers ??= new Map()).set(id, { p, type });
  }

  hoistConformance(maxCount: number): void {
    this.hoisted = maxCount;
  }
  /** True while a conformant structure's max_count waits for its array. */
  get hoisting(): boolean {
    return this.hoisted !== undefined;
  }
  /** The max_count of a conformant array: hoisted by its structure, else read in place. */
  conformance(): number {
    if (this.hoisted !== undefined) {
      const v = this.hoisted;
      this.hoisted = undefined;
      return v;
    }
    return this.u32();
  }

  private flush(): void {
    const frame = this.frames[this.frames.length - 1];
    for (let i = 0; i < frame.length; i++) frame[i]();
    frame.length = 0;
  }
}
