import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRng } from '../../src/outbreak/seeded-rng.js';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  return { mean: s / n, variance: s2 / n - (s / n) ** 2 };
}

test('the same seed gives the same sequence and different seeds differ', () => {
  const a = new SeededRng(42), b = new SeededRng(42), c = new SeededRng(43);
  const xs = Array.from({ length: 100 }, () => a.u32());
  assert.deepEqual(Array.from({ length: 100 }, () => b.u32()), xs);
  assert.notDeepEqual(Array.from({ length: 100 }, () => c.u32()), xs);
  assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
});

test('uniform draws fill [0, 1) evenly (chi-square over 16 cells)', () => {
  const r = new SeededRng(7);
  const cells = new Array(16).fill(0);
  const n = 32_000;
  for (let i = 0; i < n; i++) cells[Math.floor(r.next() * 16)]++;
  const chi2 = cells.reduce((acc, c) => acc + (c - n / 16) ** 2 / (n / 16), 0);
  assert.ok(chi2 < 37.7, `chi2 ${chi2} above the 0.1% critical value for 15 degrees of freedom`);
});

// Tolerances: 5 standard errors of the sample mean / variance over 20,000 draws.
test('binomial draws have mean np and variance np(1-p) on the exact and the approximate path', () => {
  const r = new SeededRng(11);
  for (const [n, p] of [[40, 0.1], [10_000, 0.003], [5000, 0.4], [200, 0.9]] as const) {
    const m = moments(() => r.binomial(n, p), 20_000);
    const v = n * p * (1 - p);
    assert.ok(Math.abs(m.mean - n * p) < 5 * Math.sqrt(v / 20_000), `binomial(${n}, ${p}) mean ${m.mean}`);
    assert.ok(Math.abs(m.variance / v - 1) < 0.08, `binomial(${n}, ${p}) variance ${m.variance} vs ${v}`);
  }
  assert.equal(r.binomial(0, 0.5), 0);
  assert.equal(r.binomial(17, 1), 17);
});

test('Poisson and geometric draws have their textbook means', () => {
  const r = new SeededRng(5);
  for (const mean of [0.3, 4, 25, 400]) {
    const m = moments(() => r.poisson(mean), 20_000);
    assert.ok(Math.abs(m.mean - mean) < 5 * Math.sqrt(mean / 20_000), `poisson(${mean}) mean ${m.mean}`);
    assert.ok(Math.abs(m.variance / mean - 1) < 0.08, `poisson(${mean}) variance ${m.variance}`);
  }
  const p = 1 / 256;
  const g = moments(() => r.geometric(p), 20_000);
  assert.ok(Math.abs(g.mean - 1 / p) < 5 * Math.sqrt((1 - p) / p ** 2 / 20_000), `geometric mean ${g.mean}`);
  assert.equal(r.geometric(1), 1);
});
