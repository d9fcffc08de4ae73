import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnEvent } from '../../src/model/event.js';
import { parseIpv4 } from '../../src/outbreak/address-layout.js';
import { BackgroundNoise, defaultNoise } from '../../src/outbreak/background-noise.js';
import {
  monitoredAddress, monitoredBelow, monitoredIn, nextMonitored, parseMonitorSpec,
} from '../../src/outbreak/monitor-spec.js';
import type { OutbreakConfig } from '../../src/outbreak/outbreak-config.js';
import { BLASTER } from '../../src/outbreak/outbreak-presets.js';
import { OutbreakSimulator } from '../../src/outbreak/outbreak-simulator.js';
import { SeededRng } from '../../src/outbreak/seeded-rng.js';
import { telescopeStream } from '../../src/outbreak/telescope-stream.js';
import { firstSeenTimes, TelescopeView } from '../../src/outbreak/telescope-view.js';

const LONE_SCANNER: OutbreakConfig = {
  name: 'lone', vulnerable: Uint32Array.from([parseIpv4('192.0.2.1')]), layout: { kind: 'uniform' }, strategy: { kind: 'uniform' },
  scanRate: 6, port: 135, proto: 'tcp', initialInfected: 1, horizon: 60, dt: 1,
};

test('a 6 scans/s uniform scanner hits a /8 within 60 s with probability 1-(1-2^-8)^360 = 0.754', () => {
  const slash8 = parseMonitorSpec('44.0.0.0/8', new SeededRng(0));
  const runs = 3000;
  let seen = 0, streamed = 0;
  for (let i = 0; i < runs; i++) {
    const sim = new OutbreakSimulator(LONE_SCANNER, 1000 + i);
    const view = new TelescopeView(slash8, 1000 + i, { epochMs: 0 });
    let events = 0;
    while (!sim.done) sim.advance((ctx) => view.scansInStep(ctx, () => events++));
    if (firstSeenTimes(sim, slash8)[0] <= 60) seen++;
    if (events > 0) streamed++;
  }
  const p = 1 - (1 - 2 ** -8) ** 360;
  const tolerance = 4 * Math.sqrt((p * (1 - p)) / runs); // 4 Monte-Carlo standard errors = 0.031
  assert.ok(Math.abs(seen / runs - p) < tolerance, `first-seen path: ${seen / runs} vs ${p.toFixed(4)}`);
  assert.ok(Math.abs(streamed / runs - p) < tolerance, `event stream: ${streamed / runs} vs ${p.toFixed(4)}`);
});

test('Blaster: 256 dispersed /24 monitors see more distinct sources than one contiguous /16 of the same size', () => {
  const config: OutbreakConfig = { ...BLASTER, vulnerable: 100_000, horizon: 12 * 3600 };
  let dispersedTotal = 0, contiguousTotal = 0;
  for (const seed of [1, 2, 3]) {
    const sim = new OutbreakSimulator(config, seed);
    while (!sim.done) sim.advance();
    const count = (spec: string) => firstSeenTimes(sim, parseMonitorSpec(spec, new SeededRng(seed))).filter(Number.isFinite).length;
    const dispersed = count('256x/24'), contiguous = count('/16');
    assert.ok(dispersed > contiguous, `seed ${seed}: dispersed ${dispersed}, contiguous ${contiguous}`);
    dispersedTotal += dispersed;
    contiguousTotal += contiguous;
  }
  assert.ok(dispersedTotal > 2 * contiguousTotal, `${dispersedTotal} vs ${contiguousTotal}`);
});

