// `vigil up` as a process (compiled CLI, as `npm test` builds it): token printed once, sessions
// visible through the API and `vigil sessions`, clean exit on SIGTERM, every acknowledged session
// present exactly once after SIGKILL and restart, and the privileged-port message for non-root.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { CLI_PATH } from '../helpers/paths.js';
import { isRoot } from '../helpers/peers.js';
import { api, bindAndLookup, freeOffset, freePort, tempDir, type SessionSummaryLike } from './up-helpers.js';

const noBuild = existsSync(CLI_PATH) ? false : `compiled CLI not found at ${CLI_PATH}: run npm run build (npm test does)`;

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  http: string;
  offset: number;
}

async function up(dataDir: string, offset: number, httpPort: number): Promise<Running> {
  const child = spawn(process.execPath, [CLI_PATH, 'up', '--data-dir', dataDir, '--port-offset', String(offset), '--http', `127.0.0.1:${httpPort}`], {
    env: { ...process.env, VIGIL_SENSOR_PORTS: '135,4444', VIGIL_LOG_LEVEL: 'warn', VIGIL_STORE_SYNCHRONOUS: 'normal' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const until = Date.now() + 15_000;
  while (!out.includes('vigil: up')) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`vigil up did not start: ${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, stdout: () => out, stderr: () => err, exited, http: `127.0.0.1:${httpPort}`, offset };
}

/** Every session on 135, following the API's cursor through all pages. */
async function listAll(http: string, token: string): Promise<SessionSummaryLike[]> {
  const out: SessionSummaryLike[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const q = `/api/v1/sessions?limit=1000&port=135${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await api<{ items: SessionSummaryLike[]; nextCursor?: string }>(http, token, q);
    if (r.status !== 200) break;
    out.push(...r.body.items);
    cursor = r.body.nextCursor;
    if (!cursor) break;
  }
  return out;
}

test('vigil up: token once, sessions via API and `vigil sessions`, exit 0 on SIGTERM', { skip: noBuild }, async () => {
  const dataDir = tempDir('up-cli');
  const node = await up(dataDir, await freeOffset([135, 4444]), await freePort());
  const token = /API token[^\n]*\n(vgl_\S+)/.exec(node.stdout())?.[1];
  assert.ok(token, `token printed on first start: ${node.stdout()}`);
  await bindAndLookup(135 + node.offset);
  let items: SessionSummaryLike[] = [];
  for (let i = 0; i < 100 && items.length === 0; i++) {
    items = await listAll(node.http, token);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(items.length, 1);
  assert.equal(items[0].callCount, 1);
  const cli = spawnSync(process.execPath, [CLI_PATH, 'sessions', '--data-dir', dataDir, '--json', '--port', '135'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(JSON.parse(cli.stdout.trim().split('\n')[0]).id, items[0].id);
  node.child.kill('SIGTERM');
  assert.equal(await node.exited, 0);
  const again = await up(dataDir, node.offset, await freePort());
  assert.doesNotMatch(again.stdout(), /API token/, 'the token is printed only once');
  again.child.kill('SIGINT');
  assert.equal(await again.exited, 0);
});

test('SIGKILL while sessions arrive: every acknowledged session is present exactly once after restart', { skip: noBuild }, async () => {
  const dataDir = tempDir('up-kill');
  const offset = await freeOffset([135, 4444]);
  const node = await up(dataDir, offset, await freePort());
  const token = /(vgl_\S+)/.exec(node.stdout())![1];
  const acknowledged = new Set<string>();
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) await bindAndLookup(135 + offset).catch(() => undefined);
  };
  const workers = [worker(), worker(), worker()];
  const until = Date.now() + 10_000;
  while (acknowledged.size < 30 && Date.now() < until) {
    for (const s of await listAll(node.http, token).catch(() => [])) acknowledged.add(s.id);
    await new Promise((r) => setTimeout(r, 30));
  }
  node.child.kill('SIGKILL');
  await node.exited;
  running = false;
  await Promise.all(workers);
  assert.ok(acknowledged.size >= 30, `drove enough sessions (${acknowledged.size})`);

  const again = await up(dataDir, offset, await freePort());
  try {
    const items = await listAll(again.http, token);
    const count = new Map<string, number>();
    for (const s of items) count.set(s.id, (count.get(s.id) ?? 0) + 1);
    for (const id of acknowledged) assert.equal(count.get(id), 1, `session ${id} present once`);
    assert.ok([...count.values()].every((n) => n === 1), 'no session duplicated');
    // Not half-written: every stored session carries its one decoded call.
    assert.ok(items.every((s) => s.callCount === 1), 'every stored session has its call');
  } finally {
    again.child.kill('SIGTERM');
    await again.exited;
  }
});

test('without the privilege to bind 135, vigil up says so and offers the alternatives', { skip: noBuild || (isRoot() ? false : 'needs root to drop to an unprivileged uid') }, async () => {
  const dataDir = tempDir('up-priv');
  chmodSync(dataDir, 0o777);
  const httpPort = await freePort();
  const r = spawnSync(process.execPath, [CLI_PATH, 'up', '--data-dir', dataDir, '--http', `127.0.0.1:${httpPort}`], {
    env: { ...process.env, VIGIL_SENSOR_PORTS: '135', VIGIL_LOG_LEVEL: 'silent' },
    uid: 65534,
    gid: 65534,
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /port 135/);
  assert.match(r.stderr, /--port-offset 10000/);
  assert.match(r.stderr, /setcap cap_net_bind_service=\+ep/);
  assert.match(r.stderr, /iptables .*--dport 135 -j REDIRECT --to-ports 10135/);
});
