// The cyclic-group permutation visits every index exactly once for any size, in an order that
// differs between scans, and resumes from its saved state where it stopped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CyclicPermutation, isPrime, mulmod } from '../../src/scan/permutation.js';

function drain(p: CyclicPermutation): number[] {
  const out: number[] = [];
  for (let i = p.next(); i !== undefined; i = p.next()) out.push(i);
  return out;
}

test('every index of 0..n-1 exactly once, for small and large n', () => {
  for (const n of [0, 1, 2, 3, 10, 97, 1000, 65536, 262144]) {
    const seen = new Uint8Array(n);
    const order = drain(CyclicPermutation.create(n));
    assert.equal(order.length, n, `n=${n}`);
    for (const i of order) {
      assert.ok(i >= 0 && i < n && seen[i] === 0, `n=${n}: index ${i} repeated or out of range`);
      seen[i] = 1;
    }
  }
});

test('two scans of the same space take different orders', () => {
  const a = drain(CyclicPermutation.create(4096)).slice(0, 32);
  const b = drain(CyclicPermutation.create(4096)).slice(0, 32);
  assert.notDeepEqual(a, b);
});

test('a permutation restored from its state continues with exactly the indices not yet given', () => {
  const p = CyclicPermutation.create(5000);
  const first = Array.from({ length: 1234 }, () => p.next()!);
  const rest = drain(CyclicPermutation.restore(p.state()));
  assert.deepEqual([...first, ...rest].sort((x, y) => x - y), Array.from({ length: 5000 }, (_, i) => i));
});

test('mulmod is exact up to 2^32 and isPrime agrees with trial division', () => {
  const m = 4294967291; // largest prime below 2^32
  for (const [a, b] of [[m - 1, m - 1], [123456789, 987654321], [65535, 65537]]) {
    assert.equal(mulmod(a, b, m), Number((BigInt(a) * BigInt(b)) % BigInt(m)));
  }
  const trial = (n: number): boolean => n > 1 && Array.from({ length: Math.floor(Math.sqrt(n)) - 1 }, (_, i) => i + 2).every((d) => n % d !== 0);
  for (let n = 0; n < 3000; n++) assert.equal(isPrime(n), trial(n), String(n));
  assert.equal(isPrime(m), true);
  assert.equal(isPrime(4294967297), false); // 641 * 6700417
});

test('a corrupt saved state is refused', () => {
  assert.throws(() => CyclicPermutation.restore({ n: 10, prime: 12, generator: 2, start: 1, current: 1, done: false }));
});
