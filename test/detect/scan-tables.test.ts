// The hand-written tables under the scan detectors behave like the Map/Set they replace, under
// random operation sequences (fast-check) that force collisions, growth, removals and reuse.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AddrSlotTable } from '../../src/detect/addr-slot-table.js';
import { OwnerMapTable } from '../../src/detect/owner-map-table.js';
import { OwnerSetTable } from '../../src/detect/owner-set-table.js';
import { TrwDetector } from '../../src/detect/scan-trw-detector.js';
import type { ConnEvent } from '../../src/model/event.js';

// Few owners and a mix of small and extreme keys: collisions, the free-cell marker (-2^31) and -1.
const owner = fc.integer({ min: 0, max: 40 });
const key = fc.oneof(fc.integer({ min: -3, max: 60 }), fc.constantFrom(-0x80000000, 0x7fffffff), fc.integer({ min: -0x80000000, max: 0x7fffffff }));
const RUNS = { numRuns: 60 };

test('OwnerSetTable matches a Set per owner, the free-cell marker value included', () => {
  const op = fc.oneof(
    fc.record({ t: fc.constant('add' as const), o: owner, k: key }),
    fc.record({ t: fc.constant('drop' as const), o: owner }),
  );
  fc.assert(
    fc.property(fc.array(op, { minLength: 300, maxLength: 3000, size: 'max' }), (ops) => {
      const t = new OwnerSetTable();
      const model = new Map<number, Set<number>>();
      for (const o of ops) {
        if (o.t === 'add') {
          const set = model.get(o.o) ?? new Set();
          model.set(o.o, set);
          assert.equal(t.has(o.o, o.k), set.has(o.k));
          if (!set.has(o.k)) t.add(o.o, o.k);
          set.add(o.k);
        } else {
          t.drop(o.o);
          model.delete(o.o);
        }
      }
      for (let o = 0; o <= 40; o++) {
        const set = model.get(o) ?? new Set<number>();
        for (const k of set) assert.ok(t.has(o, k), `owner ${o} lost ${k}`);
        for (const k of [-0x80000000, -1, 0, 1, 59]) assert.equal(t.has(o, k), set.has(k));
      }
    }),
    RUNS,
  );
});

test('OwnerMapTable matches a Map per owner through adds, region growth and owner drops, the free-cell marker key included', () => {
  const op = fc.oneof(
    fc.record({ t: fc.constant('add' as const), o: owner, k: key, v: fc.nat() }),
    fc.record({ t: fc.constant('drop' as const), o: owner }),
  );
  fc.assert(
    fc.property(fc.array(op, { minLength: 300, maxLength: 3000, size: 'max' }), (ops) => {
      const t = new OwnerMapTable();
      const model = new Map<number, Map<number, number>>();
      let size = 0;
      for (const o of ops) {
        const map = model.get(o.o) ?? new Map<number, number>();
        if (o.t === 'add') {
          model.set(o.o, map);
          assert.equal(t.get(o.o, o.k), map.get(o.k) ?? -1);
          if (!map.has(o.k)) {
            t.add(o.o, o.k, o.v);
            map.set(o.k, o.v);
            size++;
          }
        } else {
          const values: number[] = [];
          t.forEachValue(o.o, (v) => values.push(v));
          assert.deepEqual(values.sort((a, b) => a - b), [...map.values()].sort((a, b) => a - b));
          assert.equal(t.dropOwner(o.o), map.size);
          size -= map.size;
          model.delete(o.o);
        }
        assert.equal(t.size, size);
      }
      for (let o = 0; o <= 40; o++) {
        const map = model.get(o) ?? new Map<number, number>();
        for (const [k, v] of map) assert.equal(t.get(o, k), v, `owner ${o} key ${k}`);
        for (const k of [-0x80000000, -1, 0, 1, 59]) assert.equal(t.get(o, k), map.get(k) ?? -1);
      }
    }),
    RUNS,
  );
});

test('AddrSlotTable keeps lookups exact through removals (backward shift) and keeps recency order', () => {
  const addr = fc.oneof(fc.integer({ min: -2, max: 80 }), fc.constantFrom('2001:db8::1', 'fe80::1', 'host'));
  const op = fc.oneof(
    fc.record({ t: fc.constant('put' as const), a: addr }),
    fc.record({ t: fc.constant('touch' as const), a: addr }),
    fc.record({ t: fc.constant('evict' as const) }),
  );
  const MAX = 24;
  fc.assert(
    fc.property(fc.array(op, { minLength: 300, maxLength: 2000, size: 'max' }), (ops) => {
      const t = new AddrSlotTable(MAX); // a 64-cell index at most 3/8 full: probe runs collide often
      const order: (number | string)[] = []; // oldest first
      for (const o of ops) {
        if (o.t === 'evict') {
          const s = t.oldest();
          assert.equal(s >= 0 ? t.keyOf(s) : undefined, order[0]);
          if (s >= 0) t.remove(s);
          order.shift();
        } else if (order.includes(o.a)) {
          if (o.t === 'touch') {
            t.touch(t.find(o.a));
            order.splice(order.indexOf(o.a), 1);
            order.push(o.a);
          }
        } else if (o.t === 'put') {
          assert.equal(t.find(o.a), -1);
          if (order.length === MAX) t.remove(t.find(order.shift()!));
          t.insert(o.a);
          order.push(o.a);
        }
        assert.equal(t.size, order.length);
      }
      const walked: (number | string)[] = [];
      for (let s = t.oldest(); s >= 0; s = t.younger(s)) walked.push(t.keyOf(s));
      assert.deepEqual(walked, order);
      for (const a of order) assert.equal(t.keyOf(t.find(a)), a);
    }),
    RUNS,
  );
});

test('TRW first contacts: 128.0.0.0 (the table\'s free-cell value) and IPv6 destinations count once each', () => {
  const d = new TrwDetector();
  const conn = (ts: number, dst: string): ConnEvent => ({ type: 'conn', ts, source: 'zeek', src: '2001:db8::66', dst, proto: 'tcp', dport: 135, outcome: 'failure' });
  for (let i = 0; i < 5; i++) assert.deepEqual(d.push(conn(i, '128.0.0.0')), []);
  for (let i = 0; i < 5; i++) assert.deepEqual(d.push(conn(10 + i, '2001:db8::1')), []);
  d.push(conn(20, '10.0.0.1'));
  assert.equal(d.decision('2001:db8::66'), 'pending'); // three first contacts so far
  const [a] = d.push(conn(21, '2001:db8::2'));
  assert.equal(a?.src, '2001:db8::66');
  assert.equal(a?.evidence['distinctDestinations'], 4);
  assert.equal(a?.indicators[0]?.type, 'ipv6-addr');
});

test('AddrSlotTable: more touches between reads than it holds back still leave slots ordered by their last touch', () => {
  const t = new AddrSlotTable(100);
  const order: number[] = [];
  for (let a = 0; a < 50; a++) {
    t.insert(a);
    order.push(a);
  }
  let x = 7;
  for (let i = 0; i < 200_000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const a = x % 50;
    t.touch(t.find(a));
    order.splice(order.indexOf(a), 1);
    order.push(a);
  }
  const walked: number[] = [];
  for (let s = t.oldest(); s >= 0; s = t.younger(s)) walked.push(t.keyOf(s) as number);
  assert.deepEqual(walked, order);
});
