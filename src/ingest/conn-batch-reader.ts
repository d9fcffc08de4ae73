// Zeek conn.log TSV read on a second thread: the reader thread (conn-batch-worker.ts) reads and
// parses, this side receives column batches (conn-batch.ts) in file order and gives them back.

import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { AppError } from '../core/errors.js';
import { ConnBatchView, CONN_BATCH_RECORDS, type ConnBatchMessage } from './conn-batch.js';
import type { ConnWorkerAck, ConnWorkerData, ConnWorkerReply } from './conn-batch-worker.js';
import type { IngestProblem } from './ingest-types.js';

/*
 * Why a thread: parsing is about half the cost of a record through TRW and the thresholds, and the
 * two halves need nothing from each other but the five values per record, so with two cores the
 * wall time is the larger half instead of the sum. The CPU time is a little higher (messages,
 * copying nothing else). Records arrive in file order, exactly as ConnTsvScanner hands them out on
 * one thread (tested), so detectors see the same stream and raise the same alerts.
 */

export interface ConnBatchReadOptions {
  /** Called for each bad line (file and line number), in file order, before the records of the batch it came with. */
  readonly onProblem?: (p: IngestProblem) => void;
  /** Batches the reader thread may have outstanding before it waits for one back (default 4). */
  readonly maxInFlight?: number;
  /** Records per batch (default CONN_BATCH_RECORDS). */
  readonly batchRecords?: number;
  /** Bytes per file read (default 1 MiB). */
  readonly readBytes?: number;
  /** Bytes of the file parsed so far and its size, once per batch and at the end. */
  readonly onProgress?: (read: number, total: number) => void;
}

export interface ConnReadStats {
  /** Data lines (headers excluded), as ConnTsvScanner counts them. */
  records: number;
  bad: number;
  /** Records that are not port contacts (icmp and other transports). */
  skipped: number;
}

/** One batch: the columns (valid until the generator is resumed) and the message they came in. */
export interface ConnBatch {
  readonly view: ConnBatchView;
  readonly message: ConnBatchMessage;
}

/** Under tsx (tests from sources) the worker is a .ts file: register tsx's loader inside it first. */
function spawnWorker(data: ConnWorkerData): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './conn-batch-worker.ts' : './conn-batch-worker.js', import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: data });
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

/**
 * Yield the records of a Zeek conn.log TSV file in batches, parsed on a reader thread. A batch's
 * buffer goes back to the thread when the generator is resumed, so use it before asking for the
 * next one. `stats` is filled in at the end. Stopping early (break) stops the thread.
 */
export async function* readConnBatches(path: string, stats?: ConnReadStats, opts: ConnBatchReadOptions = {}): AsyncGenerator<ConnBatch> {
  let total = 0;
  try {
    if (opts.onProgress) total = statSync(path).size;
  } catch (e) {
    throw new AppError('VIGIL_ERR_BAD_FILE', `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path }, { cause: e });
  }
  const worker = spawnWorker({
    path,
    maxInFlight: opts.maxInFlight ?? 4,
    batchRecords: opts.batchRecords ?? CONN_BATCH_RECORDS,
    readBytes: opts.readBytes ?? 1 << 20,
  });
  const queue: ConnWorkerReply[] = [];
  let wake: (() => void) | undefined;
  const arrive = (m: ConnWorkerReply): void => {
    queue.push(m);
    wake?.();
  };
  worker.on('message', arrive);
  worker.on('error', (e) => arrive({ type: 'error', code: undefined, message: e.message }));
  worker.on('exit', (code) => arrive({ type: 'error', code: undefined, message: `reader thread exited (${code})` }));
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const m = queue.shift()!;
      if (m.type === 'error') {
        const why = m.code ?? m.message;
        throw new AppError('VIGIL_ERR_BAD_FILE', `${path}: cannot read (${why})`, { path });
      }
      if (m.type === 'end') {
        if (stats) Object.assign(stats, { records: m.records, bad: m.bad, skipped: m.skipped });
        opts.onProgress?.(total, total);
        return;
      }
      for (const p of m.problems) opts.onProblem?.({ file: path, line: p.line, message: p.message });
      opts.onProgress?.(m.bytes, total);
      yield { view: new ConnBatchView(m.batch.buffer), message: m.batch };
      worker.postMessage({ type: 'ack', buffer: m.batch.buffer } satisfies ConnWorkerAck, [m.batch.buffer]);
    }
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}
