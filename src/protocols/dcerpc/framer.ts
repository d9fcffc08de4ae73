// Framer for connection-oriented DCE/RPC over a byte stream (C706 12.6.1: every PDU states its own
// frag_length): chunks in, whole PDUs out, copying only when a PDU spans chunks (ws receiver.js).

import type { Anomaly } from '../../model/anomaly.js';
import { dcerpcAnomaly, type DcerpcAnomalyName } from './anomalies.js';
import { COMMON_HEADER_LEN } from './pdu-types.js';

/** Called with each whole PDU, buf[start, end) (in the chunk, or in the framer's own copy when it
 * spanned chunks), and the stream offset of its first byte. Valid only during the call: ranges
 * rather than views, since a view per PDU was a tenth of what a capture run allocated. */
export type PduSink = (buf: Uint8Array, start: number, end: number, streamOffset: number) => void;

export interface FramerOptions {
  /** Largest frag_length accepted; larger claims are garbage. Default 65535 (dcerpc-limits). */
  readonly maxFragLength?: number;
  readonly onAnomaly?: (a: Anomaly) => void;
}

/** Smallest carry once frag_length is known: most PDUs that span segments are a few hundred bytes,
 * and growing from 16 would copy them several times. */
const CARRY_MIN = 256;

/** Why the bytes at an offset cannot start a PDU, or undefined when they can (as far as present
 * before `end`). */
function headerProblem(b: Uint8Array, o: number, maxFrag: number, end = b.length): DcerpcAnomalyName | undefined {
  const n = end - o;
  if (n >= 1 && b[o] !== 5) return 'bad_version';
  if (n >= 2 && b[o + 1] > 1) return 'bad_version';
  if (n >= 3 && b[o + 2] > 20) return 'unknown_ptype';
  if (n < 10) return undefined;
  const frag = fragOf(b, o);
  if (frag < COMMON_HEADER_LEN) return 'frag_length_too_small';
  if (frag > maxFrag) return 'frag_length_exceeds_limit';
  return undefined;
}

/** frag_length in the byte order of drep[0] (C706 14.1). */
function fragOf(b: Uint8Array, o: number): number {
  return (b[o + 4] & 0x10) !== 0 ? b[o + 8] | (b[o + 9] << 8) : (b[o + 8] << 8) | b[o + 9];
}

/**
 * The consumed / still-needed primitive (Suricata dcerpc.rs handle_input_data), allocation-free:
 * returns the PDU length (> 0) when a whole valid PDU starts at `offset`; -n when n more bytes are
 * needed to know or complete it; 0 when the bytes there cannot start a PDU (resynchronise).
 */
export function pduLengthAt(b: Uint8Array, offset: number, maxFrag = 65535): number {
  return lengthAt(b, offset, b.length, maxFrag);
}

/** pduLengthAt() over b[offset, end). */
function lengthAt(b: Uint8Array, offset: number, end: number, maxFrag: number): number {
  if (headerProblem(b, offset, maxFrag, end) !== undefined) return 0;
  const n = end - offset;
  if (n < 10) return -(COMMON_HEADER_LEN - n);
  const frag = fragOf(b, offset);
  if (n < COMMON_HEADER_LEN) return -(frag - n);
  return n >= frag ? frag : -(frag - n);
}

export class DcerpcFramer {
  private readonly maxFrag: number;
  private readonly onAnomaly: ((a: Anomaly) => void) | undefined;
  /** Bytes of a PDU that began in an earlier chunk: a header prefix (< 16 bytes, grown by copying)
   * or, once frag_length is known, the frag_length bytes of the PDU (`want`), filled up to `have`
   * (the carry grows as bytes arrive, so it may be shorter than `want`). */
  private carry: Uint8Array | undefined;
  private want = 0;
  private have = 0;
  private carryOffset = 0;
  /** Stream offset of the next byte to be pushed. */
  private offset = 0;
  /** Garbage bytes skipped since the last PDU boundary, and where the run began. */
  private garbage = 0;
  private garbageStart = 0;
  pdus = 0;

  constructor(opts: FramerOptions = {}) {
    this.maxFrag = opts.maxFragLength ?? 65535;
    this.onAnomaly = opts.onAnomaly;
  }

  /** Bytes still needed to complete the PDU in progress (0 at a PDU boundary). */
  get needed(): number {
    if (!this.carry) return 0;
    const r = lengthAt(this.carry, 0, this.have, this.maxFrag);
    return r < 0 ? -r : 0;
  }
  /** Bytes of memory the framer holds for a PDU in progress: about twice what has arrived of it,
   * never more than its frag_length (at most maxFragLength). */
  get buffered(): number {
    return this.carry ? this.carry.length : 0;
  }
  /** Stream offset of the next byte. */
  get streamOffset(): number {
    return this.offset;
  }

  /** Take one chunk, chunk[start, end) (nothing is copied unless a PDU spans chunks); emit every
   * PDU it completes. Returns the bytes still needed. */
  push(chunk: Uint8Array, sink: PduSink, start = 0, end = chunk.length): number {
    // stream offset of chunk[0] (of chunk[start] once `start` is added)
    const base = this.offset - start;
    this.offset += end - start;
    let pos = start;
    if (this.carry) {
      const r = this.fillCarry(chunk, start, end, sink);
      if (r === 'more') return this.needed;
      if (r === 'bad') {
        const at = this.carryOffset;
        const joined = this.rejoin(chunk, start, end);
        return this.scan(joined, at, this.skipGarbage(joined, at, 0, joined.length), joined.length, sink);
      }
      pos = r;
    }
    return this.scan(chunk, base, pos, end, sink);
  }

