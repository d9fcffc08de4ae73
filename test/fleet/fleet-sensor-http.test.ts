// A fleet sensor answers /healthz without a token and /metrics with one (its sensor counters and its
// link to the broker, as Prometheus scrapes each sensor); it keeps no sessions, so it has no
// session API. Real nats-server on loopback.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startFleetSensor, type FleetSensorNode } from '../../src/cli/fleet-node.js';
import { NatsServer, skipWithoutNats } from '../helpers/nats-server.js';

const skip = skipWithoutNats();

describe('fleet sensor health and metrics', { skip }, () => {
  const ctx = { dir: '', nats: undefined as NatsServer | undefined, node: undefined as FleetSensorNode | undefined };
  before(async () => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-http-'));
    ctx.nats = await NatsServer.start();
    const config = loadConfig({ env: {}, flags: { dataDir: ctx.dir, sensor: { ports: [4444] }, fleet: { role: 'sensor', url: ctx.nats.url, sensorName: 'lab-http' }, log: { level: 'silent' } } });
    ctx.node = await startFleetSensor(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await ctx.node?.stop();
    await ctx.nats?.dispose();
    rmSync(ctx.dir, { recursive: true, force: true });
  });

  it('serves /healthz to anyone, /metrics with the token only, and no session API', async () => {
    const node = ctx.node!;
    const base = `http://${node.httpAddress}`;
    assert.match(node.httpAddress, /^127\.0\.0\.1:\d+$/);
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    assert.equal((await fetch(`${base}/metrics`)).status, 401);
    // one connection to the sensor, so its counters move
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: node.sensor.portFor(4444)! }, () => s.end(Buffer.alloc(16, 0x41)));
      s.on('error', reject);
      s.on('close', () => resolve());
      s.resume();
    });
    while (!node.publisher.stats.connected) await new Promise((r) => setTimeout(r, 20));
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${node.token}` } });
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /^vigil_fleet_connected 1$/m);
    assert.match(text, /^vigil_fleet_spool_bytes \d+$/m);
    assert.match(text, /^vigil_sensor_connections_accepted_total\{[^}]*\} [1-9]/m);
    const sessions = await fetch(`${base}/api/v1/sessions`, { headers: { authorization: `Bearer ${node.token}` } });
    assert.equal(sessions.status, 404, 'a fleet sensor keeps no sessions: the hub has them');
  });
});
