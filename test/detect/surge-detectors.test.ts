// Known-answer tests for CUSUM, the Kalman growth estimator (Zou et al. 2003) and the surge
// detector on synthetic telescope series with known change points and growth rates.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cusum } from '../../src/detect/cusum.js';
import { GrowthEstimator } from '../../src/detect/growth-estimator.js';
import { logFactorial, poissonTailSignificance } from '../../src/detect/poisson-tail.js';
import { SeasonalBaseline, median, robustFigures } from '../../src/detect/seasonal-baseline.js';
import { SurgeDetector, vulnerabilityPortsOf, type SurgeOptions } from '../../src/detect/surge-detector.js';
import type { Alert } from '../../src/model/alert.js';
import type { ConnEvent } from '../../src/model/event.js';
import { ManualClock } from '../../src/core/clock.js';
import { mulberry32 } from '../helpers/prng.js';

const rng = mulberry32;
const gauss = (r: () => number): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

test('robust figures: median and MAD-based sigma ignore an outlier', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  const f = robustFigures([10, 11, 9, 10, 1000], 0.01);
  assert.equal(f.median, 10);
  assert.ok(Math.abs(f.sigma - 1.4826) < 1e-9);
});

test('CUSUM: no alarm before a known change point, alarm within a few steps after it', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const r = rng(seed);
    const c = new Cusum();
    let first = -1;
    for (let t = 0; t < 200; t++) {
      const z = gauss(r) + (t >= 150 ? 2 : 0);
      if (c.update(z) && first < 0) first = t;
    }
    assert.ok(first >= 150 && first <= 150 + 10, `seed ${seed}: first alarm at ${first}`);
  }
});

test('CUSUM: a single 1-sigma bump does not alarm, a 6-sigma jump does at once', () => {
  const c = new Cusum();
  assert.equal(c.update(1), false);
  assert.equal(c.update(0), false);
  assert.equal(c.update(6), true);
  assert.equal(c.value, 0);
});

test('growth estimator recovers known growth rates (doubling time within 10%)', () => {
  for (const [alpha, seed] of [[0.1, 7], [0.25, 8], [0.5, 9]] as const) {
    const r = rng(seed);
    const g = new GrowthEstimator();
    let state = g.state();
    for (let t = 0; t < 30; t++) {
      const count = Math.round(20 * (1 + alpha) ** t * (1 + 0.03 * gauss(r)));
      state = g.update(count);
    }
    const truth = Math.LN2 / Math.log1p(alpha);
    assert.ok(Math.abs(state.doublingSteps - truth) / truth < 0.1, `alpha ${alpha}: doubling ${state.doublingSteps} vs ${truth}`);
    assert.equal(state.confirmed, true);
  }
});

test('growth estimator does not confirm background noise or a one-off step', () => {
  const r = rng(11);
  const g = new GrowthEstimator();
  let confirmedEver = false;
  for (let t = 0; t < 200; t++) {
    const level = t < 100 ? 50 : 120; // a step, not a growth
    confirmedEver ||= g.update(Math.max(0, Math.round(level + 7 * gauss(r)))).confirmed;
  }
  assert.equal(confirmedEver, false);
});

test('seasonal baseline uses the same hour of day once it has history', () => {
  const b = new SeasonalBaseline({ bucketMs: 3_600_000 });
  for (let h = 0; h < 24 * 4; h++) b.add(h * 3_600_000, h % 24 === 3 ? 5 : 1);
  assert.equal(b.figures(3 * 3_600_000 + 5 * 86_400_000)?.median, 5);
  assert.equal(b.figures(4 * 3_600_000)?.median, 1);
  assert.equal(b.figures(3 * 3_600_000)?.seasonal, true);
});

const HOUR = 3_600_000;
const T0 = Date.UTC(2003, 6, 1);

/** Hourly telescope traffic to port 135: daily cycle of sources, plus `extra(hour)` more. */
function telescope(hours: number, extra: (h: number) => number, seed = 42): ConnEvent[] {
  const r = rng(seed);
  const out: ConnEvent[] = [];
  for (let h = 0; h < hours; h++) {
    const daily = 20 + 10 * Math.sin((2 * Math.PI * (h % 24)) / 24);
    const n = Math.max(1, Math.round(daily * (1 + 0.1 * gauss(r)))) + extra(h);
    for (let i = 0; i < n; i++) {
      out.push({ type: 'conn', ts: T0 + h * HOUR + Math.floor((i * HOUR) / (n + 1)), source: 'sim', src: `10.${h % 250}.${i >> 8}.${i & 255}`, dst: '192.0.2.1', proto: 'tcp', dport: 135, outcome: 'failure' });
    }
  }
  return out;
}