  /** End of stream: a partial PDU or a garbage run left behind becomes an anomaly. */
  flush(): void {
    if (this.carry) {
      this.flag('truncated_pdu', `stream ended ${this.needed} byte(s) short of a PDU`, this.carryOffset);
      this.dropCarry();
    }
    this.endGarbage();
  }

  /** Grow the carried prefix from chunk[start, end); returns the chunk position after a completed
   * PDU, 'more' if the chunk ran out, or 'bad' if the carried bytes turned out not to start a PDU. */
  private fillCarry(chunk: Uint8Array, start: number, end: number, sink: PduSink): number | 'more' | 'bad' {
    let pos = start;
    if (this.have < COMMON_HEADER_LEN) {
      const take = Math.min(COMMON_HEADER_LEN - this.have, end - start);
      this.carry!.set(chunk.subarray(start, start + take), this.have);
      this.have += take;
      pos += take;
      if (headerProblem(this.carry!, 0, this.maxFrag, this.have) !== undefined) {
        this.have -= take; // rejoin() hands the chunk back whole
        return 'bad';
      }
      if (this.have < COMMON_HEADER_LEN) return 'more';
      this.want = fragOf(this.carry!, 0);
    }
    const take = Math.min(this.want - this.have, end - pos);
    this.reserve(this.have + take);
    this.carry!.set(chunk.subarray(pos, pos + take), this.have);
    this.have += take;
    pos += take;
    if (this.have < this.want) return 'more';
    const pdu = this.carry!;
    const length = this.want;
    this.carry = undefined;
    this.have = 0;
    this.endGarbage();
    this.pdus++;
    sink(pdu, 0, length, this.carryOffset);
    return pos;
  }


  /**
   * Make the carry hold at least `n` bytes. It grows with what has arrived (doubling, never past
   * the PDU's frag_length), not with what the header claims: a peer that sends a 16-byte header
   * claiming 65,535 bytes and then nothing costs 16 bytes here, not 64 KiB.
   */
  private reserve(n: number): void {
    const cur = this.carry!;
    if (cur.length >= n) return;
    const grown = new Uint8Array(Math.min(this.want, Math.max(n, cur.length * 2, CARRY_MIN)));
    grown.set(cur.subarray(0, this.have));
    this.carry = grown;
  }

  private dropCarry(): void {
    this.carry = undefined;
    this.have = 0;
  }

  /** The carried bytes were not a PDU: hand them back, joined to the chunk, for rescanning. */
  private rejoin(chunk: Uint8Array, start: number, end: number): Uint8Array {
    const head = this.carry!.subarray(0, this.have);
    const joined = new Uint8Array(head.length + end - start);
    joined.set(head);
    joined.set(chunk.subarray(start, end), head.length);
    this.dropCarry();
    return joined;
  }

  /** Frame buf[pos, end); `base` is the stream offset of buf[0]. */
  private scan(buf: Uint8Array, base: number, pos: number, end: number, sink: PduSink): number {
    while (pos < end) {
      const r = lengthAt(buf, pos, end, this.maxFrag);
      if (r > 0) {
        this.endGarbage();
        this.pdus++;
        sink(buf, pos, pos + r, base + pos);
        pos += r;
      } else if (r < 0) {
        this.startCarry(buf, pos, end, base + pos, r);
        return -r;
      } else {
        pos = this.skipGarbage(buf, base, pos, end);
      }
    }
    return 0;
  }

  /** buf[from, end) begins a PDU that needs -r more bytes. */
  private startCarry(buf: Uint8Array, from: number, end: number, at: number, r: number): void {
    // a header prefix gets 16 bytes; with frag_length known, room for twice what arrived, up to
    // frag_length (reserve() grows it as more arrives)
    const n = end - from;
    const want = n < COMMON_HEADER_LEN ? COMMON_HEADER_LEN : n - r;
    this.carry = new Uint8Array(Math.min(want, Math.max(n * 2, CARRY_MIN)));
    this.want = want;
    this.carry.set(from === 0 && end === buf.length ? buf : buf.subarray(from, end));
    this.have = n;
    this.carryOffset = at;
  }

  /** Skip from `pos` to the next byte pair that could start a PDU (05 00 / 05 01). */
  private skipGarbage(buf: Uint8Array, base: number, pos: number, end: number): number {
    if (this.garbage === 0) {
      this.garbageStart = base + pos;
      const why = headerProblem(buf, pos, this.maxFrag, end) ?? 'protocol_violation';
      this.flag(why, `no PDU at stream offset ${base + pos}`, base + pos);
    }
    let next = pos + 1;
    while (next < end && !(buf[next] === 5 && (next + 1 === end || buf[next + 1] <= 1))) next++;
    this.garbage += next - pos;
    return next;
  }

  private endGarbage(): void {
    if (this.garbage === 0) return;
    this.flag('resync_garbage_skipped', `${this.garbage} byte(s) skipped`, this.garbageStart);
    this.garbage = 0;
  }

  private flag(name: DcerpcAnomalyName, detail: string, offset: number): void {
    this.onAnomaly?.(dcerpcAnomaly(name, detail, { offset }));
  }
}
