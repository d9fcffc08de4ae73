// One direction of a TCP connection reassembled into an ordered byte stream (RFC 9293 3.4 sequence
// space, 32-bit wrap-around). In-order data is delivered as a view of the packet (no copy); only
// out-of-order segments are copied and held, bounded by named limits. Overlaps keep the first copy
// (what a receiver that already acknowledged it kept) and flag disagreeing bytes; holes that will
// never fill are delivered as gaps so the consumer can resynchronise.

import type { Anomaly } from '../../model/anomaly.js';
import { captureAnomaly } from './capture-anomalies.js';

/** What a reassembled direction is delivered to. Views are valid only during the call. */
export interface StreamConsumer {
  data(bytes: Uint8Array, start: number, end: number): void;
  /** `length` bytes of the stream were never seen. */
  gap(length: number): void;
  anomaly(a: Anomaly): void;
}

export interface TcpStreamLimits {
  readonly max_out_of_order_bytes: number;
  readonly max_out_of_order_segments: number;
}

interface HeldSegment {
  seq: number;
  bytes: Uint8Array;
}

/** The held list of a stream that holds nothing (most of them, all their life): shared, never
 * written; hold() gives the stream its own list first. */
const NOTHING_HELD: readonly HeldSegment[] = [];

/** Signed distance a - b in 32-bit sequence space. */
export const seqDiff = (a: number, b: number): number => (a - b) | 0;

export class TcpStream {
  /** False until the first SYN or data fixes the initial sequence number. */
  started = false;
  /** Next sequence number expected (unsigned 32-bit). */
  nextSeq = 0;
  /** Set once a FIN was seen: the sequence number the stream ends at. */
  finSeq: number | undefined;
  /** Bytes delivered in order, and bytes declared missing. */
  delivered = 0;
  gapBytes = 0;
  private held = NOTHING_HELD as HeldSegment[];
  private heldBytes = 0;

  constructor(
    private readonly consumer: StreamConsumer,
    private readonly limits: TcpStreamLimits,
  ) {}

  /** True when everything up to the FIN has been delivered. */
  get finished(): boolean {
    return this.finSeq !== undefined && this.held.length === 0 && seqDiff(this.nextSeq, this.finSeq) >= 0;
  }

  /** Out-of-order bytes currently held. */
  get pendingBytes(): number {
    return this.heldBytes;
  }

  /** A SYN: the stream's data starts one past its sequence number. */
  syn(seq: number): void {
    if (this.started) return;
    this.started = true;
    this.nextSeq = (seq + 1) >>> 0;
  }

  fin(seqAfterData: number): void {
    this.finSeq = seqAfterData >>> 0;
  }

  /** A segment whose captured payload is buf[start, end) and whose payload on the wire was wireLen bytes. */
  segment(seq: number, buf: Uint8Array, start: number, end: number, wireLen: number): void {
    if (wireLen === 0) return;
    if (!this.started) {
      // Picked up mid-stream: the first data seen starts the stream (not a gap).
      this.started = true;
      this.nextSeq = seq >>> 0;
    }
    const d = seqDiff(seq, this.nextSeq);
    if (d > 0) {
      this.hold(seq, buf.slice(start, end));
      return;
    }
    this.deliver(seq, buf, start, end);
    // The snaplen cut the tail of this segment: those bytes were on the wire but never captured.
    if (wireLen > end - start && seqDiff((seq + wireLen) >>> 0, this.nextSeq) > 0) {
      this.skipTo((seq + wireLen) >>> 0, 'bytes cut by the capture snaplen');
    }
    this.drain();
  }

  /** The peer acknowledged `ack`: data below it that we never saw is lost to the capture. */
  acked(ack: number): void {
    if (!this.started || this.held.length === 0) return;
    if (seqDiff(ack, this.nextSeq) <= 0) return;
    const first = this.held[0].seq;
    this.skipTo(seqDiff(ack, first) < 0 ? ack >>> 0 : first, 'peer acknowledged data the capture never saw');
    this.drain();
  }

