// The bounded queue between sensor and sink: order, batching, fair shedding of detail under load,
// drop-oldest only when a stalled sink has filled the room, and a failing sink that never wedges the queue.

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

test('a stalled sink: records and evidence fill twice the capacity, then the oldest drops, counted', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const seen: number[] = [];
  const dropped: [number, string][] = [];
  const q = new OutputQueue({ write: async (b) => { await gate; seen.push(...b.map(tsOf)); } }, 3, 1, silentLogger, { onDrop: (o, _c, why) => dropped.push([tsOf(o), why]) });
  q.push(ev(0));
  await new Promise((r) => setImmediate(r)); // item 0 is now being written (stalled)
  for (let i = 1; i <= 8; i++) q.push(ev(i), i % 2 ? 'record' : 'evidence');
  assert.equal(q.depth, 6);
  assert.deepEqual(dropped, [[1, 'full'], [2, 'full']]);
  // Detail is refused once the queue holds its capacity: it never evicts anything.
  assert.equal(q.push(ev(99), 'detail', '10.0.0.9'), false);
  assert.deepEqual(dropped.at(-1), [99, 'shed']);
  release();
  await q.flush();
  assert.deepEqual(seen, [0, 3, 4, 5, 6, 7, 8]);
  assert.equal(q.snapshot().dropped, 3);
  assert.equal(q.snapshot().shed, 1);
});

test('under pressure the heaviest source loses its detail first; others and records still enter', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const seen: SensorOutput[] = [];
  const q = new OutputQueue({ write: async (b) => { await gate; seen.push(...b); } }, 100, 1000, silentLogger);
  q.push(ev(0));
  await new Promise((r) => setImmediate(r));
  const flood = (n: number): SensorOutput => ({ kind: 'event', event: { type: 'anomaly', ts: n, source: 'sensor', src: '10.6.6.6', dst: '10.0.0.2', proto: 'tcp', dport: 135, anomaly: { name: 'second_bind', proto: 'dcerpc' } } });
  let admitted = 0;
  for (let i = 0; i < 10_000; i++) if (q.push(flood(i), 'detail', '10.6.6.6')) admitted++;
  // alone, the flooder may take the detail half and its share of the rest, never the capacity
  assert.ok(admitted < 100, `flooder admitted ${admitted}`);
  // an honest source still gets its conn events in, and its session record always
  const honest: SensorOutput = { kind: 'event', event: { type: 'conn', ts: 1, source: 'sensor', src: '10.1.1.1', dst: '10.0.0.2', proto: 'tcp', dport: 135, outcome: 'failure' } };
  assert.equal(q.push(honest, 'detail', '10.1.1.1'), true);
  for (let i = 0; i < 100; i++) assert.equal(q.push(ev(1000 + i), 'record'), true);
  release();
  await q.flush();
  assert.ok(seen.includes(honest));
  assert.equal(seen.filter((o) => tsOf(o) >= 1000).length, 100);
  assert.equal(q.snapshot().dropped, q.snapshot().shed, 'nothing but the flooder\'s detail was lost');
  assert.equal(q.snapshot().shed, 10_000 - admitted);
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
