import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { logisticInfected, logisticRate } from '../../src/outbreak/epidemic-models.js';
import type { OutbreakConfig } from '../../src/outbreak/outbreak-config.js';
import { CODE_RED_II_MIX } from '../../src/outbreak/outbreak-config.js';
import { CODE_RED_V2, exposedFromFindings, SLAMMER, TODAY_ASSUMED_POPULATION, todayPreset, WITTY } from '../../src/outbreak/outbreak-presets.js';
import { runOutbreak } from '../../src/outbreak/outbreak-run.js';
import { OutbreakSimulator } from '../../src/outbreak/outbreak-simulator.js';
import { meanSeries, summarize } from '../../src/outbreak/outbreak-summary.js';
import { permute, unpermute } from '../../src/outbreak/sweep-scan-engine.js';
import { sortedUnique } from '../../src/outbreak/address-layout.js';
import { SeededRng } from '../../src/outbreak/seeded-rng.js';

/** A small uniform-scanning population whose logistic K is 1 per minute. */
const SMALL: OutbreakConfig = {
  name: 'small', vulnerable: 2000, layout: { kind: 'uniform' }, strategy: { kind: 'uniform' },
  scanRate: 2 ** 32 / 2000 / 60, port: 80, proto: 'tcp', initialInfected: 20, horizon: 900, dt: 1,
};

test('simulator mean of 20 seeded runs follows the logistic closed form within 3% of N', () => {
  const runs = Array.from({ length: 20 }, (_, i) => runOutbreak(SMALL, 100 + i));
  const mean = meanSeries(runs);
  const k = logisticRate(SMALL.scanRate, 2000);
  let worst = 0;
  for (let i = 0; i < mean.time_s.length; i += 10) {
    worst = Math.max(worst, Math.abs(mean.everInfected[i] - logisticInfected(mean.time_s[i], 2000, 20, k)) / 2000);
  }
  assert.ok(worst < 0.03, `largest gap ${(worst * 100).toFixed(2)}% of N`);
});

test('aggregated per-block engine agrees with the exact scan-by-scan simulation (mean of 100 runs within 3% of N)', () => {
  const r = new SeededRng(1);
  // 120 hosts in one /20; 90% of scans stay inside the scanner's own /20 (a local-preference mix).
  const addrs = sortedUnique(Array.from({ length: 120 }, () => ((20 << 24) | (5 << 16) | r.int(4096)) >>> 0));
  const c: OutbreakConfig = { ...SMALL, vulnerable: addrs, initialInfected: 10, scanRate: 1, horizon: 600, dt: 5,
    strategy: { kind: 'local-preference', mix: [{ prefix: 0, weight: 0.1 }, { prefix: 20, weight: 0.9 }] } };
  // Two independent means: with 10 seeds the run-to-run spread is about 10% of N mid-outbreak, so the
  // standard error of the difference is about 1.4% of N; 3% is two of them.
  const exact = Array.from({ length: 100 }, (_, i) => runOutbreak(c, i + 1));
  const aggregated = Array.from({ length: 100 }, (_, i) => runOutbreak({ ...c, method: 'aggregated' }, i + 1));
  assert.equal(exact[0].method, 'exact-per-scan', 'auto picks exact for a small run');
  assert.equal(aggregated[0].method, 'aggregated-per-block-binomial');
  const a = meanSeries(exact), b = meanSeries(aggregated);
  let worst = 0;
  for (let i = 0; i < a.time_s.length; i++) worst = Math.max(worst, Math.abs(a.everInfected[i] - b.everInfected[i]) / addrs.length);
  assert.ok(worst < 0.03, `largest gap ${(worst * 100).toFixed(2)}% of N`);
  assert.ok(a.everInfected[a.everInfected.length - 1] > 0.9 * addrs.length, 'the outbreak ran its course');
});

test('same seed, same result for every scanning strategy; another seed differs', () => {
  const strategies: OutbreakConfig['strategy'][] = [
    { kind: 'uniform' }, { kind: 'local-preference', mix: CODE_RED_II_MIX }, { kind: 'hit-list', hitList: 50 },
    { kind: 'sequential', localFraction: 0.4, localBackoff: 20 }, { kind: 'permutation' },
  ];
  for (const strategy of strategies) {
    const c: OutbreakConfig = { ...SMALL, strategy, vulnerable: 3000, horizon: 600, dt: 5,
      scanRate: strategy.kind === 'sequential' ? 2e5 : SMALL.scanRate, layout: { kind: 'clustered', slash16Blocks: 30, slash24PerSlash16: 8, zipf: 1 } };
    const a = runOutbreak(c, 9), b = runOutbreak(c, 9), d = runOutbreak(c, 10);
    assert.deepEqual(a.series, b.series, strategy.kind);
    assert.notDeepEqual(a.series.everInfected, d.series.everInfected, strategy.kind);
    assert.ok(a.series.everInfected[a.series.everInfected.length - 1] > 20, `${strategy.kind} spreads`);
  }
});