  /** End of capture or connection: whatever is held is delivered after the holes before it. */
  flush(): void {
    while (this.held.length > 0) {
      this.skipTo(this.held[0].seq, 'hole still open when the connection ended');
      this.drain();
    }
  }

  /** Drop held data: nobody will read this direction (the connection was declined). */
  discard(): void {
    this.held = NOTHING_HELD as HeldSegment[];
    this.heldBytes = 0;
  }

  private deliver(seq: number, buf: Uint8Array, start: number, end: number): void {
    const skip = -seqDiff(seq, this.nextSeq); // bytes already delivered (retransmission / overlap)
    if (skip >= end - start) return;
    const from = start + skip;
    this.nextSeq = (this.nextSeq + (end - from)) >>> 0;
    this.delivered += end - from;
    this.consumer.data(buf, from, end);
  }

  private drain(): void {
    // this.held is read afresh each turn: delivering may make the consumer discard it.
    while (this.held.length > 0 && seqDiff(this.held[0].seq, this.nextSeq) <= 0) {
      const s = this.held.shift() as HeldSegment;
      this.heldBytes -= s.bytes.length;
      this.deliver(s.seq, s.bytes, 0, s.bytes.length);
    }
  }

  private skipTo(seq: number, why: string): void {
    const len = seqDiff(seq, this.nextSeq);
    if (len <= 0) return;
    this.consumer.anomaly(captureAnomaly('tcp', 'tcp_content_gap', `${len} byte(s) missing at stream offset ${this.delivered + this.gapBytes}: ${why}`, this.delivered + this.gapBytes));
    this.gapBytes += len;
    this.nextSeq = seq >>> 0;
    this.consumer.gap(len);
  }

  // Held segments stay sorted and never overlap: only the parts of a new segment that no held
  // segment covers are kept (the first copy wins, as for delivered data), and covered bytes that
  // disagree with the held copy are flagged.
  private hold(seq: number, bytes: Uint8Array): void {
    const pieces: HeldSegment[] = [];
    let from = 0;
    let flagged = false;
    for (const h of this.held) {
      const hs = seqDiff(h.seq, seq);
      const he = hs + h.bytes.length;
      if (he <= from) continue;
      if (hs >= bytes.length) break;
      if (hs > from) pieces.push({ seq: (seq + from) >>> 0, bytes: bytes.slice(from, hs) });
      if (!flagged) flagged = this.differs(seq, bytes, Math.max(hs, from), Math.min(he, bytes.length), h.bytes, hs);
      from = Math.max(from, he);
    }
    if (from < bytes.length) pieces.push({ seq: (seq + from) >>> 0, bytes: from === 0 ? bytes : bytes.slice(from) });
    for (const piece of pieces) this.insert(piece);
    while (this.heldBytes > this.limits.max_out_of_order_bytes || this.held.length > this.limits.max_out_of_order_segments) {
      this.consumer.anomaly(captureAnomaly('tcp', 'tcp_reassembly_limit', `${this.held.length} segment(s), ${this.heldBytes} byte(s) held out of order`));
      this.skipTo(this.held[0].seq, 'out-of-order buffer full (max_out_of_order_bytes / max_out_of_order_segments)');
      this.drain();
    }
  }

  private insert(piece: HeldSegment): void {
    if (this.held === NOTHING_HELD) this.held = [];
    const held = this.held;
    let i = held.length;
    while (i > 0 && seqDiff(held[i - 1].seq, piece.seq) > 0) i--;
    held.splice(i, 0, piece);
    this.heldBytes += piece.bytes.length;
  }

  /** Compare bytes[from, to) (bytes[0] is sequence `seq`) with the held copy starting at offset `heldAt`. */
  private differs(seq: number, bytes: Uint8Array, from: number, to: number, held: Uint8Array, heldAt: number): boolean {
    for (let k = from; k < to; k++) {
      if (bytes[k] !== held[k - heldAt]) {
        this.consumer.anomaly(captureAnomaly('tcp', 'tcp_overlap_inconsistent', `two copies of sequence number ${(seq + k) >>> 0} differ`));
        return true;
      }
    }
    return false;
  }
}
