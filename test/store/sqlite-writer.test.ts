// The SQLite store's write path: saveBatch commits samples, events and sessions of a sensor batch
// together (acknowledged = committed, idempotent), and its two connections never fail each other.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storeSink } from '../../src/cli/node-sink.js';
import { T0, activationCall, connEvent, lookupCall, makeSession } from './fixtures.js';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { immediateDialect, openDatabase } from '../../src/store/sqlite/sqlite-open.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { DirectWriter, commitUnits, type WriteUnit } from '../../src/store/sqlite/sqlite-write-units.js';
import { payloadRow } from '../../src/store/payload-row.js';
import type { CoreDatabase } from '../../src/store/core-tables.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

for (const writerThread of [true, false]) {
  describe(`SQLite store saveBatch (${writerThread ? 'writer thread' : 'inline'})`, () => {
    let dir = '';
    let store: SqliteStore;
    const file = (): string => join(dir, 'vigil.db');
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vigil-writer-'));
      store = await openSqliteStore({ file: file(), background: false, writerThread, maxPayloadBytes: 8 });
    });
    after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('stores sessions, events and capped samples of one batch, and they survive a reopen', async () => {
      const payload = Buffer.from('05000b03AAAAAAAAAAAA', 'latin1');
      const s1 = makeSession({ id: 'batch-a', calls: [lookupCall(T0 + 1)], payloadSha256: [sha(payload)] });
      const s2 = makeSession({ id: 'batch-b', dport: 4444, service: 'shell' });
      const events = [connEvent({ ts: T0, session: 'batch-a' }), connEvent({ ts: T0 + 1, session: 'batch-b', dport: 4444 })];
      const results = await store.saveBatch({ sessions: [s1, s2], events, payloads: [{ data: payload, ts: T0 }] });
      assert.deepEqual(results, [{ inserted: true }, { inserted: true }]);
      assert.deepEqual(store.counters.sessionsInserted, 2);
      assert.deepEqual(store.counters.eventsAppended, 2);
      await store.close();
      store = await openSqliteStore({ file: file(), background: false, writerThread, maxPayloadBytes: 8 });
      assert.deepEqual(await store.getSession('batch-a'), s1);
      assert.deepEqual(await store.getSession('batch-b'), s2);
      assert.deepEqual((await store.queryEvents()).items, events);
      const sample = await store.getPayload(sha(payload));
      assert.equal(sample?.size, payload.length);
      assert.equal(sample?.truncated, true);
      assert.deepEqual(Buffer.from(sample!.data), payload.subarray(0, 8));
    });

    it('acknowledges a replayed batch without writing its sessions twice', async () => {
      const s = makeSession({ id: 'batch-replay', startTs: T0 + 30 * 86_400_000 });
      assert.deepEqual(await store.saveBatch({ sessions: [s] }), [{ inserted: true }]);
      assert.deepEqual(await store.saveBatch({ sessions: [s, s] }), [{ inserted: false }, { inserted: false }]);
      const n = await sql<{ n: number }>`select count(*) as n from sessions where id = 'batch-replay'`.execute(store.kysely);
      assert.equal(Number(n.rows[0].n), 1);
      const stats = await store.portStats({ since: s.startTs - 60_000, until: s.startTs + 60_000, bucketSeconds: 60 });
      assert.equal(stats.reduce((k, b) => k + b.count, 0), 1, 'the rollup counts it once');
    });

    it('lets a read-then-write transaction on the main connection finish while the writer commits', async () => {
      // With deferred transactions this fails with SQLITE_BUSY (no wait) once the other connection
      // commits between the read and the write; immediate ones wait for the lock instead.
      const saves = Array.from({ length: 40 }, (_, i) => store.saveSession(makeSession({ id: `concurrent-${i}` })));
      const main = store.kysely.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        await new Promise((r) => setTimeout(r, 30));
        await trx.insertInto('events').values({ ts: T0, type: 'conn', source: 'test', src: '192.0.2.1', dport: 135, session: null, body: JSON.stringify(connEvent({ ts: T0 })) }).execute();
        return Number(before.n);
      });
      await Promise.all([...saves, main]);
      const stored = await sql<{ n: number }>`select count(*) as n from sessions where id like 'concurrent-%'`.execute(store.kysely);
      assert.equal(Number(stored.rows[0].n), 40);
    });
  });
}

