// The composed node through its library entry point (startNode): sessions driven into the sensor
// come out of the HTTP API with their decoded calls, metrics count them, stop() flushes open ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startNode } from '../../src/cli/node.js';
import { openSqliteStore, sqliteFileIn } from '../../src/store/sqlite/sqlite-store.js';
import { api, bindAndLookup, freePort, tempDir, type SessionSummaryLike } from './up-helpers.js';
import { openClient } from '../sensor/sensor-harness.js';

async function node(dataDir: string) {
  const httpPort = await freePort();
  const config = loadConfig({ env: {}, flags: { dataDir, http: { host: '127.0.0.1', port: httpPort }, sensor: { ports: [135, 4444] }, log: { level: 'silent' } } });
  let printed: string | undefined;
  const n = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }), onTokenCreated: (t) => (printed = t) });
  return { n, printed };
}

test('startNode: token created once (0600), sessions with decoded calls through the API, /metrics', async () => {
  const dataDir = tempDir('node');
  const { n, printed } = await node(dataDir);
  try {
    assert.equal(printed, n.token, 'the token is reported on first start');
    assert.equal(statSync(join(dataDir, 'api-token')).mode & 0o777, 0o600);
    await bindAndLookup(n.sensor.portFor(135)!);
    let list: SessionSummaryLike[] = [];
    for (let i = 0; i < 100 && list.length === 0; i++) {
      list = (await api<{ items: SessionSummaryLike[] }>(n.httpAddress, n.token, '/api/v1/sessions?port=135')).body.items;
      if (list.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(list.length, 1);
    assert.equal(list[0].callCount, 1);
    const one = await api<{ calls: { endpoint: string; operation: string; respFrags: number }[] }>(n.httpAddress, n.token, `/api/v1/sessions/${list[0].id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.calls.map((c) => [c.endpoint, c.operation]), [['epmapper', 'ept_lookup']]);
    assert.ok(one.body.calls[0].respFrags >= 1);
    const metrics = await api(n.httpAddress, n.token, '/metrics');
    assert.match(metrics.text, /vigil_sensor_sessions_recorded_total\{port="135"\} 1/);
    assert.match(metrics.text, /vigil_sensor_connections_accepted_total\{port="135"\} 1/);
    assert.equal((await fetch(`http://${n.httpAddress}/api/v1/sessions`)).status, 401, 'no token, no sessions');
  } finally {
    await n.stop();
  }
  const again = await node(dataDir);
  assert.equal(again.printed, undefined, 'the token is printed only on the first start');
  await again.n.stop();
});

test('stop() closes open sessions (reason shutdown) and flushes them into the store', async () => {
  const dataDir = tempDir('node-stop');
  const { n } = await node(dataDir);
  const s = await openClient(n.sensor.portFor(4444)!);
  s.on('error', () => undefined);
  s.write('echo hello\n');
  await new Promise((r) => setTimeout(r, 100));
  await n.stop();
  const store = await openSqliteStore({ file: sqliteFileIn(dataDir), background: false });
  try {
    const page = await store.listSessions({ port: 4444 });
    assert.equal(page.items.length, 1);
    assert.equal(page.items[0].closeReason, 'shutdown');
    assert.equal(page.items[0].bytesIn, 11);
  } finally {
    await store.close();
  }
});

test('an unknown sensor limit in the configuration fails start with a config error and releases the store', async () => {
  const dataDir = tempDir('node-bad');
  const httpPort = await freePort();
  const config = loadConfig({ env: {}, flags: { dataDir, http: { port: httpPort }, sensor: { limits: { maxConnectionz: 5 } } } });
  await assert.rejects(startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) }), (e: Error & { code?: string }) => e.code === 'VIGIL_ERR_CONFIG' && /maxConnectionz/.test(e.message));
});

test('--http HOST:PORT splits into host and port (IPv6 in brackets); anything else is a config error', async () => {
  const { splitHttpAddress } = await import('../../src/cli/commands/up.js');
  assert.deepEqual(splitHttpAddress('127.0.0.1:8135'), { httpHost: '127.0.0.1', httpPort: '8135' });
  assert.deepEqual(splitHttpAddress('[::1]:9000'), { httpHost: '::1', httpPort: '9000' });
  assert.throws(() => splitHttpAddress('8135'), (e: Error & { code?: string }) => e.code === 'VIGIL_ERR_CONFIG');
});
