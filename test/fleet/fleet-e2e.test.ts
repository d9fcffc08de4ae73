// End to end on loopback: nats-server (JetStream) + PostgreSQL 15 + a hub process (`vigil up --role
// hub --store postgres`) + two fleet sensors taking TCP traffic. The hub is SIGKILLed, the broker
// SIGKILLed and PostgreSQL restarted, each mid-stream; afterwards every session the sensors acknowledged is in
// PostgreSQL exactly once, counted per sensor.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startFleetSensor, type FleetSensorNode } from '../../src/cli/fleet-node.js';
import { NatsServer, skipWithoutNats } from '../helpers/nats-server.js';
import { PgCluster, freePort, skipWithoutPostgres } from '../helpers/pg-cluster.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../cli/up-helpers.js';

const skip = skipWithoutNats() || skipWithoutPostgres();
if (skip) console.log(`# fleet end-to-end test skipped: ${skip}`);

/** One session: connect, send inert filler bytes, close, wait for the sensor to close too. */
function oneSession(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.end(Buffer.alloc(48, 0x41)));
    s.on('error', reject);
    s.on('close', () => resolve());
    s.resume();
  });
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 90_000, debug?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what}${debug ? `: ${debug()}` : ''}`);
}

class HubProcess {
  private child: ChildProcess | undefined;
  /** The tail of the hub's log (stderr), for a failure message. */
  log = '';
  constructor(private readonly args: string[], private readonly env: NodeJS.ProcessEnv) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'up', ...this.args], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => (this.log = (this.log + d.toString()).slice(-4000)));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('vigil: up as fleet hub')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`hub exited ${code}: ${this.log}`)));
    });
  }

  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill('SIGTERM');
    });
  }
}

describe('fleet end to end: two sensors -> JetStream -> hub -> PostgreSQL, with kills', { skip, timeout: 600_000 }, () => {
  const ctx = { pg: undefined as PgCluster | undefined, nats: undefined as NatsServer | undefined, hub: undefined as HubProcess | undefined, sensors: [] as FleetSensorNode[], dirs: [] as string[] };
  const dir = (name: string): string => {
    const d = tempDir(name);
    ctx.dirs.push(d);
    return d;
  };

  before(async () => {
    ctx.pg = await PgCluster.start();
    const url = ctx.pg.createDatabase('hub');
    ctx.nats = await NatsServer.start();
    const hubDir = dir('fleet-hub');
    ctx.hub = new HubProcess(['--role', 'hub', '--hub', ctx.nats.url, '--store', 'postgres', '--data-dir', hubDir, '--http-port', String(await freePort()), '--log-level', 'warn'], { VIGIL_STORE_URL: url, VIGIL_LOG_FORMAT: 'json' });
    await ctx.hub.start();
    for (const name of ['sensor-east', 'sensor-west']) {
      const config = loadConfig({ env: {}, flags: { dataDir: dir(`fleet-${name}`), sensor: { ports: [4444] }, fleet: { role: 'sensor', url: ctx.nats.url, sensorName: name }, log: { level: 'silent' } } });
      ctx.sensors.push(await startFleetSensor(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) }));
    }
  });
  after(async () => {
    for (const s of ctx.sensors) await s.stop();
    await ctx.hub?.stop();
    await ctx.nats?.dispose();
    await ctx.pg?.dispose();
    for (const d of ctx.dirs) rmSync(d, { recursive: true, force: true });
  });

  it('stores every acknowledged session exactly once through a hub SIGKILL, a broker SIGKILL and a PostgreSQL restart', async (t) => {
    const ports = ctx.sensors.map((s) => s.sensor.portFor(4444)!);
    let sent = 0;
    const traffic = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        await Promise.all(ports.map((p) => oneSession(p)));
        sent += ports.length;
      }
    };
    const stored = (): Record<string, number> => Object.fromEntries(ctx.pg!.psql('hub', 'select sensor, count(*) from sessions group by sensor order by sensor').trim().split('\n').filter(Boolean).map((l) => l.split('|')).map(([s, n]) => [s, Number(n)]));
    const total = (): number => Object.values(stored()).reduce((a, b) => a + b, 0);

    await traffic(40);
    // Hub SIGKILLed mid-stream: messages it had fetched but not acked are redelivered to the next one.
    const killHub = ctx.hub!.kill();
    await traffic(40);
    await killHub;
    // Broker SIGKILLed mid-stream too: the sensors spool to disk.
    await ctx.nats!.kill();
    await traffic(40);
    const spooled = ctx.sensors.map((s) => s.publisher.stats.spooled);
    await ctx.nats!.startProcess();
    await ctx.hub!.start();
    await traffic(40);
    // PostgreSQL restarted under the hub: its writes fail, messages are redelivered until they commit.
    ctx.pg!.stopServer('fast');
    await traffic(20);
    ctx.pg!.startServer();
    await traffic(20);

    for (const s of ctx.sensors) assert.ok(await s.publisher.drained(120_000), `${s.name}: spool drained`);
    await until(`all ${sent} sessions in PostgreSQL`, () => total() >= sent, 90_000, () => `stored ${JSON.stringify(stored())}; hub log: ${ctx.hub!.log}`);
    // A little longer: redeliveries after the kill must not add rows.
    await new Promise((r) => setTimeout(r, 2000));
    const perSensor = stored();
    const distinct = Number(ctx.pg!.psql('hub', 'select count(distinct id) from sessions').trim());
    const rollup = Number(ctx.pg!.psql('hub', 'select coalesce(sum(count), 0) from port_stats').trim());
    const dropped = ctx.sensors.map((s) => s.publisher.stats.dropped);
    t.diagnostic(`sent ${sent} sessions; stored per sensor ${JSON.stringify(perSensor)}; distinct ids ${distinct}; rollup count ${rollup}; spooled during the broker outage ${JSON.stringify(spooled)}; dropped ${JSON.stringify(dropped)}`);
    assert.deepEqual(perSensor, { 'sensor-east': sent / 2, 'sensor-west': sent / 2 });
    assert.equal(distinct, sent, 'exactly once: no id twice');
    assert.equal(rollup, sent, 'the per-port rollups counted each session once');
    assert.deepEqual(dropped, [0, 0]);
    assert.ok(spooled.every((n) => n > 0), 'the outage went through the disk spool');
  });
});