function run(d: SurgeDetector, evs: ConnEvent[], endTs: number): Alert[] {
  const out: Alert[] = [];
  for (const e of evs) out.push(...d.push(e));
  out.push(...d.flush(endTs));
  return out;
}

test('surge detector: quiet on two weeks of seasonal background, alarms in the bucket a surge starts', () => {
  const change = 14 * 24 + 5;
  const quiet = run(new SurgeDetector(), telescope(change, () => 0), T0 + change * HOUR);
  assert.deepEqual(quiet.filter((a) => a.rule === 'surge_unique_sources'), []);
  const d = new SurgeDetector({ vulnerabilityPorts: new Map([['CVE-2003-0352', [135]]]) });
  const alerts = run(d, telescope(change + 6, (h) => (h >= change ? 150 : 0)), T0 + (change + 6) * HOUR);
  const surge = alerts.filter((a) => a.rule === 'surge_unique_sources');
  assert.deepEqual(surge.map((a) => a.dedupKey).sort(), ['surge:port:135', 'surge:vuln:CVE-2003-0352']);
  for (const a of surge) {
    assert.equal(a.ts, T0 + (change + 1) * HOUR, 'raised when the first surging bucket closes');
    assert.ok((a.evidence['currentSources'] as number) >= 150);
    assert.ok((a.evidence['baselineSources'] as number) < 40);
  }
  assert.deepEqual(surge.find((a) => a.dedupKey.includes('vuln'))?.cves, ['CVE-2003-0352']);
});

test('surge detector: exponential growth is confirmed as worm-like spread with its doubling time', () => {
  const start = 3 * 24;
  const alpha = 0.3;
  const evs = telescope(start + 16, (h) => (h >= start ? Math.round(5 * (1 + alpha) ** (h - start)) : 0));
  const alerts = run(new SurgeDetector(), evs, T0 + (start + 16) * HOUR);
  const worm = alerts.filter((a) => a.rule === 'worm_like_spread');
  assert.equal(worm.length, 1);
  assert.equal(worm[0]!.severity, 'critical');
  const rate = worm[0]!.evidence['growthRatePerBucket'] as number;
  assert.ok(rate > 0.1 && rate < 0.5, `rate ${rate}`);
  assert.ok(worm[0]!.ts > T0 + start * HOUR);
});

test('surge detector: the injected clock closes buckets on a live node; replay equals live', () => {
  const evs = telescope(30, (h) => (h >= 26 ? 80 : 0));
  const clock = new ManualClock(T0);
  const live = new SurgeDetector({ clock, limits: { bucketMs: HOUR } });
  const liveAlerts: Alert[] = [];
  for (const e of evs) {
    clock.set(e.ts);
    liveAlerts.push(...live.push(e), ...live.flush());
  }
  clock.set(T0 + 30 * HOUR);
  liveAlerts.push(...live.flush());
  const replay = run(new SurgeDetector(), evs, T0 + 30 * HOUR);
  assert.deepEqual(liveAlerts, replay);
  assert.ok(replay.some((a) => a.rule === 'surge_unique_sources'));
});

test('surge detector: followed keys are bounded', () => {
  const d = new SurgeDetector({ limits: { maxKeys: 2 } });
  for (const p of [1, 2, 3, 4]) d.push({ type: 'conn', ts: T0, source: 'sim', src: 'a', dst: 'b', proto: 'tcp', dport: p, outcome: 'failure' });
  assert.equal(d.ignored, 2);
});

test('vulnerability ports from knowledge-base records', () => {
  const m = vulnerabilityPortsOf([{ id: 'CVE-2003-0352', ports: [135, 135, 139, 445, 593] }, { id: 'CVE-2099-0001' }, { id: 'CVE-2003-0528', ports: [] }]);
  assert.deepEqual([...m], [['CVE-2003-0352', [135, 139, 445, 593]]]);
});

