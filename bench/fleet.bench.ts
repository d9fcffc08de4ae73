// Fleet throughput: sessions/s from 4 sensor processes through JetStream to the hub's PostgreSQL
// store, beside raw JetStream publish-and-consume of the same messages by the same processes; the
// PostgreSQL store's acknowledged sessions/s beside SQLite's and beside raw pg multi-row INSERTs.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetHub } from '../src/fleet/hub-consumer.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { toRows } from '../src/store/session-rows.js';
import type { Store } from '../src/store/store.js';
import { NatsServer, skipWithoutNats } from '../test/helpers/nats-server.js';
import { PgCluster, skipWithoutPostgres } from '../test/helpers/pg-cluster.js';
import { benchSession } from './fleet-fixture.js';

export const title = 'Fleet: sessions per second, 4 sensor processes -> JetStream -> hub -> PostgreSQL';

const SENSORS = 4;
const PER_SENSOR = 5000;
const STORE_N = 5000;
const IN_FLIGHT = 64;
const RUNS = 3;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const here = dirname(fileURLToPath(import.meta.url));

/** Start the sensor processes, wait until each is connected, say go; resolves with the go time and their exits. */
async function sensors(mode: 'fleet' | 'raw', url: string): Promise<{ t0: number; done: Promise<void> }> {
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<void>[] = [];
  for (let i = 0; i < SENSORS; i++) {
    const c = spawn(process.execPath, [join(here, 'fleet-sensor-child.js'), mode, url, `bench${i}`, String(PER_SENSOR)], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(c);
    let out = '';
    ready.push(new Promise((r) => c.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('ready')) r(); })));
    done.push(new Promise((r, j) => c.once('exit', (code) => (code === 0 ? r() : j(new Error(`sensor process exited ${code}`))))));
  }
  await Promise.all(ready);
  const t0 = performance.now();
  for (const c of children) c.stdin!.write('go\n');
  return { t0, done: Promise.all(done).then(() => undefined) };
}

/** The peer: the same messages published raw, consumed and acked by one durable consumer (no store). */
async function rawJetStream(): Promise<number> {
  const nats = await NatsServer.start();
  try {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'VIGIL_FLEET', subjects: ['vigil.fleet.>'], storage: 'file', duplicate_window: 600_000_000_000 });
    await jsm.consumers.add('VIGIL_FLEET', { durable_name: 'raw', ack_policy: 'explicit', max_ack_pending: 8192 });
    const consumer = await jetstream(nc).consumers.get('VIGIL_FLEET', 'raw');
    const messages = await consumer.consume({ max_messages: 1024 });
    const { t0, done } = await sensors('raw', nats.url);
    let n = 0;
    for await (const m of messages) {
      m.ack();
      if (++n === SENSORS * PER_SENSOR) break;
    }
    const rate = n / ((performance.now() - t0) / 1000);
    await done;
    await nc.close();
    return rate;
  } finally {
    await nats.dispose();
  }
}

async function fleetToPostgres(url: string): Promise<{ rate: number; rssMb: number; spooled: number }> {
  const nats = await NatsServer.start();
  const store = await openPostgresStore({ url });
  const hub = await FleetHub.start({ nats: { url: nats.url }, store });
  try {
    const { t0, done } = await sensors('fleet', nats.url);
    while (hub.stats.sessionsStored < SENSORS * PER_SENSOR) await new Promise((r) => setTimeout(r, 20));
    const rate = hub.stats.sessionsStored / ((performance.now() - t0) / 1000);
    await done;
    return { rate, rssMb: process.memoryUsage().rss / 2 ** 20, spooled: 0 };
  } finally {
    await hub.stop();
    await store.close();
    await nats.dispose();
  }
}

async function storeRate(store: Store, prefix: string): Promise<number> {
  await store.saveSession(benchSession(`${prefix}-warm`, 0));
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < STORE_N) await store.saveSession(benchSession(prefix, next++));
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return STORE_N / ((performance.now() - t0) / 1000);
}

