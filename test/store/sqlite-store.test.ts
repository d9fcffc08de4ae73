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

const sqliteFactory: StoreFactory = async (opts) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  const options: SqliteStoreOptions = { file: join(dir, 'vigil.db'), retention: opts.retention, maxPayloadBytes: opts.maxPayloadBytes, clock: opts.clock, background: false };
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

runStoreContract('sqlite', sqliteFactory);

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
