// The bounded queue between sensor and sink: order, batching, drop-oldest under a stalled sink,
// low-priority items never evicting, and a failing sink that never wedges the queue.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputQueue } from '../../src/sensor/output-queue.js';
import type { SensorOutput } from '../../src/sensor/sensor-types.js';
import { silentLogger } from '../../src/core/logger.js';

const ev = (n: number): SensorOutput => ({ kind: 'event', event: { type: 'conn', ts: n, source: 'sensor', src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', dport: 135, outcome: 'failure' } });
const tsOf = (o: SensorOutput): number => (o.kind === 'event' ? o.event.ts : -1);

test('items reach the sink in order, in batches of at most batchSize', async () => {
  const batches: number[][] = [];
  const q = new OutputQueue({ write: (b) => void batches.push(b.map(tsOf)) }, 100, 4, silentLogger);
  for (let i = 0; i < 10; i++) q.push(ev(i));
  await q.flush();
  assert.deepEqual(batches.flat(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(batches.every((b) => b.length <= 4));
  assert.equal(q.snapshot().written, 10);
});

test('a stalled sink makes the full queue drop its oldest items, counted', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const seen: number[] = [];
  const dropped: number[] = [];
  const q = new OutputQueue({ write: async (b) => { await gate; seen.push(...b.map(tsOf)); } }, 3, 1, silentLogger, { onDrop: (o) => dropped.push(tsOf(o)) });
  q.push(ev(0));
  await new Promise((r) => setImmediate(r)); // item 0 is now being written (stalled)
  for (let i = 1; i <= 6; i++) q.push(ev(i));
  assert.equal(q.depth, 3);
  assert.deepEqual(dropped, [1, 2, 3]);
  // A low-priority item never evicts: it is dropped itself.
  assert.equal(q.push(ev(99), false), false);
  assert.deepEqual(dropped, [1, 2, 3, 99]);
  release();
  await q.flush();
  assert.deepEqual(seen, [0, 4, 5, 6]);
  assert.equal(q.snapshot().dropped, 4);
});

test('a failing sink loses that batch (counted) and the queue keeps draining', async () => {
  let calls = 0;
  const seen: number[] = [];
  const q = new OutputQueue({ write: (b) => { if (calls++ === 0) throw new Error('disk full'); seen.push(...b.map(tsOf)); } }, 10, 1, silentLogger);
  q.push(ev(1));
  q.push(ev(2));
  await q.flush();
  assert.deepEqual(seen, [2]);
  assert.equal(q.snapshot().sinkErrors, 1);
  assert.equal(q.snapshot().dropped, 1);
});