describe('storeSink over the SQLite store', () => {
  it('writes a sensor batch through saveBatch and hands the events to listeners after commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-writer-'));
    const store = await openSqliteStore({ file: join(dir, 'vigil.db'), background: false });
    try {
      const payload = Buffer.from('dir c:\\\r\n', 'latin1');
      const session = makeSession({ id: 'sink-1', dport: 4444, service: 'shell', payloadSha256: [sha(payload)] });
      const event = connEvent({ ts: T0, session: 'sink-1', dport: 4444 });
      const seen: string[] = [];
      const sink = storeSink(store, [(evs) => {
        for (const e of evs) seen.push(e.session ?? '');
      }]);
      const batches: unknown[] = [];
      const saveBatch = store.saveBatch.bind(store);
      store.saveBatch = (b) => {
        batches.push(b);
        return saveBatch(b);
      };
      await sink.write([{ kind: 'event', event }, { kind: 'session', session, payload }]);
      assert.equal(batches.length, 1, 'one store call for the whole batch');
      assert.deepEqual(seen, ['sink-1']);
      assert.deepEqual(await store.getSession('sink-1'), session);
      assert.equal((await store.getPayload(sha(payload)))?.size, payload.length);
      // The sample goes to the writer thread in a buffer of its own, not as a view of Node's pool.
      const sent = (batches[0] as { payloads: { data: Uint8Array }[] }).payloads[0].data;
      assert.equal(sent.buffer.byteLength, payload.length);
      assert.deepEqual(Buffer.from(sent), payload);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the writer thread\'s prepared statements (DirectWriter) and the Kysely path write the same rows', () => {
  const TABLES = ['sessions', 'calls', 'anomalies', 'session_payloads', 'payload_samples', 'events', 'port_stats', 'port_sources'];
  const dump = (db: Database.Database): Record<string, unknown[]> =>
    Object.fromEntries(TABLES.map((t) => [t, db.prepare(`select * from "${t}" order by rowid`).all()]));

  /** Units that exercise every branch: duplicate samples, events without a session, known and repeated ids, rollups over ports, buckets and sources. */
  function units(): WriteUnit[][] {
    const a = Buffer.from('05000b03 first sample', 'latin1');
    const b = Buffer.from('GET / HTTP/1.0', 'latin1');
    const withCalls = makeSession({ id: 'eq-1', startTs: T0, calls: [activationCall(T0 + 1), lookupCall(T0 + 2, 3)], anomalies: [{ name: 'bad_version', proto: 'dcerpc', offset: 0 }], payloadSha256: [payloadRow(a, T0, 8).sha256], limitsHit: ['idle_timeout'] });
    const plain = makeSession({ id: 'eq-2', startTs: T0 + 500, dport: 445, src: '203.0.113.7', service: undefined, closeReason: undefined, firstBytesHex: undefined, endTs: undefined });
    const later = makeSession({ id: 'eq-3', startTs: T0 + 3_600_000, dport: 445, src: '203.0.113.7' });
    return [
      [
        { payloads: [payloadRow(a, T0 + 10, 8), payloadRow(b, T0, 8), payloadRow(a, T0, 8)], events: [connEvent({ ts: T0, session: 'eq-1' }), connEvent({ ts: T0 + 1, dport: 4444 })], sessions: [withCalls, plain] },
        { events: [connEvent({ ts: T0 + 2, session: 'eq-2', src: '203.0.113.7' })], sessions: [plain, later] },
      ],
      [{ payloads: [payloadRow(a, T0 - 5, 8)], sessions: [withCalls, makeSession({ id: 'eq-4', startTs: T0 + 900 })] }],
    ];
  }

  it('same tables, same rows, same results, batch after batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-direct-'));
    try {
      const viaKysely = new Kysely<CoreDatabase>({ dialect: immediateDialect(openDatabase({ file: join(dir, 'k.db') })) });
      const rawK = new Database(join(dir, 'k.db'), { readonly: true });
      const direct = openDatabase({ file: join(dir, 'd.db') });
      const directSetup = new Kysely<CoreDatabase>({ dialect: immediateDialect(openDatabase({ file: join(dir, 'd.db') })) });
      await migrateToLatest(viaKysely as Kysely<unknown>);
      await migrateToLatest(directSetup as Kysely<unknown>);
      const writer = new DirectWriter(direct);
      for (const batch of units()) {
        const want = await commitUnits(viaKysely, batch);
        const got = writer.commitUnits(batch);
        assert.deepEqual(got, want);
      }
      const k = dump(rawK);
      const d = dump(direct);
      for (const t of TABLES) assert.deepEqual(d[t], k[t], t);
      assert.equal((k.sessions as unknown[]).length, 4);
      assert.equal((k.payload_samples as unknown[]).length, 2);
      rawK.close();
      direct.close();
      await viaKysely.destroy();
      await directSetup.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failing batch rolls back whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-direct-'));
    try {
      const setup = new Kysely<CoreDatabase>({ dialect: immediateDialect(openDatabase({ file: join(dir, 'd.db') })) });
      await migrateToLatest(setup as Kysely<unknown>);
      const db = openDatabase({ file: join(dir, 'd.db') });
      const writer = new DirectWriter(db);
      const bad = { ...makeSession({ id: 'eq-bad' }), sensor: null } as unknown as ReturnType<typeof makeSession>;
      assert.throws(() => writer.commitUnits([{ events: [connEvent({ ts: T0 })], sessions: [makeSession({ id: 'eq-ok' }), bad] }]));
      assert.equal(db.prepare('select count(*) from sessions').pluck().get(), 0);
      assert.equal(db.prepare('select count(*) from events').pluck().get(), 0);
      db.close();
      await setup.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
