// Every sensor limit triggered on loopback: the connection is refused or closed as documented, the
// limit shows in the session record and in the Prometheus metrics.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSensor, openClient, readAll, waitFor, metric, connectRefused, SINK_PORT } from './sensor-harness.js';
import { resolveSensorLimits, SENSOR_LIMITS } from '../../src/sensor/sensor-limits.js';
import { isAppError } from '../../src/core/errors.js';
import { Registry } from 'prom-client';
import { Sensor, sweepPeriodMs } from '../../src/sensor/sensor.js';

test('limits resolve from the table and reject unknown names and out-of-range values', () => {
  assert.equal(resolveSensorLimits().maxConnectionsPerSource, SENSOR_LIMITS.maxConnectionsPerSource.default);
  assert.equal(resolveSensorLimits({ idleTimeoutMs: 500 }).idleTimeoutMs, 500);
  assert.throws(() => resolveSensorLimits({ idleTimeoutMs: 1 }), (e) => isAppError(e, 'VIGIL_ERR_CONFIG') && /sensor\.limits\.idleTimeoutMs/.test(e.message));
  assert.throws(() => resolveSensorLimits({ nope: 1 } as never), (e) => isAppError(e, 'VIGIL_ERR_CONFIG') && /unknown limit/.test(e.message));
});

test('max_connections_per_source refuses the extra connection and records it', async () => {
  const h = await startSensor({ limits: { maxConnectionsPerSource: 2 } });
  try {
    const a = await openClient(h.port(445));
    const b = await openClient(h.port(445));
    await waitFor('two open', () => h.sensor.openConnections === 2);
    assert.equal(await connectRefused(h.port(445)), true, 'third connection is reset by the sensor');
    const refused = await waitFor('refused session', () => h.sink.sessions.find((s) => s.closeReason === 'limit'));
    assert.deepEqual(refused.limitsHit, ['max_connections_per_source']);
    assert.equal(await metric(h.registry, 'vigil_sensor_connections_rejected_total', { port: '445', limit: 'max_connections_per_source' }), 1);
    assert.equal(await metric(h.registry, 'vigil_sensor_limits_triggered_total', { limit: 'max_connections_per_source' }), 1);
    a.destroy();
    b.destroy();
    // Slots are released: a new connection from the same source is accepted again.
    await waitFor('slots released', () => h.sensor.openConnections === 0);
    const d = await openClient(h.port(445));
    await waitFor('accepted again', () => h.sensor.openConnections === 1);
    d.destroy();
  } finally {
    await h.stop();
  }
});

test('max_connections refuses past the total', async () => {
  const h = await startSensor({ limits: { maxConnections: 1 } });
  try {
    const a = await openClient(h.port(4444));
    await waitFor('one open', () => h.sensor.openConnections === 1);
    assert.equal(await connectRefused(h.port(445)), true);
    assert.equal(await metric(h.registry, 'vigil_sensor_connections_rejected_total', { port: '445', limit: 'max_connections' }), 1);
    a.destroy();
  } finally {
    await h.stop();
  }
});

test('idle_timeout closes a silent connection', async () => {
  const h = await startSensor({ limits: { idleTimeoutMs: 200 } });
  try {
    const idle = await openClient(h.port(445));
    assert.equal((await readAll(idle, 3000)).closed, true);
    const s1 = await waitFor('idle session', () => h.sink.sessions.find((s) => s.closeReason === 'idle_timeout'));
    assert.deepEqual(s1.limitsHit, ['idle_timeout']);
    assert.equal(await metric(h.registry, 'vigil_sensor_limits_triggered_total', { limit: 'idle_timeout' }), 1);
  } finally {
    await h.stop();
  }
});

test('session_timeout closes a trickling (slowloris) connection that never goes idle', async () => {
  // The idle timeout is far longer than the tick, so only the total timeout can end this one.
  const h = await startSensor({ limits: { idleTimeoutMs: 5000, sessionTimeoutMs: 600 } });
  try {
    const slow = await openClient(h.port(SINK_PORT));
    const tick = setInterval(() => slow.write('A'), 100);
    const r = await readAll(slow, 4000);
    clearInterval(tick);
    assert.equal(r.closed, true);
    const s2 = await waitFor('total timeout session', () => h.sink.sessions.find((s) => s.closeReason === 'total_timeout'));
    assert.ok(s2.bytesIn >= 1, 'bytes before the timeout were counted');
    assert.deepEqual(s2.limitsHit, ['session_timeout']);
    assert.equal(await metric(h.registry, 'vigil_sensor_limits_triggered_total', { limit: 'session_timeout' }), 1);
  } finally {
    await h.stop();
  }
});

test('bytes past max_recorded_bytes are counted but not kept; past max_session_bytes the connection closes', async () => {
  const h = await startSensor({ limits: { maxRecordedBytes: 1000, maxSessionBytes: 50_000, maxFirstBytes: 8 } });
  try {
    const c = await openClient(h.port(445));
    c.write(Buffer.alloc(20_000, 0x41));
    c.end();
    const s = await waitFor('capped session', () => h.sink.sessions.find((x) => x.closeReason === 'peer_closed'));
    assert.equal(s.bytesIn, 20_000);
    assert.equal(s.firstBytesHex, '41'.repeat(8));
    assert.deepEqual(s.limitsHit, ['max_recorded_bytes']);
    const out = h.sink.items.find((i) => i.kind === 'session' && i.session.id === s.id);
    assert.equal(out?.kind === 'session' ? out.payload?.length : -1, 1000);

    const big = await openClient(h.port(445));
    big.write(Buffer.alloc(60_000, 0x42));
    assert.equal((await readAll(big, 3000)).closed, true);
    const s2 = await waitFor('byte cap session', () => h.sink.sessions.find((x) => x.closeReason === 'byte_cap'));
    assert.ok(s2.bytesIn > 50_000);
    assert.ok(s2.limitsHit.includes('max_session_bytes'));
  } finally {
    await h.stop();
  }
});

