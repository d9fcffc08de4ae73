// The conn.log reader thread: reads a Zeek conn.log TSV file, parses it with ConnTsvScanner and posts
// the records in column batches (conn-batch.ts) to the thread that runs the detectors.

import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { ConnBatchView, ConnBatchWriter, newConnBatchBuffer, type ConnBatchMessage } from './conn-batch.js';
import { ConnTsvScanner } from './zeek-conn-scanner.js';

export interface ConnWorkerData {
  readonly path: string;
  /** Batches posted and not yet given back before the thread waits (bounds memory). */
  readonly maxInFlight: number;
  readonly batchRecords: number;
  readonly readBytes: number;
}

export type ConnWorkerReply =
  | { readonly type: 'batch'; readonly batch: ConnBatchMessage; readonly problems: { line: number; message: string }[]; readonly bytes: number }
  | { readonly type: 'end'; readonly records: number; readonly bad: number; readonly skipped: number }
  | { readonly type: 'error'; readonly code: string | undefined; readonly message: string };

/** From the detectors' thread: a consumed batch's buffer, given back to be refilled. */
export interface ConnWorkerAck {
  readonly type: 'ack';
  readonly buffer: ArrayBuffer;
}

const port = parentPort!;
const data = workerData as ConnWorkerData;
const spare: ArrayBuffer[] = [];
let inFlight = 0;
let wake: (() => void) | undefined;

port.on('message', (m: ConnWorkerAck) => {
  spare.push(m.buffer);
  inFlight--;
  wake?.();
});

let problems: { line: number; message: string }[] = [];
/** File bytes handed to the scanner so far (for the reading side's progress). */
let consumed = 0;
const writer = new ConnBatchWriter(new ConnBatchView(newConnBatchBuffer(data.batchRecords)));
const scanner = new ConnTsvScanner(
  (ts, src, dst, dport, outcome) => {
    writer.add(ts, src, dst, dport, outcome);
    if (writer.full) post(); // inside a push: never waits, so a chunk may post several batches
  },
  (line, message) => problems.push({ line, message }),
);

function post(): void {
  const batch = writer.take();
  port.postMessage({ type: 'batch', batch, problems, bytes: consumed } satisfies ConnWorkerReply, [batch.buffer]);
  problems = [];
  inFlight++;
  writer.reset(new ConnBatchView(spare.pop() ?? newConnBatchBuffer(data.batchRecords)));
}

/** Wait until the detectors' thread has given back enough batches. */
async function credit(): Promise<void> {
  while (inFlight >= data.maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
  wake = undefined;
}

async function main(): Promise<void> {
  const fh = await open(data.path, 'r');
  try {
    // Two read buffers, reused: the next read runs while this chunk is parsed (the scanner copies
    // only the line cut at a chunk's end, so a buffer can be refilled once pushed).
    const bufs = [Buffer.allocUnsafe(data.readBytes), Buffer.allocUnsafe(data.readBytes)];
    let next = fh.read(bufs[0]!, 0, data.readBytes, null);
    for (let k = 1; ; k ^= 1) {
      const { bytesRead, buffer } = await next;
      if (bytesRead === 0) break;
      next = fh.read(bufs[k]!, 0, data.readBytes, null);
      consumed += bytesRead;
      scanner.push(buffer.subarray(0, bytesRead));
      await credit();
    }
  } finally {
    await fh.close();
  }
  scanner.end();
  if (writer.count > 0 || problems.length > 0) post();
  port.postMessage({ type: 'end', records: scanner.records, bad: scanner.bad, skipped: scanner.skipped } satisfies ConnWorkerReply);
}

// The reading side terminates this thread once it has the end (or the error).
main().catch((e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  port.postMessage({ type: 'error', code: err.code, message: err instanceof Error ? err.message : String(e) } satisfies ConnWorkerReply);
});