test('telescope events are sim ConnEvents from infected hosts to monitored addresses inside the step', () => {
  const monitor = parseMonitorSpec('64x/24', new SeededRng(3));
  const config: OutbreakConfig = { ...LONE_SCANNER, vulnerable: 5000, layout: { kind: 'uniform' }, initialInfected: 200, scanRate: 5000, horizon: 30, dt: 5 };
  for (const strategy of [{ kind: 'uniform' }, { kind: 'sequential', localFraction: 0.4, localBackoff: 20 }, { kind: 'permutation' }] as const) {
    const sim = new OutbreakSimulator({ ...config, strategy }, 8);
    const view = new TelescopeView(monitor, 8, { epochMs: 1_000_000 });
    const events: Array<[ConnEvent, number, Set<string>]> = [];
    while (!sim.done) {
      sim.advance((ctx) => {
        const infected = new Set(Array.from(ctx.sim.pool.active.subarray(0, ctx.sim.pool.activeCount), (h) => String(ctx.sim.pool.addrs[h])));
        view.scansInStep(ctx, (e) => events.push([e, ctx.t, infected]));
      });
    }
    assert.ok(events.length > 0, strategy.kind);
    for (const [e, t, infected] of events) {
      assert.equal(e.type, 'conn');
      assert.equal(e.source, 'sim');
      assert.equal(e.dport, 135);
      assert.ok(e.ts >= 1_000_000 + t * 1000 && e.ts <= 1_000_000 + (t + 5) * 1000, `${strategy.kind}: ts ${e.ts} outside its step`);
      assert.equal(monitoredIn(monitor, parseIpv4(e.dst), parseIpv4(e.dst) + 1), 1, `${e.dst} is monitored`);
      assert.ok(infected.has(String(parseIpv4(e.src))), `${e.src} was infected`);
    }
  }
});

test('monitor specs: CIDR blocks, random aligned blocks, and range arithmetic agree with brute force', () => {
  const m = parseMonitorSpec('10.1.2.0/24, 10.1.4.0/23, 192.0.2.7/32', new SeededRng(1));
  assert.equal(m.total, 256 + 512 + 1);
  const lo = parseIpv4('10.1.0.0'), hi = parseIpv4('10.1.8.0');
  let brute = 0;
  for (let a = lo; a < hi; a++) if ((a >= parseIpv4('10.1.2.0') && a < parseIpv4('10.1.3.0')) || (a >= parseIpv4('10.1.4.0') && a < parseIpv4('10.1.6.0'))) brute++;
  assert.equal(monitoredIn(m, lo, hi), brute);
  assert.equal(monitoredAddress(m, 0), parseIpv4('10.1.2.0'));
  assert.equal(monitoredAddress(m, 256), parseIpv4('10.1.4.0'));
  assert.equal(monitoredAddress(m, 768), parseIpv4('192.0.2.7'));
  assert.equal(nextMonitored(m, parseIpv4('10.1.3.9')), parseIpv4('10.1.4.0'));
  assert.equal(nextMonitored(m, parseIpv4('192.0.2.8')), -1);
  assert.equal(monitoredBelow(m, 2 ** 32), m.total);
  const d = parseMonitorSpec('4096x/24', new SeededRng(2));
  assert.equal(d.total, 2 ** 20);
  assert.equal(d.starts.length, 4096);
  for (let i = 1; i < d.starts.length; i++) assert.ok(d.starts[i] >= d.starts[i - 1] + 256);
  assert.deepEqual(parseMonitorSpec('4096x/24', new SeededRng(2)).starts, d.starts, 'placement follows the seed');
  const mixed = parseMonitorSpec('44.0.0.0/8,4096x/24,2x/12', new SeededRng(3));
  assert.equal(mixed.total, 2 ** 24 + 2 ** 20 + 2 ** 21, 'random blocks keep clear of the given /8 and of each other');
  for (const bad of ['', '/0x', '10.0.0.0/8,10.1.0.0/16', '300.1.1.1/8', '0x/24']) {
    assert.throws(() => parseMonitorSpec(bad, new SeededRng(1)), { code: 'VIGIL_ERR_BAD_ARGUMENT' }, bad);
  }
});

test('background noise: Poisson sources scaled to the monitor, busier at the daily peak than at the trough', () => {
  const monitor = parseMonitorSpec('/12', new SeededRng(4));
  // random scanners only here (the sweepers' walks are tested below)
  const spec = { ...defaultNoise(135, 'tcp'), dailyAmplitude: 0.5, peakHourUtc: 12, sweepersPerSecondPerSlash16: 0 };
  const noise = new BackgroundNoise(spec, monitor, 4, Date.UTC(2003, 7, 1));
  const byHour = new Array(24).fill(0);
  const sources = new Set<string>();
  for (let t = 0; t < 7 * 86_400; t += 60) {
    noise.eventsIn(t, 60, (e) => {
      byHour[new Date(e.ts).getUTCHours()]++;
      sources.add(e.src);
      assert.equal(monitoredIn(monitor, parseIpv4(e.dst), parseIpv4(e.dst) + 1), 1);
    });
  }
  const total = byHour.reduce((a, b) => a + b, 0);
  const expected = 7 * 86_400 * spec.sourcesPerSecondPerSlash16 * 16 * spec.probesPerSource;
  assert.ok(Math.abs(total / expected - 1) < 0.05, `${total} events vs about ${expected}`);
  assert.ok(byHour[12] > 2 * byHour[0], `peak ${byHour[12]} vs trough ${byHour[0]}`);
  assert.ok(sources.size < (total / spec.probesPerSource) * 0.9, 'recurring scanners come back');
});

