// The sensor's Prometheus counters and gauges as a scrape reads them: per-port tallies folded in at
// each scrape must add up exactly (no count lost or doubled across scrapes), gauges read live.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSensor, openClient, readAll, waitFor, metric } from './sensor-harness.js';

test('accepted connections, received bytes and recorded sessions per port, across several scrapes', async () => {
  const h = await startSensor();
  try {
    const send = async (base: number, text: string): Promise<void> => {
      const c = await openClient(h.port(base));
      c.end(text);
      await readAll(c);
    };
    await send(445, 'abc');
    await send(445, 'defgh');
    await waitFor('2 sessions', () => h.sink.sessions.length === 2);
    await waitFor('acknowledged', () => h.sensor.queueStats().written >= 4);
    assert.equal(await metric(h.registry, 'vigil_sensor_connections_accepted_total', { port: '445' }), 2);
    assert.equal(await metric(h.registry, 'vigil_sensor_received_bytes_total', { port: '445' }), 8);
    assert.equal(await metric(h.registry, 'vigil_sensor_sessions_recorded_total', { port: '445' }), 2);
    // A second scrape with nothing new changes nothing; new traffic adds to what was there.
    assert.equal(await metric(h.registry, 'vigil_sensor_connections_accepted_total', { port: '445' }), 2);
    await send(445, 'ij');
    await send(4444, 'dir\r\n');
    await waitFor('4 sessions', () => h.sink.sessions.length === 4);
    await waitFor('acknowledged', () => h.sensor.queueStats().written >= 8);
    assert.equal(await metric(h.registry, 'vigil_sensor_connections_accepted_total', { port: '445' }), 3);
    assert.equal(await metric(h.registry, 'vigil_sensor_received_bytes_total', { port: '445' }), 10);
    assert.equal(await metric(h.registry, 'vigil_sensor_sessions_recorded_total', { port: '445' }), 3);
    assert.equal(await metric(h.registry, 'vigil_sensor_connections_accepted_total', { port: '4444' }), 1);
    assert.equal(await metric(h.registry, 'vigil_sensor_received_bytes_total', { port: '4444' }), 5);
    assert.equal(await metric(h.registry, 'vigil_sensor_sessions_recorded_total', { port: '4444' }), 1);
  } finally {
    await h.stop();
  }
});

test('the open-connections gauge follows connections as they open and close', async () => {
  const h = await startSensor();
  try {
    const a = await openClient(h.port(445));
    const b = await openClient(h.port(445));
    await waitFor('2 open', () => h.sensor.openConnections === 2);
    assert.equal(await metric(h.registry, 'vigil_sensor_open_connections'), 2);
    a.end();
    await readAll(a);
    await waitFor('1 open', () => h.sensor.openConnections === 1);
    assert.equal(await metric(h.registry, 'vigil_sensor_open_connections'), 1);
    b.end();
    await readAll(b);
    await waitFor('0 open', () => h.sensor.openConnections === 0);
    assert.equal(await metric(h.registry, 'vigil_sensor_open_connections'), 0);
  } finally {
    await h.stop();
  }
});
