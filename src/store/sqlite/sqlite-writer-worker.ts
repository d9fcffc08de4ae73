// Entry of the store's writer thread (node:worker_threads): its own better-sqlite3 connection runs
// each group-commit batch as one transaction, so commits and their fsyncs never block the sensor.

import { parentPort, workerData } from 'node:worker_threads';
import { Kysely } from 'kysely';
import type { CoreDatabase } from '../core-tables.js';
import { immediateDialect, openDatabase, type OpenOptions } from './sqlite-open.js';
import { commitUnits, type WriteUnit } from './sqlite-write-units.js';
import type { WriterReply, WriterRequest } from './sqlite-writer.js';

const port = parentPort;
if (!port) throw new Error('sqlite-writer-worker runs only as a worker thread');
const db = new Kysely<CoreDatabase>({ dialect: immediateDialect(openDatabase(workerData as OpenOptions)) });

// One request at a time, in arrival order: transactions never interleave on this connection.
let chain: Promise<void> = Promise.resolve();
port.on('message', (req: WriterRequest) => {
  chain = chain.then(() => handle(req));
});

async function handle(req: WriterRequest): Promise<void> {
  if (req.op === 'close') {
    await db.destroy();
    port!.postMessage({ id: req.id, ok: true, results: [] } satisfies WriterReply);
    return;
  }
  try {
    const results = await commitUnits(db, req.units as WriteUnit[]);
    port!.postMessage({ id: req.id, ok: true, results } satisfies WriterReply);
  } catch (e) {
    port!.postMessage({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies WriterReply);
  }
}

port.postMessage({ id: 0, ok: true, results: [] } satisfies WriterReply);
