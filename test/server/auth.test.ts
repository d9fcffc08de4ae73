// The API token file (created once, mode 0600, rotated atomically), the constant-time bearer check,
// and tokenReader following a rotation without a restart.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isAppError } from '../../src/core/errors.js';
import { checkBearer, ensureToken, rotateToken, tokenPath, tokenReader } from '../../src/server/auth.js';

describe('API token', () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is created once with mode 0600 in a new data directory, then read back unchanged', () => {
    const dir = join(root, 'a', 'nested');
    const first = ensureToken(dir);
    assert.equal(first.created, true);
    assert.equal(statSync(tokenPath(dir)).mode & 0o777, 0o600);
    const second = ensureToken(dir);
    assert.deepEqual(second, { ...first, created: false });
    assert.notEqual(ensureToken(join(root, 'other')).token, first.token, 'tokens are random');
  });

  it('tightens a token file left readable by others', () => {
    const dir = join(root, 'loose');
    const { path } = ensureToken(dir);
    chmodSync(path, 0o644);
    ensureToken(dir);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('refuses an empty token file with a configuration error that says how to fix it', () => {
    const dir = join(root, 'empty');
    ensureToken(dir);
    writeFileSync(tokenPath(dir), '\n');
    assert.throws(() => ensureToken(dir), (e) => isAppError(e, 'VIGIL_ERR_CONFIG') && /vigil token --rotate/.test(e.message));
  });

  it('rotates to a new token with mode 0600', () => {
    const dir = join(root, 'rot');
    const old = ensureToken(dir).token;
    const fresh = rotateToken(dir);
    assert.notEqual(fresh.token, old);
    assert.equal(readFileSync(tokenPath(dir), 'utf8').trim(), fresh.token);
    assert.equal(statSync(tokenPath(dir)).mode & 0o777, 0o600);
  });

  it('tokenReader follows a rotation after its recheck interval', () => {
    const dir = join(root, 'follow');
    let t = 0;
    const read = tokenReader(dir, 1000, () => t);
    const old = read();
    const fresh = rotateToken(dir).token;
    // Make the mtime change visible even on file systems with coarse timestamps.
    const future = new Date(Date.now() + 5000);
    utimesSync(tokenPath(dir), future, future);
    assert.equal(read(), old, 'not re-read before the interval');
    t = 1500;
    assert.equal(read(), fresh);
  });
});

describe('checkBearer', () => {
  const token = 'vgl_abcdefghijklmnop';
  it('accepts exactly "Bearer <token>" (scheme case-insensitive) and nothing else', () => {
    assert.equal(checkBearer(`Bearer ${token}`, token), true);
    assert.equal(checkBearer(`bearer ${token}`, token), true);
    for (const h of [undefined, '', token, `Bearer ${token}a`, `Bearer ${token.slice(0, -1)}`, `Basic ${token}`, `Bearer ${token} extra`, 'Bearer ']) {
      assert.equal(checkBearer(h, token), false, String(h));
    }
  });
});
