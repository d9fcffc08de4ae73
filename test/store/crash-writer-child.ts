// Child process for the crash test: saves deterministic sessions with several writes in flight
// (group commit) and prints "ack <id>" after each acknowledgement, until its parent SIGKILLs it.

import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { crashRecord } from './fixtures.js';

const file = process.argv[2];
const inFlight = 16;
const maxRecords = 20_000; // bounded even if nobody kills us

const store = await openSqliteStore({ file });
let next = 0;
async function worker(): Promise<void> {
  while (next < maxRecords) {
    const r = crashRecord(next++);
    await store.saveSession(r);
    process.stdout.write(`ack ${r.id}\n`);
  }
}
await Promise.all(Array.from({ length: inFlight }, worker));
await store.close();
