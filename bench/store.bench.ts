// Store throughput: sessions acknowledged per second by the SQLite store with group commit (on its
// writer thread and inline), beside one-transaction-per-session and the bare better-sqlite3 driver.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SessionRecord } from '../src/model/session.js';
import type { CallRecord } from '../src/model/call.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { toRows } from '../src/store/session-rows.js';

export const title = 'Store: acknowledged sessions per second (SQLite, WAL)';

const N = 2000;
const RUNS = 3;
const IN_FLIGHT = 64;

function call(ts: number, callId: number): CallRecord {
  return { ts, callId, ctxId: 0, ifaceUuid: '000001a0-0000-0000-c000-000000000046', endpoint: 'ISystemActivator', opnum: 4, operation: 'RemoteCreateInstance', reqFrags: 1, respFrags: 1, reqStubLen: 1704, respStubLen: 8, anomalies: [] };
}

function record(run: string, i: number): SessionRecord {
  const startTs = 1_060_617_600_000 + i;
  return {
    id: `${run}-${i}`, sensor: 'bench', proto: 'tcp', src: `10.0.${(i >> 8) & 255}.${i & 255}`, sport: 1024 + (i % 60000), dst: '127.0.0.1', dport: 135,
    startTs, endTs: startTs + 5, bytesIn: 1800, bytesOut: 200, firstBytesHex: '05000b03'.repeat(8), service: 'dcerpc', closeReason: 'peer_closed',
    limitsHit: [], anomalies: [], calls: [call(startTs, 1), call(startTs + 1, 2)],
  };
}

async function storeRate(sync: 'full' | 'normal', maxBatch: number, writerThread = true): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const store = await openSqliteStore({ file: join(dir, 'vigil.db'), synchronous: sync, maxBatch, writerThread });
  try {
    // One save before the clock starts: the writer thread starts on the first write (~0.1 s).
    await store.saveSession(record('warm', 0));
    let next = 0;
    const t0 = performance.now();
    const worker = async (): Promise<void> => {
      while (next < N) await store.saveSession(record('s', next++));
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return N / ((performance.now() - t0) / 1000);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bare driver: the same rows through prepared statements, `perTxn` sessions per synchronous transaction. */
function bareRate(sync: 'full' | 'normal', perTxn: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const db = new Database(join(dir, 'bare.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync}`);
    db.exec('create table sessions (id text primary key, body text not null, dport integer, start_ts real); create table calls (session_id text, seq integer, record text, primary key (session_id, seq))');
    const insS = db.prepare('insert into sessions values (?, ?, ?, ?) on conflict do nothing');
    const insC = db.prepare('insert into calls values (?, ?, ?)');
    const save = db.transaction((batch: SessionRecord[]) => {
      for (const r of batch) {
        const rows = toRows(r);
        insS.run(r.id, JSON.stringify(rows.session), r.dport, r.startTs);
        for (const c of rows.calls) insC.run(c.session_id, c.seq, c.record);
      }
    });
    const t0 = performance.now();
    for (let i = 0; i < N; i += perTxn) save(Array.from({ length: Math.min(perTxn, N - i) }, (_, k) => record('b', i + k)));
    return N / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<string> {
  const rows: Array<[string, number]> = [];
  for (const sync of ['full', 'normal'] as const) {
    const grouped: number[] = [];
    const groupedInline: number[] = [];
    const single: number[] = [];
    const bare: number[] = [];
    const bareBatched: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      grouped.push(await storeRate(sync, 256));
      groupedInline.push(await storeRate(sync, 256, false));
      single.push(await storeRate(sync, 1));
      bare.push(bareRate(sync, 1));
      bareBatched.push(bareRate(sync, IN_FLIGHT));
    }
    rows.push(
      [`store, group commit on the writer thread (default), synchronous=${sync}`, median(grouped)],
      [`store, group commit on the caller's event loop (writerThread: false), synchronous=${sync}`, median(groupedInline)],
      [`store, one transaction per session (writer thread), synchronous=${sync}`, median(single)],
      [`bare better-sqlite3, one transaction per session, synchronous=${sync}`, median(bare)],
      [`bare better-sqlite3, ${IN_FLIGHT} sessions per transaction, synchronous=${sync}`, median(bareBatched)],
    );
  }
  const bareFull = rows[3][1];
  const table = rows.map(([name, rate]) => `| ${name} | ${rate.toFixed(0)} | ${(rate / bareFull).toFixed(2)} |`).join('\n');
  return [
    `${N} sessions (2 decoded calls each) per measurement, ${IN_FLIGHT} saves in flight for the store, median of ${RUNS} runs; a save counts when its promise resolved, i.e. after commit; the store's writer thread is started (one save) before timing.`,
    'The writer thread costs raw store throughput here (a message round trip per batch, a younger JIT in the thread); what it buys is an event loop that commits and fsyncs never stall (see the sensor bench).',
    'Command: `npm run bench -- store`. The bare-driver rows write only a sessions row and call rows (no stats rollups, anomalies or Kysely): the floor of what SQLite costs here.',
    '',
    '| writer | sessions/s | ratio to bare driver (synchronous=full) |',
    '|---|---|---|',
    table,
  ].join('\n');
}
