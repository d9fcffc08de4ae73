import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aawpModel, integrateRk4, logisticInfected, logisticRate, logisticTimeTo, sirModel, twoFactorModel, ZOU_CODE_RED,
} from '../../src/outbreak/epidemic-models.js';

test('the logistic closed form solves dI/dt = K I (1 - I/N) (RK4 agrees to 1e-6 relative)', () => {
  const n = 359_000, i0 = 10, k = logisticRate(358 / 60, n);
  assert.ok(Math.abs(k * 3600 - 1.79) < 0.01, `Code Red K = ${k * 3600}/h`);
  integrateRk4((_t, y, d) => { d[0] = k * y[0] * (1 - y[0] / n); }, [i0], 0, 86_400, 60, (t, y) => {
    const exact = logisticInfected(t, n, i0, k);
    assert.ok(Math.abs(y[0] - exact) / exact < 1e-6, `t=${t}: ${y[0]} vs ${exact}`);
  });
  const t50 = logisticTimeTo(0.5, n, i0, k);
  assert.ok(Math.abs(logisticInfected(t50, n, i0, k) - n / 2) < 1e-6 * n);
});

test('SIR conserves hosts and ends at the Kermack-McKendrick final size', () => {
  const n = 10_000, beta = 0.5, gamma = 0.2;
  const pts = sirModel({ n, i0: 1, beta, gamma, horizon: 400, dt: 0.05 });
  for (const p of pts) assert.ok(Math.abs(p.susceptible + p.infected + p.removed - n) < 1e-6 * n);
  const last = pts[pts.length - 1];
  // Final size z = 1 - S_inf/N solves z = 1 - exp(-R0 z), R0 = beta/gamma = 2.5: z = 0.8926.
  const z = last.removed / n;
  assert.ok(Math.abs(z - (1 - Math.exp(-2.5 * z))) < 1e-3, `z=${z}`);
  assert.ok(Math.abs(z - 0.8926) < 2e-3);
});

test('two-factor model: without patching, removal and congestion it is the logistic; with them it peaks lower', () => {
  const n = 1000, k = 0.3;
  const plain = twoFactorModel({ n, i0: 1, beta0: k / n, eta: 0, gamma: 0, mu: 0, horizon: 60, dt: 0.01 });
  for (const p of plain.filter((_, i) => i % 500 === 0)) {
    assert.ok(Math.abs(p.infected - logisticInfected(p.t, n, 1, k)) < 1e-6 * n, `t=${p.t}`);
  }
  const zou = twoFactorModel(ZOU_CODE_RED);
  const peak = Math.max(...zou.map((p) => p.infected));
  assert.ok(peak < 0.6 * ZOU_CODE_RED.n, `peak ${peak}: patching and removal keep it well below N`);
  const last = zou[zou.length - 1];
  assert.ok(last.infected < peak / 2, 'the number of infected hosts declines after the peak (paper fig. 6)');
  assert.ok(last.patched > 0 && last.removed > 0);
});

test('AAWP without death or patching tracks the logistic with K = s N / 2^32 per tick', () => {
  const n = 100_000, s = 2000;
  const pts = aawpModel({ n, hitList: 10, scansPerTick: s, death: 0, patch: 0, ticks: 400 });
  const k = (s * n) / 2 ** 32;
  const t50 = pts.findIndex((p) => p.infected >= n / 2);
  const expected = logisticTimeTo(0.5, n, 10, Math.log1p(k));
  assert.ok(Math.abs(t50 - expected) <= 3, `AAWP reaches 50% at tick ${t50}, logistic with per-tick growth at ${expected}`);
  const withDeath = aawpModel({ n, hitList: 10, scansPerTick: s, death: 0.01, patch: 0.005, ticks: 400 });
  assert.ok(withDeath[400].infected < pts[400].infected);
});
