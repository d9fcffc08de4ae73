// The console of `vigil up` (issue 12): readable lines with --log-format pretty (what `auto` picks
// on a terminal), JSON lines when piped, and HTTP access lines only at debug.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { prettyLine } from '../../src/cli/log-format.js';
import { CLI_PATH } from '../helpers/paths.js';
import { skipWithoutBuild as skip } from '../helpers/cli.js';
import { freeOffset, freePort, tempDir } from './up-helpers.js';

/** Start a node, GET /healthz twice, stop it; its stderr. */
async function runNode(extra: string[]): Promise<string> {
  const port = await freePort();
  const args = [CLI_PATH, 'up', '--data-dir', tempDir('up-log'), '--ports', '4444', '--port-offset', String(await freeOffset([4444])), '--http', `127.0.0.1:${port}`, ...extra];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_')));
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const until = Date.now() + 15_000;
  while (!out.includes('vigil: up')) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`vigil up did not start:\n${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  for (let i = 0; i < 2; i++) assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  child.kill('SIGTERM');
  await once(child, 'exit');
  return err;
}

test('pretty: one readable line per entry, module and fields; no access lines at info', { skip }, async () => {
  const err = await runNode(['--log-format', 'pretty']);
  const lines = err.trim().split('\n');
  assert.ok(lines.some((l) => /^\d\d:\d\d:\d\d\.\d{3}Z INFO  vigil node up  http=127\.0\.0\.1:\d+ /.test(l)), err);
  assert.ok(lines.some((l) => /^\d\d:\d\d:\d\d\.\d{3}Z INFO  \[detect\] knowledge base starter data loaded  starter=\{/.test(l)), err);
  assert.ok(!lines.some((l) => l.startsWith('{')), 'no JSON');
  assert.doesNotMatch(err, /incoming request|request completed|http request/);
});

test('auto when piped is JSON; debug shows one access line per request', { skip }, async () => {
  const err = await runNode(['--log-level', 'debug']);
  const entries = err.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; url?: string });
  assert.ok(entries.some((e) => e.msg === 'vigil node up'));
  const access = entries.filter((e) => e.msg === 'http request');
  assert.equal(access.length, 2);
  assert.deepEqual([access[0]!.level, access[0]!.url], [20, '/healthz']);
});

test('prettyLine: fields quoted only when needed, error stack below the line', () => {
  const line = prettyLine(JSON.stringify({ level: 50, time: Date.UTC(2003, 7, 11, 16, 0, 1, 5), pid: 1, hostname: 'h', module: 'store', msg: 'flush failed', rows: 3, file: 'a b', err: { message: 'boom', stack: 'Error: boom\n    at x' } }));
  assert.equal(line, '16:00:01.005Z ERROR [store] flush failed  rows=3 file="a b"\n    Error: boom\n        at x\n');
  assert.equal(prettyLine('not json'), 'not json\n');
});
