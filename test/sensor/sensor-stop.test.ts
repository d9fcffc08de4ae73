// Sensor.stop() ends every connection at once, also one still flushing a graceful close: stop waits
// for its listeners to close, which waits for every connection, and the flush bound is 5 s.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startSensor, waitFor } from './sensor-harness.js';

test('stop ends a connection whose graceful close is still waiting on the peer', async () => {
  // Long timeouts: only stop() may end the connection within the test.
  const h = await startSensor({ limits: { idleTimeoutMs: 60_000 } });
  let client: Socket | undefined;
  try {
    // The peer keeps its half open after our FIN (allowHalfOpen): our side waits for its close.
    client = connect({ port: h.port(135), host: '127.0.0.1', allowHalfOpen: true });
    const c = client;
    let ended = false;
    c.on('error', () => {});
    c.on('data', () => {});
    c.on('end', () => (ended = true));
    await new Promise<void>((r) => c.once('connect', () => r()));
    c.write(Buffer.alloc(16, 0xaa)); // not DCE/RPC: the 135 responder answers a bind_nak and ends gracefully
    await waitFor('the sensor FIN', () => ended);
    assert.equal(h.sensor.openConnections, 1, 'the half-closed connection is still open');
    const t0 = performance.now();
    await h.sensor.stop();
    const took = performance.now() - t0;
    assert.ok(took < 2000, `stop took ${Math.round(took)} ms`);
    assert.equal(h.sensor.openConnections, 0, 'stop left a connection open');
    assert.equal(h.sink.sessions.length, 1, 'its session was recorded before the queue was flushed');
  } finally {
    client?.destroy();
    await h.stop();
  }
});
