// `vigil token`: creates the token once with mode 0600, prints the same token afterwards, and
// --rotate replaces it atomically with a different one.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/token.js';
import { skipWithoutBuild, vigil } from '../helpers/cli.js';

/** The command in-process (no process start per case): stdout and stderr captured. */
async function inProcess(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command('vigil').exitOverride();
  register(program);
  const out = { stdout: '', stderr: '' };
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (key: 'stdout' | 'stderr') => ((chunk: string | Uint8Array) => {
    out[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    await program.parseAsync(['node', 'vigil', ...args]);
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
  }
  return out;
}

describe('vigil token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-token-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the token on first use (mode 0600), then prints the same one', { skip: skipWithoutBuild }, async () => {
    const first = vigil(['token', '--data-dir', dir]);
    assert.equal(first.code, 0, first.stderr);
    const token = first.stdout.trim();
    assert.match(token, /^vgl_[A-Za-z0-9_-]{43}$/);
    assert.match(first.stderr, /token created/);
    const file = join(dir, 'api-token');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8').trim(), token);
    const again = await inProcess(['token', '--data-dir', dir]);
    assert.equal(again.stdout.trim(), token);
    assert.equal(again.stderr, '', 'printed once: no creation note the second time');
  });

  it('--rotate writes a different token that later calls print', async () => {
    await inProcess(['token', '--data-dir', dir]);
    const before = await inProcess(['token', '--data-dir', dir, '--json']);
    const old = JSON.parse(before.stdout) as { token: string; created: boolean };
    assert.equal(old.created, false);
    const rotated = await inProcess(['token', '--rotate', '--data-dir', dir]);
    assert.match(rotated.stderr, /new token written/);
    const fresh = rotated.stdout.trim();
    assert.notEqual(fresh, old.token);
    assert.equal((await inProcess(['token', '--data-dir', dir])).stdout.trim(), fresh);
    assert.equal(statSync(join(dir, 'api-token')).mode & 0o777, 0o600);
  });

  it('exits 2 with the key named when the configuration is invalid', { skip: skipWithoutBuild }, () => {
    const r = vigil(['token', '--data-dir', dir], { VIGIL_HTTP_PORT: 'eighty' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /VIGIL_HTTP_PORT: expected an integer from 1 to 65535, got "eighty"/);
  });
});
