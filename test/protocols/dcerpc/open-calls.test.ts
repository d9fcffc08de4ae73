// OpenCalls behaves as the Map it replaces: the same answers to a seeded random sequence of
// get/set/delete/oldest/snapshot, below and beyond the size where it moves to a Map.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenCalls } from '../../../src/protocols/dcerpc/open-calls.js';
import { mulberry32 } from '../../helpers/prng.js';

test('OpenCalls answers as a Map does, in insertion order, small and large', () => {
  for (const keySpace of [3, 12, 40, 3000]) {
    const rand = mulberry32(keySpace);
    const calls = new OpenCalls<{ key: number; v: string }>();
    const map = new Map<number, { key: number; v: string }>();
    for (let step = 0; step < 5000; step++) {
      // call keys are 2 * call_id + direction: doubles above 2^31 too
      const key = Math.floor(rand() * keySpace) * (keySpace === 3000 ? 2 ** 22 : 1);
      const op = rand();
      if (op < 0.4) {
        const entry = { key, v: `v${step}` };
        calls.set(entry);
        map.set(key, entry);
      } else if (op < 0.7) {
        calls.delete(key);
        map.delete(key);
      } else assert.equal(calls.get(key), map.get(key));
      assert.equal(calls.size, map.size);
      assert.equal(calls.oldest(), map.values().next().value);
    }
    assert.deepEqual(calls.snapshot(), [...map.values()]);
  }
});

test('OpenCalls snapshot is a copy: finishing every call while walking it visits each once', () => {
  const calls = new OpenCalls<{ key: number }>();
  for (let k = 0; k < 20; k++) calls.set({ key: k });
  const seen: number[] = [];
  for (const v of calls.snapshot()) {
    seen.push(v.key);
    calls.delete(v.key);
  }
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i));
  assert.equal(calls.size, 0);
  assert.equal(calls.oldest(), undefined);
});
