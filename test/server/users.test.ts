// Dashboard users: scrypt hashes (never the password) that verify only the right password, roles,
// the first admin created once, and `vigil users add|list|passwd|remove` on a data directory.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { hashPassword, UserService, verifyPassword } from '../../src/server/users.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { UserSqliteStore } from '../../src/store/sqlite/user-sqlite-store.js';
import { skipWithoutBuild, vigil } from '../helpers/cli.js';

test('scrypt hashes verify the right password only, and carry their parameters', async () => {
  const h = await hashPassword('correct horse battery staple');
  assert.match(h, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.ok(!h.includes('correct'), 'the hash does not contain the password');
  assert.equal(await verifyPassword('correct horse battery staple', h), true);
  assert.equal(await verifyPassword('correct horse battery stapl', h), false);
  assert.equal(await verifyPassword('x'.repeat(201), h), false, 'an oversized password is refused without hashing it');
  assert.equal(await verifyPassword('correct horse battery staple', 'scrypt$1048577$8$1$AAAA$AAAA'), false, 'a cost above the bound is not computed');
  assert.notEqual(await hashPassword('same'), await hashPassword('same'), 'salted');
});

test('UserService: add with a role, verify, reset, remove; the first admin is made once', async () => {
  const store = await openSqliteStore({ file: ':memory:', background: false });
  try {
    const users = new UserService(new UserSqliteStore(store.kysely), new ManualClock(Date.UTC(2003, 7, 11)));
    const first = await users.ensureFirstAdmin();
    assert.ok(first && first.length >= 20);
    assert.equal(await users.ensureFirstAdmin(), undefined, 'not again');
    assert.deepEqual(await users.verify('admin', first), { name: 'admin', role: 'admin' });
    const pw = await users.add('vera', 'viewer');
    assert.deepEqual(await users.verify('vera', pw), { name: 'vera', role: 'viewer' });
    assert.equal(await users.verify('vera', first), undefined);
    assert.equal(await users.verify('nobody', pw), undefined);
    await assert.rejects(users.add('vera', 'analyst'), /exists already/);
    await assert.rejects(users.add('<script>', 'analyst'), /user name/);
    await assert.rejects(users.add('bob', 'root' as never), /role/);
    const pw2 = await users.resetPassword('vera');
    assert.equal(await users.verify('vera', pw), undefined, 'the old password stops working');
    assert.ok(await users.verify('vera', pw2));
    await users.remove('vera');
    assert.equal(await users.verify('vera', pw2), undefined);
    await assert.rejects(users.remove('vera'), /no user vera/);
  } finally {
    await store.close();
  }
});

test('vigil users add|list|passwd|remove on a data directory', { skip: skipWithoutBuild }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-users-'));
  try {
    const run = async (...args: string[]): Promise<string> => {
      const r = vigil(['users', ...args, '--data-dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    const pw = (await run('add', 'ana', '--role', 'analyst')).trim();
    assert.match(pw, /^[A-Za-z0-9_-]{24}$/);
    assert.match(await run('list'), /^NAME\s+ROLE\s+CREATED\nana\s+analyst\s+\d{4}-/);
    const pw2 = (await run('passwd', 'ana')).trim();
    assert.notEqual(pw2, pw);
    const store = await openSqliteStore({ file: join(dir, 'vigil.db'), background: false });
    try {
      const users = new UserService(new UserSqliteStore(store.kysely), new ManualClock(0));
      assert.ok(await users.verify('ana', pw2));
    } finally {
      await store.close();
    }
    await run('remove', 'ana');
    assert.equal((await run('list', '--json')).trim(), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
