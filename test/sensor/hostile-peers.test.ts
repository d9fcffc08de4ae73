// Hostile peers against the sensor on loopback: thousands of idle connections, frag_length claims
// with nothing behind them, a megabyte of random bytes, a one-source flood. After each, the node
// still answers a well-formed bind, stays under its memory budget, and the limits show up.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startSensor, waitFor, metric, readAll, openClient, type Harness, SINK_PORT } from './sensor-harness.js';
import { RpcTestClient, ctx } from './rpc-client.js';
import type { BindAckPdu } from '../../src/protocols/dcerpc/index.js';

const EPM = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';
const BUDGET_MB = 400;

async function stillServes(h: Harness): Promise<void> {
  const c = await RpcTestClient.connect(h.port(135));
  const ack = (await c.bind([ctx(0, EPM, 3)])) as BindAckPdu;
  assert.equal(ack.type, 'bind_ack');
  assert.equal(ack.results[0].result, 0);
  c.close();
  assert.ok(process.memoryUsage.rss() < BUDGET_MB * 2 ** 20, `rss ${process.memoryUsage.rss()} under ${BUDGET_MB} MiB`);
}

function openMany(port: number, n: number, localAddress?: string): Promise<Socket[]> {
  return Promise.all(
    Array.from({ length: n }, () => new Promise<Socket>((resolve) => {
      const s = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
      s.on('error', () => undefined);
      s.once('connect', () => resolve(s));
      s.once('close', () => resolve(s));
    })),
  );
}

test('2,000 idle connections: all held, a bind is still answered, idle timeout reaps them', async () => {
  // The idle timeout leaves room for a loaded machine to open all 2,000 before any is reaped.
  const h = await startSensor({ limits: { maxConnectionsPerSource: 2500, idleTimeoutMs: 4000, memoryBudgetMb: BUDGET_MB } });
  try {
    const socks = await openMany(h.port(135), 2000);
    await waitFor('2000 open', () => h.sensor.openConnections >= 2000, 10_000);
    await stillServes(h);
    await waitFor('all reaped', () => h.sensor.openConnections === 0, 15_000);
    for (const s of socks) s.destroy();
    assert.ok(await metric(h.registry, 'vigil_sensor_limits_triggered_total', { limit: 'idle_timeout' }) >= 2000);
    await waitFor('sessions recorded', () => h.sink.sessions.filter((s) => s.closeReason === 'idle_timeout').length >= 2000, 5000);
  } finally {
    await h.stop();
  }
});

test('frag_length 65535 claims with nothing behind: bounded buffering, bind still answered, idle timeout', async () => {
  const h = await startSensor({ limits: { idleTimeoutMs: 500, memoryBudgetMb: BUDGET_MB } });
  try {
    // A request header claiming 65535 bytes, then silence.
    const header = Buffer.from('05000003100000000000ffff00000000', 'hex');
    header.writeUInt16LE(65535, 8);
    const socks = await openMany(h.port(135), 50);
    for (const s of socks) s.write(header);
    await stillServes(h);
    await waitFor('claims reaped', () => h.sink.sessions.filter((s) => s.closeReason === 'idle_timeout').length === 50, 5000);
    const one = h.sink.sessions.find((s) => s.closeReason === 'idle_timeout')!;
    assert.equal(one.bytesIn, 16);
    assert.deepEqual(one.limitsHit, ['idle_timeout']);
    // A claim above the configured DCE/RPC maximum is refused at once with the bind_nak.
    const h2 = await startSensor({ dcerpcLimits: { maxFragLength: 5840 } });
    try {
      const s = await openClient(h2.port(135));
      s.write(header);
      const r = await readAll(s);
      assert.equal(r.data.length, 24);
      const sess = await waitFor('session', () => h2.sink.sessions[0]);
      assert.ok(sess.anomalies.some((a) => a.name === 'frag_length_exceeds_limit'));
      assert.ok(sess.limitsHit.includes('dcerpc_frag_length_exceeds_limit'));
      assert.equal(await metric(h2.registry, 'vigil_sensor_limits_triggered_total', { limit: 'dcerpc_frag_length_exceeds_limit' }), 1);
    } finally {
      await h2.stop();
    }
  } finally {
    await h.stop();
  }
});

test('1 MB of random bytes: 135 answers a bind_nak and closes, 445 drops it as not SMB; a silent port counts it all, keeps the cap', async () => {
  const h = await startSensor({ limits: { maxRecordedBytes: 65_536, memoryBudgetMb: BUDGET_MB } });
  try {
    const junk = randomBytes(1 << 20);
    junk[0] = 0xaa; // not rpc_vers 5, whatever the random draw
    const s = await openClient(h.port(135));
    s.on('error', () => undefined);
    s.write(junk);
    const r = await readAll(s);
    assert.equal(r.closed, true);
    assert.equal(r.data.length, 24);
    const s3 = await openClient(h.port(445));
    s3.on('error', () => undefined);
    s3.write(junk);
    assert.equal((await readAll(s3)).closed, true);
    const smb = await waitFor('445 session', () => h.sink.sessions.find((x) => x.dport === 445));
    assert.ok(smb.anomalies.some((a) => a.proto === 'smb'), 'flagged as not SMB');
    const s2 = await openClient(h.port(SINK_PORT));
    s2.end(junk);
    await readAll(s2);
    const sink = await waitFor('sink session', () => h.sink.sessions.find((x) => x.dport === SINK_PORT));
    assert.equal(sink.bytesIn, 1 << 20);
    assert.ok(sink.limitsHit.includes('max_recorded_bytes'));
    const rpc = await waitFor('135 session', () => h.sink.sessions.find((x) => x.dport === 135));
    assert.ok(rpc.anomalies.some((a) => a.name === 'bad_version'));
    await stillServes(h);
  } finally {
    await h.stop();
  }
});

test('a one-source flood is capped per source; another source is still served', async () => {
  const h = await startSensor({ limits: { maxConnectionsPerSource: 50, memoryBudgetMb: BUDGET_MB } });
  try {
    const socks = await openMany(h.port(135), 400);
    let rejected = 0;
    for (let i = 0; i < 100 && rejected < 350; i++) {
      rejected = await metric(h.registry, 'vigil_sensor_connections_rejected_total', { port: '135', limit: 'max_connections_per_source' });
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(rejected, 350);
    assert.equal(h.sensor.openConnections, 50);
    // 127.0.0.2 is another loopback source address on Linux.
    const c = await new Promise<RpcTestClient>((resolve, reject) => {
      const s = connect({ port: h.port(135), host: '127.0.0.1', localAddress: '127.0.0.2' });
      s.once('error', reject);
      s.once('connect', () => resolve(RpcTestClient.wrap(s)));
    });
    const ack = (await c.bind([ctx(0, EPM, 3)])) as BindAckPdu;
    assert.equal(ack.results[0].result, 0);
    c.close();
    const refused = await waitFor('refused sessions', () => h.sink.sessions.find((s) => s.limitsHit.includes('max_connections_per_source')));
    assert.equal(refused.closeReason, 'limit');
    assert.equal(refused.src, '127.0.0.1');
    for (const s of socks) s.destroy();
  } finally {
    await h.stop();
  }
});