test('Code Red v2 preset: early growth K between 1.1 and 1.8 per hour, peak above 2,000 new hosts per minute', () => {
  const s = summarize(runOutbreak(CODE_RED_V2, 1));
  assert.ok(s.initialGrowthPerHour! >= 1.1 && s.initialGrowthPerHour! <= 1.8, `K = ${s.initialGrowthPerHour}`);
  assert.ok(s.peakNewPerMinute > 2000, `peak ${s.peakNewPerMinute}/min`);
  assert.ok(s.timeTo90pct_s! < 14 * 3600, 'more than 359,000 hosts... in under 14 hours (Moore et al.)');
});

test('Slammer preset: doubling 10 +/- 1.5 s without the cap, 90% in 10 +/- 3 min with it', () => {
  const free = summarize(runOutbreak({ ...SLAMMER, bandwidthCap: undefined }, 3));
  assert.ok(Math.abs(free.doublingTime_s! - 10) <= 1.5, `doubling ${free.doublingTime_s} s`);
  const capped = summarize(runOutbreak(SLAMMER, 3));
  assert.ok(Math.abs(capped.timeTo90pct_s! / 60 - 10) <= 3, `90% at ${capped.timeTo90pct_s! / 60} min`);
  assert.ok(free.timeTo90pct_s! < capped.timeTo90pct_s! / 2, 'the cap is what slows the late phase');
});

test('Witty preset: the hit list is infected within seconds, most of 12,000 hosts within about 45 minutes', () => {
  const r = runOutbreak(WITTY, 2);
  const at10s = r.series.everInfected[r.series.time_s.findIndex((t) => t >= 10)];
  assert.ok(at10s >= 110, `${at10s} infected after 10 s`);
  const s = summarize(r);
  assert.ok(s.timeTo90pct_s! > 30 * 60 && s.timeTo90pct_s! < 60 * 60, `90% at ${s.timeTo90pct_s! / 60} min`);
});

test('perimeter filtering: infected fraction at 24 h rises monotonically with the reaction time', () => {
  const base: OutbreakConfig = { ...CODE_RED_V2, vulnerable: 20_000, scanRate: (CODE_RED_V2.scanRate * 359_000) / 20_000 };
  const finals = [1, 2, 3, 4, 6].map((h) => {
    const c = { ...base, filtering: { fraction: 0.9, reactionTime: h * 3600 } };
    return [1, 2, 3].reduce((acc, seed) => acc + runOutbreak(c, seed).series.everInfected.at(-1)! / 20_000, 0) / 3;
  });
  for (let i = 1; i < finals.length; i++) assert.ok(finals[i] > finals[i - 1], `fractions ${finals.join(', ')}`);
  assert.ok(finals[0] < 0.5 && finals[finals.length - 1] > 0.95, `fractions ${finals.join(', ')}`);
});

test('patching and removal lower the final size and are accounted for host by host', () => {
  const c: OutbreakConfig = { ...SMALL, horizon: 1800, patching: { rate: 1 / 600, start: 120 }, removal: { rate: 1 / 300, start: 0 } };
  const r = runOutbreak(c, 4);
  const last = r.series.time_s.length - 1;
  const { susceptible, infected, patched, removed } = r.series;
  for (let i = 0; i <= last; i += 50) {
    // Infected hosts that were patched count once, as patched; nobody is lost or double counted.
    assert.equal(susceptible[i] + infected[i] + patched[i] + removed[i], 2000);
  }
  assert.ok(patched[last] > 0 && removed[last] > 0);
  assert.ok(r.series.everInfected[last] < runOutbreak(SMALL, 4).series.everInfected.at(-1)!);
});

test('bandwidth cap limits the aggregate scan rate', () => {
  const sim = new OutbreakSimulator({ ...SMALL, bandwidthCap: 1000, initialInfected: 50 }, 1);
  assert.equal(sim.currentScanRate(), 20);
  const free = new OutbreakSimulator({ ...SMALL, initialInfected: 50 }, 1);
  assert.equal(free.currentScanRate(), SMALL.scanRate);
});

