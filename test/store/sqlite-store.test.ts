// Runs the Store contract on the SQLite store (a temporary file per suite), plus the SQLite-specific
// durability checks: WAL and synchronous mode as configured, schema migrations recorded once.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import { runStoreContract, type StoreFactory } from './store-contract.js';
import { makeSession } from './fixtures.js';

/** `writerThread`: write transactions on the store's writer thread (the default) or inline. */
const sqliteFactory = (writerThread: boolean): StoreFactory => async (opts) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  const options: SqliteStoreOptions = { file: join(dir, 'vigil.db'), retention: opts.retention, maxPayloadBytes: opts.maxPayloadBytes, clock: opts.clock, background: false, writerThread };
  let store = await openSqliteStore(options);
  return {
    get store() {
      return store;
    },
    async reopen() {
      await store.close();
      store = await openSqliteStore(options);
      return store;
    },
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

runStoreContract('sqlite', sqliteFactory(true));
runStoreContract('sqlite, writes on the caller\'s event loop', sqliteFactory(false));

describe('SQLite store specifics', () => {
  it('opens in WAL mode with the configured synchronous level and records its migrations once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
    try {
      const file = join(dir, 'vigil.db');
      for (const synchronous of ['full', 'normal'] as const) {
        const store = await openSqliteStore({ file, synchronous });
        const mode = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.kysely);
        assert.equal(mode.rows[0].synchronous, synchronous === 'full' ? 2 : 1);
        await store.close();
      }
      const raw = new Database(file, { readonly: true });
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(raw.pragma('auto_vacuum', { simple: true }), 2, 'incremental auto_vacuum so pruning can return space');
      const names = raw.prepare('select name from kysely_migration').all() as Array<{ name: string }>;
      assert.ok(names.some((n) => n.name.startsWith('0001_')));
      assert.equal(new Set(names.map((n) => n.name)).size, names.length);
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite store with a second reader (vigil sessions while vigil up writes)', () => {
  it('lets another connection list sessions while group commits go on, never seeing a partial batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
    const file = join(dir, 'vigil.db');
    const writer = await openSqliteStore({ file });
    const reader = await openSqliteStore({ file, background: false });
    try {
      // Batches of 50 saved together; a reader must see a multiple of 50 (each batch is one transaction).
      const batches = Array.from({ length: 8 }, (_, b) => Array.from({ length: 50 }, (_, i) => makeSession({ id: `w${b}-${String(i).padStart(2, '0')}`, dport: 7000 })));
      const seen: number[] = [];
      const writing = (async () => {
        for (const batch of batches) await writer.saveSessions(batch);
      })();
      let finished = false;
      void writing.then(() => (finished = true));
      for (let i = 0; i < 2000 && !finished; i++) {
        seen.push((await reader.listSessions({ port: 7000, limit: 1000 })).items.length);
        await new Promise((r) => setImmediate(r));
      }
      await writing;
      seen.push((await reader.listSessions({ port: 7000, limit: 1000 })).items.length);
      assert.equal(seen[seen.length - 1], 400);
      assert.ok(seen.every((n) => n % 50 === 0), `counts seen: ${[...new Set(seen)].join(', ')}`);
      assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'never goes backwards');
    } finally {
      await reader.close();
      await writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
