// Fault (c): a sensor process (`vigil up --role sensor`) SIGKILLed while its broker is unreachable.
// What it had acknowledged is in its fsynced spool at the moment of the kill; after the broker and
// the sensor come back, every one of those sessions reaches the hub's store exactly once.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FleetHub } from '../../src/fleet/hub-consumer.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { NatsServer, skipWithoutNats } from '../helpers/nats-server.js';
import { freePort } from '../helpers/pg-cluster.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { freeOffset } from '../cli/up-helpers.js';

const skip = skipWithoutNats();

function sensorProcess(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'up', '--role', 'sensor', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VIGIL_LOG_LEVEL: 'warn' } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /sensor \S*?127\.0\.0\.1:(\d+)/.exec(out) ?? /sensor \S+:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`sensor exited ${code}`)));
  });
}

function oneSession(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.end(Buffer.alloc(32, 0x42)));
    s.on('error', reject);
    s.on('close', () => resolve());
    s.resume();
  });
}

const spooledSessionIds = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('.session"')).map((l) => (JSON.parse(l) as { id: string }).id) : [];

describe('fleet sensor SIGKILL', { skip }, () => {
  const ctx = { dir: mkdtempSync(join(tmpdir(), 'vigil-fleet-kill-')), children: [] as ChildProcess[], nats: undefined as NatsServer | undefined, hub: undefined as FleetHub | undefined, store: undefined as SqliteStore | undefined };
  after(async () => {
    for (const c of ctx.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await ctx.hub?.stop();
    await ctx.store?.close();
    await ctx.nats?.dispose();
    rmSync(ctx.dir, { recursive: true, force: true });
  });

  it('delivers every session the killed sensor had spooled, once, after it restarts', async (t) => {
    const natsPort = await freePort();
    const offset = await freeOffset([4444]);
    const args = ['--hub', `nats://127.0.0.1:${natsPort}`, '--sensor-name', 'kill-me', '--ports', '4444', '--port-offset', String(offset), '--data-dir', join(ctx.dir, 'sensor'), '--http-port', String(await freePort())];
    const first = await sensorProcess(args);
    ctx.children.push(first.child);
    for (let i = 0; i < 30; i++) await oneSession(4444 + offset);
    const spool = join(ctx.dir, 'sensor', 'fleet-spool', 'spool.jsonl');
    for (let i = 0; i < 200 && spooledSessionIds(spool).length < 30; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise<void>((r) => {
      first.child.once('exit', () => r());
      first.child.kill('SIGKILL');
    });
    const acknowledged = spooledSessionIds(spool);
    assert.equal(acknowledged.length, 30, 'all 30 sessions were in the spool when the sensor died');

    ctx.nats = await NatsServer.start([], natsPort);
    ctx.store = await openSqliteStore({ file: join(ctx.dir, 'hub.db'), background: false });
    ctx.hub = await FleetHub.start({ nats: { url: ctx.nats.url }, store: ctx.store });
    const second = await sensorProcess(args);
    ctx.children.push(second.child);
    const stored = async (): Promise<number> => Number((await ctx.store!.kysely.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    for (let i = 0; i < 600 && (await stored()) < 30; i++) await new Promise((r) => setTimeout(r, 50));
    for (const id of acknowledged) assert.equal((await ctx.store.getSession(id))?.sensor, 'kill-me', id);
    assert.equal(await stored(), 30, 'each exactly once');
    t.diagnostic(`spooled at the kill ${acknowledged.length}; stored at the hub after the restart ${await stored()}`);
  });
});