test('local preference spreads faster than uniform scanning in a clustered population', () => {
  const clustered: OutbreakConfig = { ...SMALL, vulnerable: 5000, initialInfected: 5, horizon: 3600, dt: 10, scanRate: 50,
    layout: { kind: 'clustered', slash16Blocks: 20, slash24PerSlash16: 16, zipf: 0.5 } };
  const local = summarize(runOutbreak({ ...clustered, strategy: { kind: 'local-preference', mix: CODE_RED_II_MIX } }, 3));
  const uniform = summarize(runOutbreak(clustered, 3));
  assert.ok(local.finalEverInfected > 10 * uniform.finalEverInfected, `${local.finalEverInfected} vs ${uniform.finalEverInfected}`);
});

test('sequential scanning sweeps upward: a lone sweeper infects exactly the vulnerable hosts it passes', () => {
  const c: OutbreakConfig = { ...SMALL, vulnerable: Uint32Array.from([0x0a000010, 0x0a000020, 0x0a000030, 0x0a000100, 0x0b000000]),
    strategy: { kind: 'sequential', localFraction: 1, localBackoff: 20 }, initialInfected: 1, scanRate: 16, horizon: 20, dt: 1 };
  // Whichever host is the seed, its sweep starts at its own A.B.C.0 (C <= 20: no back-off) and
  // moves 16 addresses a second; hosts more than 20*16 = 320 addresses above are out of reach.
  for (let seed = 1; seed <= 5; seed++) {
    const sim = new OutbreakSimulator(c, seed);
    while (!sim.done) sim.advance();
    const seedHost = sim.pool.infectedAt.findIndex((t) => t === 0);
    const start = (sim.pool.addrs[seedHost] & 0xffffff00) >>> 0;
    for (let h = 0; h < 5; h++) {
      const a = sim.pool.addrs[h];
      const reached = h === seedHost || (a >= start && a < start + 320);
      assert.equal(!Number.isNaN(sim.pool.infectedAt[h]), reached, `seed ${seed}, host ${a.toString(16)}`);
    }
  }
});

test('the permutation order is a bijection of the 32-bit space', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (a, key) => {
    return unpermute(permute(a, key), key) === a;
  }));
  const seen = new Set(Array.from({ length: 5000 }, (_, i) => permute(i, 99)));
  assert.equal(seen.size, 5000);
});

test('configuration errors are coded and say what is wrong', () => {
  assert.throws(() => new OutbreakSimulator({ ...SMALL, scanRate: 0 }, 1), { code: 'VIGIL_ERR_CONFIG', message: /scan rate/ });
  assert.throws(() => new OutbreakSimulator({ ...SMALL, vulnerable: 0 }, 1), { code: 'VIGIL_ERR_CONFIG' });
  assert.throws(() => new OutbreakSimulator({ ...SMALL, strategy: { kind: 'local-preference', mix: [{ prefix: 0, weight: 0.5 }] } }, 1), { code: 'VIGIL_ERR_CONFIG' });
});

test('"today" takes the exposed population from Vigil exposure findings, and says when it had to assume one', () => {
  const asset = (id: string, address: string) => ({ id, addresses: [address] });
  const finding = (assetId: string, status: 'open' | 'fixed' | 'risk-accepted', vulnId = 'CVE-2003-0352') =>
    ({ id: `f-${assetId}-${vulnId}`, assetId, vulnId, status, firstSeen: 0 });
  const assets = [asset('a', '198.51.100.7'), asset('b', '198.51.100.3'), asset('c', '2001:db8::1'), asset('d', '203.0.113.5'), asset('e', '192.0.2.1')];
  const findings = [finding('a', 'open'), finding('b', 'risk-accepted'), finding('c', 'open'), finding('d', 'fixed'), finding('e', 'open', 'CVE-2003-0528')];
  const exposed = exposedFromFindings(assets, findings, 'CVE-2003-0352');
  assert.deepEqual(Array.from(exposed), [0xc6336403, 0xc6336407]);
  const today = todayPreset(exposed);
  assert.equal(today.name, 'today');
  assert.equal(today.port, 135);
  assert.equal(new OutbreakSimulator({ ...today, initialInfected: 1, horizon: 60 }, 1).pool.n, 2);
  assert.equal(todayPreset().name, 'today-assumed-population');
  assert.equal(todayPreset(new Uint32Array(0)).vulnerable, TODAY_ASSUMED_POPULATION);
});