test('memory_budget: the peer holding the most is closed, others keep going, and admission recovers at once', async () => {
  // 16 MiB budget; one peer on the silent port makes the sensor keep 16 MiB of payload sample.
  const h = await startSensor({ limits: { memoryBudgetMb: 16, maxRecordedBytes: 16 * 2 ** 20, maxSessionBytes: 64 * 2 ** 20, idleTimeoutMs: 60_000, maxBytesPerSecondPerSource: 0 } });
  try {
    const small = await openClient(h.port(SINK_PORT));
    small.write('hello');
    const hog = await openClient(h.port(SINK_PORT));
    hog.on('error', () => {});
    const closed = readAll(hog, 10_000);
    hog.write(Buffer.alloc(16 * 2 ** 20, 0x41));
    assert.equal((await closed).closed, true, 'the hog is closed');
    const rec = await waitFor('hog recorded', () => h.sink.sessions.find((x) => x.limitsHit.includes('memory_budget')));
    assert.equal(rec.closeReason, 'limit');
    // the small peer was not touched, and a new peer is admitted as soon as the hog has gone
    assert.equal(h.sensor.openConnections, 1);
    await waitFor('under budget', () => h.sensor.heldBytes() < 16 * 2 ** 20);
    await new Promise((r) => setTimeout(r, 300));
    const next = await openClient(h.port(445));
    await waitFor('admitted', () => h.sensor.openConnections === 2);
    next.destroy();
    small.destroy();
    assert.ok(await metric(h.registry, 'vigil_sensor_limits_triggered_total', { limit: 'memory_budget' }) >= 1);
  } finally {
    await h.stop();
  }
});

test('stop() closes open connections with reason shutdown and flushes them to the sink', async () => {
  const h = await startSensor();
  const c = await openClient(h.port(445));
  c.on('error', () => {});
  await waitFor('open', () => h.sensor.openConnections === 1);
  await h.stop();
  const s = h.sink.sessions.find((x) => x.closeReason === 'shutdown');
  assert.ok(s, 'the open session was recorded on shutdown');
  assert.equal(h.sink.events.filter((e) => e.type === 'conn').length, 1);
});

test('a stalled sink: every session keeps its room, conn events past the capacity are shed, /metrics counts them', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const written: string[] = [];
  const registry = new Registry();
  const sensor = new Sensor({
    hosts: ['127.0.0.1'], ports: [445], ephemeralPorts: true, registry,
    limits: { queueCapacity: 4, queueBatchSize: 1, queueLingerMs: 0 },
    sink: { write: async (b) => { await gate; for (const o of b) written.push(o.kind); } },
  });
  await sensor.start();
  try {
    for (let i = 0; i < 5; i++) {
      const c = await openClient(sensor.portFor(445)!);
      c.end('x');
      await readAll(c);
    }
    // 5 connections = 5 conn events (detail) + 5 sessions (record); the first conn event is in the
    // stalled write, the next two fit under the capacity of 4, the last two are shed.
    await waitFor('all sessions queued', () => sensor.queueStats().depth === 7);
    assert.equal(sensor.queueStats().dropped, 2);
    assert.equal(sensor.queueStats().shed, 2);
    assert.equal(await metric(registry, 'vigil_sensor_queue_depth'), 7);
    assert.equal(await metric(registry, 'vigil_sensor_queue_dropped_total', { kind: 'event', reason: 'shed' }), 2);
    assert.equal(await metric(registry, 'vigil_sensor_queue_dropped_total', { kind: 'session', reason: 'shed' }), 0);
    release();
    await waitFor('drained', () => sensor.queueStats().depth === 0);
    assert.equal(written.filter((k) => k === 'session').length, 5, 'every session delivered');
    assert.equal(written.length, 8);
  } finally {
    release();
    await sensor.stop();
  }
});

test('timeouts are checked by one sweep: a tenth of the shorter timeout, 10 ms to 1 s', () => {
  const period = (idleTimeoutMs: number, sessionTimeoutMs: number): number => sweepPeriodMs(resolveSensorLimits({ idleTimeoutMs, sessionTimeoutMs }));
  assert.equal(period(30_000, 300_000), 1000);
  assert.equal(period(200, 300_000), 20);
  assert.equal(period(5000, 600), 60);
  assert.equal(period(100, 100), 10);
});

test('idle_timeout never fires early, and traffic keeps a connection open past it', async () => {
  const h = await startSensor({ limits: { idleTimeoutMs: 400 } });
  try {
    const busy = await openClient(h.port(SINK_PORT));
    const tick = setInterval(() => busy.write('A'), 100);
    const t0 = Date.now();
    const idle = await openClient(h.port(SINK_PORT));
    assert.equal((await readAll(idle, 3000)).closed, true);
    const took = Date.now() - t0;
    // Not early; the upper bound is loose (a loaded machine schedules late), the sweep adds <= 40 ms.
    assert.ok(took >= 390 && took < 3000, `closed after ${took} ms`);
    assert.equal(busy.destroyed, false, 'the connection with traffic every 100 ms is still open');
    clearInterval(tick);
    busy.destroy();
  } finally {
    await h.stop();
  }
});
