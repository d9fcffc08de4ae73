// Entry of the store's writer thread (node:worker_threads): its own better-sqlite3 connection runs
// each group-commit batch as one transaction, so commits and their fsyncs never block the sensor.
// It writes with statements prepared once (DirectWriter), not through Kysely: same rows, less CPU.

import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type OpenOptions } from './sqlite-open.js';
import { DirectWriter, type WriteUnit } from './sqlite-write-units.js';
import type { WriterReply, WriterRequest } from './sqlite-writer.js';

const port = parentPort;
if (!port) throw new Error('sqlite-writer-worker runs only as a worker thread');
const db = openDatabase(workerData as OpenOptions);
const writer = new DirectWriter(db);

// Each request runs to completion synchronously, in arrival order: transactions never interleave.
port.on('message', handle);

function handle(req: WriterRequest): void {
  if (req.op === 'close') {
    db.close();
    port!.postMessage({ id: req.id, ok: true, results: [] } satisfies WriterReply);
    return;
  }
  try {
    const results = writer.commitUnits(req.units as WriteUnit[]);
    port!.postMessage({ id: req.id, ok: true, results } satisfies WriterReply);
  } catch (e) {
    port!.postMessage({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies WriterReply);
  }
}

port.postMessage({ id: 0, ok: true, results: [] } satisfies WriterReply);
