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
import { T0, connEvent, lookupCall, makeSession } from './fixtures.js';

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
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