test('Poisson upper tail: known answers, and finite where the probability underflows', () => {
  const near = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);
  near(poissonTailSignificance(3, 1), -Math.log10(1 - Math.exp(-1) * 2.5), 1e-9, 'P(X>=3 | 1) = 0.0803');
  near(poissonTailSignificance(10, 1), -Math.log10(1.11425478399596e-7), 1e-6, 'P(X>=10 | 1)');
  near(poissonTailSignificance(40, 20), -Math.log10(5.3202025112e-5), 1e-6, 'P(X>=40 | 20)');
  near(logFactorial(30), 74.65823634883016, 1e-9, 'ln 30!');
  assert.equal(poissonTailSignificance(5, 20), 0);
  const big = poissonTailSignificance(3000, 2);
  assert.ok(Number.isFinite(big) && big > 6000, `3000 against 2: ${big}`);
});

/** n distinct sources on port 135 inside the hour starting at `hour` (after T0), spread over `spanMs`. */
function burst(hour: number, n: number, spanMs = HOUR - 1000, prefix = '10.9'): ConnEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'conn' as const, ts: T0 + hour * HOUR + Math.floor((i * spanMs) / n), source: 'sim' as const,
    src: `${prefix}.${i >> 8}.${i & 255}`, dst: '192.0.2.1', proto: 'tcp' as const, dport: 135, outcome: 'failure' as const,
  }));
}

test('surge detector: a handful of sources against a quiet baseline is not a surge (floor and Poisson tail, issue 12 item 4)', () => {
  // A week of one source a day on 135 (the corpus-replay case: a quiet port), then 3 sources in one hour.
  const evs = [...Array.from({ length: 7 }, (_, d) => burst(d * 24, 1)).flat(), ...burst(7 * 24 + 3, 3)];
  const alerts = run(new SurgeDetector(), evs, T0 + 8 * 24 * HOUR);
  assert.deepEqual(alerts.filter((a) => a.detector === 'surge'), [], 'before: "3 sources against a baseline of 0.0" was a high alert');
});

test('surge detector: severity follows the Poisson significance and the source floor', () => {
  // Baseline 20 sources an hour for three days, then `hours` hours of n sources (CUSUM sums them).
  const base = Array.from({ length: 72 }, (_, h) => burst(h, 20, HOUR - 1000, `10.${h % 250}`)).flat();
  const sev = (n: number, hours: number, limits: SurgeOptions['limits'] = {}): string | undefined => {
    const evs = [...base, ...Array.from({ length: hours }, (_, j) => burst(72 + j, n, HOUR - 1000, `172.${j}`)).flat()];
    return run(new SurgeDetector({ limits }), evs, T0 + (73 + hours) * HOUR).find((a) => a.rule === 'surge_unique_sources')?.severity;
  };
  assert.equal(sev(30, 8), undefined, 'p ~ 0.02 at a rate of 20: not significant');
  assert.equal(sev(40, 6), 'low', 'p ~ 1e-4: past the alarm level (1e-3), below medium (1e-6)');
  assert.equal(sev(80, 1), 'medium', 'p ~ 1e-23 but fewer than 100 sources');
  assert.equal(sev(300, 1), 'high', 'p far below 1e-12 and 300 >= 100 sources');
  assert.equal(sev(80, 1, { highMinSources: 50 }), 'high', 'the floor of high is a limit');
  assert.equal(sev(40, 6, { alarmSignificance: 5 }), undefined, 'and so is the alarm level');
});

test('surge detector: cold start catches a flood before any baseline, the moment it reaches coldStartSources', () => {
  const evs = burst(0, 3000, 5 * 60_000);
  const alerts = run(new SurgeDetector(), evs, T0 + HOUR);
  assert.equal(alerts.length, 1, 'before: nothing, the detector waited six buckets for a baseline');
  const a = alerts[0]!;
  assert.equal(a.rule, 'surge_cold_start');
  assert.equal(a.severity, 'high');
  assert.equal(a.evidence['currentSources'], 1000);
  assert.equal(a.ts, evs[999]!.ts, 'raised mid-bucket at the 1000th distinct source');
  // Configurable: a lower cold-start level fires earlier; once warm, the rule no longer applies.
  const early = run(new SurgeDetector({ limits: { coldStartSources: 200 } }), evs, T0 + HOUR);
  assert.equal(early[0]?.ts, evs[199]!.ts);
  const warmed = [...Array.from({ length: 8 }, (_, h) => burst(h, 20, HOUR - 1000, `10.${h}`)).flat(), ...burst(8, 3000, 5 * 60_000, '172.16')];
  const later = run(new SurgeDetector(), warmed, T0 + 9 * HOUR);
  assert.deepEqual(later.map((a) => a.rule), ['surge_unique_sources']);
  assert.equal(later[0]!.severity, 'high');
});
