// Migrations on a shared database file: every area's set runs once, in any opening order, and an
// area that passes only its own set does not trip Kysely's missing-migration check.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest } from '../../src/store/migrate.js';
import { allMigrations } from '../../src/store/migrations/index.js';
import { kbMigrations } from '../../src/store/migrations/kb.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

it('applies every area once, whichever area opens the shared file first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-migrate-'));
  const file = join(dir, 'vigil.db');
  try {
    const store = await openSqliteStore({ file });
    await store.close();
    // Another area opening the same file with only its own set must not fail.
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    assert.deepEqual(await migrateToLatest(db, kbMigrations), [], 'nothing left to apply');
    await db.destroy();
    const raw = new Database(file, { readonly: true });
    const applied = (raw.prepare('select name from kysely_migration order by name').all() as Array<{ name: string }>).map((r) => r.name);
    raw.close();
    assert.deepEqual(applied, Object.keys(allMigrations).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
