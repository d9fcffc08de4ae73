// Sensor start failures: a port already in use fails start() with the configuration error that
// names it, and every port bound before it is released again (nothing half-started stays).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { Registry } from 'prom-client';
import { AppError } from '../../src/core/errors.js';
import { Sensor } from '../../src/sensor/sensor.js';
import { CollectingSink } from './sensor-harness.js';

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve((server.address() as { port: number }).port));
  });
}

/** A port that was free a moment ago (bound to 0 by the kernel, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(false);
    });
    c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

test('a busy port fails start with a config error naming it, and the ports bound before it are released', async () => {
  const busy = createServer();
  const busyPort = await listen(busy);
  const first = await freePort();
  const sensor = new Sensor({ hosts: ['127.0.0.1'], ports: [first, busyPort], registry: new Registry(), sink: new CollectingSink() });
  try {
    await assert.rejects(sensor.start(), (e: unknown) => e instanceof AppError && e.code === 'VIGIL_ERR_CONFIG' && e.message.includes(`port ${busyPort}`) && e.message.includes('already in use'));
    assert.equal(await refused(first), true, `port ${first} still accepts after the failed start`);
  } finally {
    await new Promise<void>((r) => busy.close(() => r()));
  }
});
