// The store's files are the owner's alone: a new data directory 0700, vigil.db and its -wal/-shm 0600
// whatever the umask, and files left group/world-readable by an older version tightened on open.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { makeSession } from './fixtures.js';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);
let root = '';
let umask = 0;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'vigil-modes-'));
  // The most permissive umask: modes must come from the code, not from the environment.
  umask = process.umask(0);
});
after(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

test('a new store: directory 0700, vigil.db, -wal and -shm 0600', async () => {
  const dir = join(root, 'fresh', 'data');
  const file = join(dir, 'vigil.db');
  const store = await openSqliteStore({ file, background: false });
  try {
    await store.saveSessions([makeSession({ id: 'modes1' })]);
    assert.equal(mode(dir), '700');
    assert.equal(mode(join(root, 'fresh')), '700', 'missing parents too');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      assert.ok(existsSync(f), f);
      assert.equal(mode(f), '600', f);
    }
  } finally {
    await store.close();
  }
});

test('reopening tightens a world-readable vigil.db and its -wal/-shm; the standalone KB store too', async () => {
  const dir = join(root, 'old');
  const file = join(dir, 'vigil.db');
  const first = await openSqliteStore({ file, background: false });
  await first.saveSessions([makeSession({ id: 'modes2' })]);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) chmodSync(f, 0o644);
  // Opened while the other connection still holds -wal and -shm, as `vigil kb` does beside a running node.
  const second = await openSqliteStore({ file, background: false });
  for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(mode(f), '600', f);
  await second.close();
  await first.close();

  const kbFile = join(root, 'kb', 'kb.db');
  const kb = await KbSqliteStore.open(kbFile);
  await kb.setKbState('k', 'v');
  for (const f of [kbFile, `${kbFile}-wal`, `${kbFile}-shm`]) assert.equal(mode(f), '600', f);
  await kb.close();
});
