// Runs the Store contract on the PostgreSQL store (a fresh database per suite in a throwaway
// cluster), plus PostgreSQL specifics: two stores (two hubs) saving the same sessions at once.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PgCluster, skipWithoutPostgres } from '../helpers/pg-cluster.js';
import { runStoreContract, type StoreFactory } from './store-contract.js';
import { connEvent, makeSession, T0 } from './fixtures.js';

const skip = skipWithoutPostgres();
if (skip) console.log(`# postgres store tests skipped: ${skip}`);

describe('PostgreSQL store', { skip }, () => {
  const cluster = { pg: undefined as PgCluster | undefined, n: 0 };
  before(async () => {
    cluster.pg = await PgCluster.start();
  });
  after(async () => {
    await cluster.pg?.dispose();
  });

  const factory: StoreFactory = async (opts) => {
    const url = cluster.pg!.createDatabase(`contract_${++cluster.n}`);
    const options = { url, retention: opts.retention, maxPayloadBytes: opts.maxPayloadBytes, clock: opts.clock, background: false };
    let store = await openPostgresStore(options);
    return {
      get store() {
        return store;
      },
      async reopen() {
        await store.close();
        store = await openPostgresStore(options);
        return store;
      },
      async dispose() {
        await store.close();
      },
    };
  };

  runStoreContract('postgres', factory);

  describe('PostgreSQL specifics', () => {
    it('stores each session once when two stores (two hubs) save overlapping batches at the same time', async () => {
      const url = cluster.pg!.createDatabase('two_hubs');
      const [a, b] = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
      try {
        const sessions = Array.from({ length: 400 }, (_, i) => makeSession({ id: `hub-${i}`, startTs: T0 + i * 1000, dport: 135, src: `192.0.2.${i % 50}` }));
        const [ra, rb] = await Promise.all([a.saveSessions(sessions), b.saveSessions([...sessions].reverse())]);
        const inserted = ra.filter((r) => r.inserted).length + rb.filter((r) => r.inserted).length;
        assert.equal(inserted, 400, 'every id is claimed by exactly one of the two stores');
        assert.equal(cluster.pg!.psql('two_hubs', 'select count(*) from sessions').trim(), '400');
        const stats = await a.portStats({ since: T0, until: T0 + 400_000, bucketSeconds: 3600, ports: [135] });
        assert.equal(stats.reduce((n, s) => n + s.count, 0), 400, 'the rollups count each session once');
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('keeps working after the server restarts: saves fail while it is down, then succeed without reopening', async () => {
      const url = cluster.pg!.createDatabase('restart');
      const store = await openPostgresStore({ url });
      try {
        await store.saveSession(makeSession({ id: 'before-restart' }));
        cluster.pg!.stopServer('fast');
        await assert.rejects(store.saveSession(makeSession({ id: 'while-down' })));
        cluster.pg!.startServer();
        let saved = false;
        // The pool may hand out one connection that died with the old server; it is dropped on release.
        for (let i = 0; i < 5 && !saved; i++) saved = await store.saveSession(makeSession({ id: 'after-restart' })).then((r) => r.inserted, () => false);
        assert.ok(saved);
        assert.ok(await store.getSession('before-restart'));
        assert.equal(await store.getSession('while-down'), undefined);
      } finally {
        await store.close();
      }
    });

    it('commits a sensor batch (sample, events, sessions) in one transaction, and a replayed batch changes nothing', async () => {
      const store = await openPostgresStore({ url: cluster.pg!.createDatabase('batch') });
      try {
        const data = new TextEncoder().encode('inert filler bytes');
        const s = makeSession({ id: 'batch-1', dport: 4444 });
        const batch = { sessions: [s], events: [connEvent({ ts: T0, dport: 4444 })], payloads: [{ data, ts: T0 }] };
        assert.deepEqual(await store.saveBatch(batch), [{ inserted: true }]);
        assert.deepEqual(await store.saveBatch({ sessions: [s] }), [{ inserted: false }]);
        assert.deepEqual(await store.getSession('batch-1'), s);
        assert.equal((await store.queryEvents({ port: 4444 })).items.length, 1);
        assert.equal(store.counters.sessionsInserted, 1);
        assert.equal(store.counters.sessionsReplayed, 1);
      } finally {
        await store.close();
      }
    });

    it('migrates once when opened again and records the migration', async () => {
      const url = cluster.pg!.createDatabase('migrate_once');
      await (await openPostgresStore({ url })).close();
      await (await openPostgresStore({ url })).close();
      assert.deepEqual(cluster.pg!.psql('migrate_once', 'select name from kysely_migration order by name').trim().split('\n'), ['0001_core_sessions_events_stats', '0003_core_port_stats_hour', '0004_core_event_id']);
    });
  });
});
