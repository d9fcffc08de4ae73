import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SurgeDetector } from '../../src/detect/surge-detector.js';
import type { Alert } from '../../src/model/alert.js';
import type { VigilEvent } from '../../src/model/event.js';
import { defaultNoise } from '../../src/outbreak/background-noise.js';
import { evaluateEarlyWarning, wormSightings } from '../../src/outbreak/early-warning.js';
import type { AlarmDetector } from '../../src/outbreak/early-warning.js';
import type { OutbreakConfig } from '../../src/outbreak/outbreak-config.js';
import { CODE_RED_V2 } from '../../src/outbreak/outbreak-presets.js';

/** Alarms once `threshold` distinct sources have been seen since `armedAt` (a yardstick, not a real detector). */
class DistinctSourceAlarm implements AlarmDetector {
  private readonly seen = new Set<string>();
  private fired = false;
  constructor(private readonly threshold: number, private readonly armedAt: number) {}
  push(ev: VigilEvent): Alert[] {
    if (ev.ts < this.armedAt || this.fired) return [];
    this.seen.add(ev.src);
    if (this.seen.size < this.threshold) return [];
    this.fired = true;
    return [{ id: 'x', ts: ev.ts, detector: 'surge', rule: 'test', severity: 'high', title: 't', cves: [], evidence: {}, indicators: [], dedupKey: 'x' }];
  }
  flush(): Alert[] {
    return [];
  }
}

const EPOCH = Date.UTC(2003, 7, 1);
const SMALL_CR: OutbreakConfig = { ...CODE_RED_V2, vulnerable: 50_000, scanRate: (CODE_RED_V2.scanRate * 359_000) / 50_000 };
const NO_NOISE = { ...defaultNoise(80, 'tcp'), sourcesPerSecondPerSlash16: 0, sweepersPerSecondPerSlash16: 0 };

test('fraction at first alarm grows with the alarm threshold, and noise-only streams count their alarms', () => {
  const run = (threshold: number, noise = NO_NOISE) => evaluateEarlyWarning({
    config: SMALL_CR, monitorSpec: '/12', noise, runs: 3, seed: 5, warmupDays: 1, noiseDays: 1, stopFraction: 0.5, epochMs: EPOCH,
    makeDetector: () => new DistinctSourceAlarm(threshold, EPOCH + 86_400_000),
  });
  const low = run(20), high = run(200);
  assert.equal(low.detectedRuns, 3);
  assert.ok(low.fractionAtAlarmMedian < high.fractionAtAlarmMedian, `${low.fractionAtAlarmMedian} < ${high.fractionAtAlarmMedian}`);
  // Each of 3 noise-only runs sees more than 20 background sources in its counted day: 3 alarms.
  const noisy = run(20, defaultNoise(80, 'tcp'));
  assert.equal(noisy.falseAlarms, 3);
  assert.equal(noisy.falseAlarmsPerDay, 1);
  assert.equal(low.falseAlarms, 0, 'no noise, no false alarm');
  // A /12 telescope sees about 1/4096 of the scans: with 20 sources needed, the worm is well past 20 hosts.
  for (const r of low.perRun) assert.ok(r.infectedAtAlarm! >= 20 && r.timeToAlarm_s! > 0);
});

test('a run that never alarms counts as missed (Infinity), not as detected', () => {
  const r = evaluateEarlyWarning({
    config: { ...SMALL_CR, horizon: 600 }, monitorSpec: '/16', noise: NO_NOISE, runs: 2, seed: 1, warmupDays: 0, noiseDays: 0,
    stopFraction: 0.5, epochMs: EPOCH, makeDetector: () => new DistinctSourceAlarm(1e9, 0),
  });
  assert.equal(r.detectedRuns, 0);
  assert.equal(r.fractionAtAlarmMedian, Infinity);
  assert.ok(r.perRun.every((p) => p.detector === null && p.timeToAlarm_s === null));
});

test('Vigil surge/growth detectors raise the alarm on a Code Red-like outbreak early and stay quiet on noise', () => {
  const r = evaluateEarlyWarning({
    config: SMALL_CR, monitorSpec: '4096x/24', noise: defaultNoise(80, 'tcp'), runs: 2, seed: 3, warmupDays: 4, noiseDays: 2,
    stopFraction: 0.2, epochMs: EPOCH,
    makeDetector: () => new SurgeDetector({ ports: [80], limits: { bucketMs: 600_000 } }),
  });
  assert.equal(r.detectedRuns, 2);
  assert.ok(r.fractionAtAlarmP90 < 0.05, `p90 at ${r.fractionAtAlarmP90}`);
  assert.ok(r.perRun.every((p) => p.detector === 'surge' || p.detector === 'growth'));
  assert.deepEqual(Object.keys(r.byDetector).sort(), ['growth', 'surge']);
  const earliest = Math.min(r.byDetector.surge.median, r.byDetector.growth.median);
  assert.ok(r.fractionAtAlarmMedian <= earliest, 'the first alarm of either detector is the alarm');
  assert.ok(r.falseAlarms <= 1, `${r.falseAlarms} false alarms in ${r.noiseDays} noise days`);
});

test('wormSightings: the floor under any detector is when the worm\'s k-th source reached the monitor', () => {
  const opts = { config: SMALL_CR, monitorSpec: '/12', runs: 2, seed: 5, stopFraction: 0.5 };
  const floor = wormSightings(opts, [1, 5, 20]);
  for (const [a, b, c] of floor) assert.ok(a! > 0 && a! <= b! && b! <= c!, `${a} ${b} ${c}`);
  // a yardstick alarming at the 5th distinct source (no noise, armed when the worm starts) fires exactly there
  const r = evaluateEarlyWarning({
    ...opts, noise: NO_NOISE, warmupDays: 1, noiseDays: 0, epochMs: EPOCH, makeDetector: () => new DistinctSourceAlarm(5, EPOCH + 86_400_000),
  });
  assert.deepEqual(r.perRun.map((p) => p.fractionAtAlarm), floor.map((f) => f[1]));
});
