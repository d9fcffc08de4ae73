// Per-prefix fairness of connection slots and the byte-rate floor: a full sensor still admits a
// peer from another network, and a slowloris peer cannot hold a slot by trickling bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startSensor, waitFor, metric, readAll, SINK_PORT } from './sensor-harness.js';
import { SlotShares, slotPrefix } from '../../src/sensor/slot-shares.js';
import { RpcTestClient, ctx } from './rpc-client.js';

function openFrom(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

test('slot prefixes: IPv4 /24, IPv6 /48', () => {
  assert.equal(slotPrefix('192.0.2.77'), '192.0.2');
  assert.equal(slotPrefix('2001:db8:1:2::5'), '2001:db8:1::/48');
  assert.equal(slotPrefix('2001:0db8:0001:ffff::1'), '2001:db8:1::/48');
});

test('SlotShares finds the heaviest group as members come and go', () => {
  const t = new SlotShares<number>();
  for (let i = 0; i < 5; i++) t.add('a', i);
  for (let i = 10; i < 13; i++) t.add('b', i);
  assert.equal(t.heaviestCount, 5);
  assert.deepEqual([...t.heaviest()], [0, 1, 2, 3, 4]);
  for (let i = 0; i < 3; i++) t.remove('a', i);
  assert.equal(t.heaviestCount, 3);
  t.remove('a', 3);
  t.remove('a', 4);
  assert.equal(t.heaviestCount, 3);
  assert.deepEqual([...t.heaviest()], [10, 11, 12]);
  t.remove('b', 99); // not a member: nothing changes
  assert.equal(t.count('b'), 3);
  for (const i of [10, 11, 12]) t.remove('b', i);
  assert.equal(t.heaviestCount, 0);
});

test('a full sensor admits a peer from another /24 by closing the quietest slot of the heaviest one', async () => {
  const h = await startSensor({ limits: { maxConnections: 20, maxConnectionsPerSource: 100, idleTimeoutMs: 60_000 } });
  const socks: Socket[] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const s = await openFrom(h.port(445), `127.0.0.${2 + (i % 5)}`);
      s.on('error', () => {});
      socks.push(s);
    }
    await waitFor('full', () => h.sensor.openConnections === 20);
    // another peer of the same /24 is refused: its prefix already holds the most
    const same = await openFrom(h.port(445), '127.0.0.9').catch(() => undefined);
    same?.on('error', () => {});
    if (same) assert.equal((await readAll(same, 2000)).closed, true);
    assert.equal(await metric(h.registry, 'vigil_sensor_connections_rejected_total', { port: '445', limit: 'max_connections' }), 1);
    // a peer of another /24 gets in, and the first (quietest) flooder's slot is what it takes
    const honest = await openFrom(h.port(445), '127.1.0.2');
    await waitFor('evicted', () => h.sink.sessions.find((s) => s.limitsHit.includes('max_connections') && s.closeReason === 'limit'));
    await waitFor('honest open', () => h.sensor.openConnections === 20);
    honest.write('still here');
    honest.end();
    const rec = await waitFor('honest recorded', () => h.sink.sessions.find((s) => s.src === '127.1.0.2'));
    assert.equal(rec.bytesIn, 10);
    assert.equal(rec.closeReason, 'peer_closed');
  } finally {
    for (const s of socks) s.destroy();
    await h.stop();
  }
});

test('byte-rate floor: a peer trickling a PDU is closed; a peer idle after a whole bind is not', async () => {
  const h = await startSensor({ limits: { minBytesPerSecond: 16, rateWindowMs: 500, idleTimeoutMs: 60_000 } });
  try {
    const quiet = await RpcTestClient.connect(h.port(135));
    await quiet.bind([ctx(0, 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', 3)]);
    const slow = await openFrom(h.port(135), '127.0.0.3');
    slow.on('error', () => {});
    const done = readAll(slow, 8000);
    // a request header claiming 1,000 bytes, then one byte every 100 ms (10 bytes/s)
    const header = Buffer.from('0500000310000000e803000001000000', 'hex');
    slow.write(header.subarray(0, 16));
    const drip = setInterval(() => slow.write(Buffer.from([0x41])), 100);
    const r = await done;
    clearInterval(drip);
    assert.equal(r.closed, true);
    const rec = await waitFor('slow recorded', () => h.sink.sessions.find((s) => s.src === '127.0.0.3'));
    assert.equal(rec.closeReason, 'limit');
    assert.deepEqual(rec.limitsHit, ['min_byte_rate']);
    assert.equal(h.sensor.openConnections, 1, 'the quiet, well-formed client is still connected');
    quiet.close();
  } finally {
    await h.stop();
  }
});

test('source byte budget: a flooding source is paused, its bytes still all decoded, and another source is answered at once', async () => {
  const h = await startSensor({ limits: { maxBytesPerSecondPerSource: 64 * 1024 } });
  try {
    const flood = await openFrom(h.port(SINK_PORT), '127.0.0.5');
    flood.on('error', () => {});
    const t0 = performance.now();
    flood.write(Buffer.alloc(256 * 1024, 0x41));
    // the budget (64 KiB/s, one second of burst) lets ~64 KiB through, then pauses the socket
    await waitFor('paused', () => h.sensor.openConnections === 1 && performance.now() - t0 > 200);
    const other = await RpcTestClient.connect(h.port(135));
    const t1 = performance.now();
    await other.bind([ctx(0, 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', 3)]);
    assert.ok(performance.now() - t1 < 1000, 'another source is answered while the flooder waits');
    other.close();
    flood.end();
    const rec = await waitFor('flood recorded', () => h.sink.sessions.find((s) => s.src === '127.0.0.5'), 10_000);
    assert.equal(rec.bytesIn, 256 * 1024, 'paused, not dropped: every byte arrives');
    assert.ok(rec.limitsHit.includes('source_byte_rate'));
    assert.ok(performance.now() - t0 > 2000, 'it took the budget to get through');
  } finally {
    await h.stop();
  }
});