/** The peer of the PostgreSQL store: the same session and call rows by hand-written multi-row INSERTs, 256 sessions per transaction. */
async function rawPgRate(url: string): Promise<number> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = Array.from({ length: STORE_N }, (_, i) => toRows(benchSession('raw', i)));
    const insert = async (table: string, objs: readonly object[]): Promise<void> => {
      const cols = Object.keys(objs[0]);
      const params: unknown[] = [];
      const tuples = objs.map((o) => `(${cols.map((c) => { params.push((o as Record<string, unknown>)[c]); return `$${params.length}`; }).join(',')})`);
      await client.query(`insert into ${table} (${cols.map((c) => `"${c}"`).join(',')}) values ${tuples.join(',')}`, params);
    };
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += 256) {
      const part = rows.slice(i, i + 256);
      await client.query('begin');
      await insert('sessions', part.map((r) => r.session));
      await insert('calls', part.flatMap((r) => r.calls));
      await client.query('commit');
    }
    return STORE_N / ((performance.now() - t0) / 1000);
  } finally {
    await client.end();
  }
}

export async function run(): Promise<string> {
  const skip = skipWithoutNats() || skipWithoutPostgres();
  if (skip) return `Skipped: ${skip}.`;
  const pgc = await PgCluster.start();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-fleet-'));
  try {
    // Interleaved runs, medians: the machine is shared, and a run's neighbours matter more than the code.
    const raws: number[] = [];
    const e2es: { rate: number; rssMb: number }[] = [];
    const pgs: number[] = [];
    const lites: number[] = [];
    const rawPgs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      raws.push(await rawJetStream());
      e2es.push(await fleetToPostgres(pgc.createDatabase(`e2e${r}`)));
      const pgStore = await openPostgresStore({ url: pgc.createDatabase(`store${r}`) });
      pgs.push(await storeRate(pgStore, 'pg').finally(() => pgStore.close()));
      const lite = await openSqliteStore({ file: join(dir, `vigil${r}.db`) });
      lites.push(await storeRate(lite, 'lite').finally(() => lite.close()));
      const rawUrl = pgc.createDatabase(`raw${r}`);
      await (await openPostgresStore({ url: rawUrl })).close(); // the same schema and indexes
      rawPgs.push(await rawPgRate(rawUrl));
    }
    const raw = median(raws);
    const e2e = { rate: median(e2es.map((e) => e.rate)), rssMb: Math.max(...e2es.map((e) => e.rssMb)) };
    const pgRate = median(pgs);
    const liteRate = median(lites);
    const rawPg = median(rawPgs);
    const e2eRatio = median(e2es.map((e, i) => e.rate / raws[i]));
    const f = (n: number): string => Math.round(n).toLocaleString('en-US');
    return [
      `${SENSORS} sensor processes x ${PER_SENSOR} sessions (MS03-026-shaped, two calls, ~1 KB JSON each), written in batches of 64 like the sensor's output queue; nats-server ${'2.9'} (Debian, \`-js\`, file storage) and PostgreSQL 15 (throwaway cluster, fsync on, synchronous_commit on) on this machine. ${RUNS} interleaved runs; medians.`,
      '',
      '| path | sessions/s | ratio |',
      '|---|---|---|',
      `| raw JetStream: the same messages published (PubAck awaited) and consumed + acked, no store (peer) | ${f(raw)} | 1 |`,
      `| fleet end to end: FleetPublisher -> JetStream -> FleetHub -> PostgresStore (commit before ack) | ${f(e2e.rate)} | ${e2eRatio.toFixed(2)} of raw (median of the per-run ratios ${e2es.map((e, i) => (e.rate / raws[i]).toFixed(2)).join(', ')}; target >= 0.5) |`,
      `| PostgresStore.saveSession, ${IN_FLIGHT} in flight (group commit), ${STORE_N} sessions | ${f(pgRate)} | ${(pgRate / rawPg).toFixed(2)} of raw pg |`,
      `| raw pg: the same session and call rows, hand-written multi-row INSERT, 256 per transaction (peer) | ${f(rawPg)} | 1 |`,
      `| SqliteStore.saveSession, ${IN_FLIGHT} in flight (the single-node path, synchronous full) | ${f(liteRate)} | ${(liteRate / pgRate).toFixed(2)} of PostgresStore |`,
      '',
      `Hub process RSS after the end-to-end runs (largest): ${e2e.rssMb.toFixed(0)} MiB (the benchmark process hosts the hub; the sensors are separate processes).`,
      '',
      'Command: `npm run bench -- fleet`.',
    ].join('\n');
  } finally {
    await pgc.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
