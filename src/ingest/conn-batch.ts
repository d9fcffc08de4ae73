// Batches of conn records as columns of one transferable ArrayBuffer: what the conn.log reader
// thread (conn-batch-worker.ts) hands the detectors' thread. Written by us; no spec involved.

import type { ConnRecordHandler, Outcome } from './zeek-conn-scanner.js';

/*
 * Why columns in one ArrayBuffer: a batch crosses threads by transfer (no copy, no structured clone
 * of per-record objects) and comes back the same way to be refilled, so a steady stream allocates
 * nothing. Each record is the five values ConnTsvScanner hands out, exactly: ts (a double),
 * addresses as int32 (dotted IPv4) or, rarely, text kept beside the columns, dport (<= 65535, so
 * 16 bits), outcome as a code.
 */

/**
 * Records per batch (1.25 MiB): a message between threads costs a wake-up of the other thread, which
 * took ~0.3 ms on the shared bench machine, so 16,384-record batches spent a fifth of the detectors'
 * thread in postMessage; at 65,536 it is under 2%.
 */
export const CONN_BATCH_RECORDS = 65_536;
/** Bytes per record: ts 8, src 4, dst 4, dport 2, outcome 1, flags 1. */
const RECORD_BYTES = 20;

const OUTCOMES: readonly Outcome[] = ['unknown', 'success', 'failure'];
const SRC_TEXT = 1;
const DST_TEXT = 2;

/** A batch as it travels between threads (postMessage-safe). */
export interface ConnBatchMessage {
  readonly buffer: ArrayBuffer;
  readonly count: number;
  /** Non-IPv4 addresses in record order (src before dst), for the records flagged in the columns. */
  readonly texts: string[];
}

/** Typed views of a batch buffer; the layout is the same on both sides. */
export class ConnBatchView {
  readonly ts: Float64Array;
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly dport: Uint16Array;
  readonly outcome: Uint8Array;
  readonly flags: Uint8Array;

  constructor(readonly buffer: ArrayBuffer) {
    const n = buffer.byteLength / RECORD_BYTES;
    if (!Number.isInteger(n)) throw new RangeError(`conn batch: ${buffer.byteLength} bytes is not a whole number of records`);
    // Widest columns first so each view is aligned to its element size.
    this.ts = new Float64Array(buffer, 0, n);
    this.src = new Int32Array(buffer, 8 * n, n);
    this.dst = new Int32Array(buffer, 12 * n, n);
    this.dport = new Uint16Array(buffer, 16 * n, n);
    this.outcome = new Uint8Array(buffer, 18 * n, n);
    this.flags = new Uint8Array(buffer, 19 * n, n);
  }

  get capacity(): number {
    return this.ts.length;
  }
}

export function newConnBatchBuffer(records = CONN_BATCH_RECORDS): ArrayBuffer {
  return new ArrayBuffer(records * RECORD_BYTES);
}

/** Fills batch views record by record (a ConnRecordHandler); says when the batch is full. */
export class ConnBatchWriter {
  count = 0;
  texts: string[] = [];

  constructor(public view: ConnBatchView) {}

  /** The handler to give ConnTsvScanner (bound once, no closure per record). */
  readonly add: ConnRecordHandler = (ts, src, dst, dport, outcome) => {
    const v = this.view;
    const i = this.count++;
    let flags = 0;
    v.ts[i] = ts;
    if (typeof src === 'number') v.src[i] = src;
    else {
      flags |= SRC_TEXT;
      this.texts.push(src);
    }
    if (typeof dst === 'number') v.dst[i] = dst;
    else {
      flags |= DST_TEXT;
      this.texts.push(dst);
    }
    v.dport[i] = dport;
    v.outcome[i] = outcome === 'success' ? 1 : outcome === 'failure' ? 2 : 0;
    v.flags[i] = flags;
  };

  get full(): boolean {
    return this.count === this.view.capacity;
  }

  /** The filled batch as a message; the writer then needs a fresh view (reset()). */
  take(): ConnBatchMessage {
    return { buffer: this.view.buffer, count: this.count, texts: this.texts };
  }

  reset(view: ConnBatchView): void {
    this.view = view;
    this.count = 0;
    this.texts = [];
  }
}

/** Hand every record of a batch to a handler, with the values the scanner produced. */
export function eachConnRecord(view: ConnBatchView, msg: ConnBatchMessage, onRecord: ConnRecordHandler): void {
  const { ts, src, dst, dport, outcome, flags } = view;
  const texts = msg.texts;
  let t = 0;
  for (let i = 0; i < msg.count; i++) {
    const f = flags[i]!;
    if (f === 0) onRecord(ts[i]!, src[i]!, dst[i]!, dport[i]!, OUTCOMES[outcome[i]!]!);
    else {
      const s = f & SRC_TEXT ? texts[t++]! : src[i]!;
      const d = f & DST_TEXT ? texts[t++]! : dst[i]!;
      onRecord(ts[i]!, s, d, dport[i]!, OUTCOMES[outcome[i]!]!);
    }
  }
}