test('telescope stream: per-step batches in time order, worm scans mixed with noise, state before each step', () => {
  const monitor = parseMonitorSpec('/12', new SeededRng(6));
  const config: OutbreakConfig = { ...LONE_SCANNER, vulnerable: 20_000, initialInfected: 50, scanRate: 400, horizon: 1800, dt: 60 };
  const sim = new OutbreakSimulator(config, 6);
  let last = -Infinity, worm = 0, noise = 0, steps = 0, prevInfected = 0;
  for (const b of telescopeStream(sim, monitor, { epochMs: 5e9, noise: { ...defaultNoise(135, 'tcp'), sourcesPerSecondPerSlash16: 0.05 } })) {
    steps++;
    assert.ok(b.everInfected >= prevInfected);
    prevInfected = b.everInfected;
    assert.equal(b.endMs, 5e9 + (b.t + b.dt) * 1000);
    for (const e of b.events) {
      assert.ok(e.ts >= last && e.ts <= b.endMs, 'sorted and inside the step');
      last = e.ts;
    }
    worm += b.worm;
    noise += b.events.length - b.worm;
  }
  assert.equal(steps, 30);
  assert.ok(worm > 0 && noise > 0, `${worm} worm, ${noise} noise events`);
  // Expected noise: 0.05 sources/s per /16 x 16 /16s x 1800 s x about 3 probes = 4,320.
  assert.ok(noise > 3000 && noise < 5500, `${noise} noise events`);
});

test('background noise: sequential sweepers walk a monitored /24 in order, at the configured rate, apart from the random scanners', () => {
  const monitor = parseMonitorSpec('4096x/24', new SeededRng(7));
  const base = { ...defaultNoise(135, 'tcp'), dailyAmplitude: 0 };
  const withSweeps = new BackgroundNoise(base, monitor, 7, Date.UTC(2003, 7, 1));
  const without = new BackgroundNoise({ ...base, sweepersPerSecondPerSlash16: 0 }, monitor, 7, Date.UTC(2003, 7, 1));
  const bySource = new Map<string, number[]>();
  const random: string[] = [];
  const mixed: Array<[string, string]> = [];
  for (let t = 0; t < 4 * 86_400; t += 60) {
    without.eventsIn(t, 60, (e) => random.push(`${e.ts} ${e.src} ${e.dst}`));
    withSweeps.eventsIn(t, 60, (e) => {
      const list = bySource.get(e.src) ?? [];
      list.push(parseIpv4(e.dst));
      bySource.set(e.src, list);
      mixed.push([e.src, `${e.ts} ${e.src} ${e.dst}`]);
    });
  }
  const walkers = new Set([...bySource].filter(([, d]) => d.length >= 2 && d.every((x, i) => i === 0 || x === d[i - 1] + 1)).map(([s]) => s));
  const walks = [...walkers].map((s) => bySource.get(s)!).filter((d) => d.length >= 16);
  // 0.00002/s per /16 on 16 /16s: about 27.6 a day, 110 in 4 days (Poisson sd ~10); a walk cut at a step end is shorter
  assert.ok(walks.length > 70 && walks.length < 150, `${walks.length} sweepers in 4 days`);
  for (const d of walks) assert.equal(Math.floor(d[0] / 256), Math.floor(d[d.length - 1] / 256), 'a walk stays in its /24');
  // the random scanners are the same stream with or without sweepers (the sweepers have their own generator)
  assert.deepEqual(mixed.filter(([src]) => !walkers.has(src)).map(([, text]) => text), random);
});
