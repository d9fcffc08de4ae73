// Sequential sweeps per source (issue 12 item 6): a source walking neighbouring addresses on one
// port within seconds is a sweeper, a random scanner is not, memory stays bounded under a flood of
// sources, and the pipeline counts new sweepers per port and vulnerability in the surge detector.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/cli/config.js';
import { pipelineOptionsFrom } from '../../src/cli/detect-config.js';
import { addrKey } from '../../src/detect/addr-key.js';
import { DetectPipeline } from '../../src/detect/detect-pipeline.js';
import { SweepDetector } from '../../src/detect/sweep-detector.js';
import type { Alert } from '../../src/model/alert.js';
import type { ConnEvent } from '../../src/model/event.js';
import { ipToString } from '../../src/outbreak/address-layout.js';
import { SeededRng } from '../../src/outbreak/seeded-rng.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const conn = (ts: number, src: string, dst: string, dport = 135): ConnEvent => ({
  type: 'conn', ts, source: 'sim', src, dst, proto: 'tcp', dport, outcome: 'failure',
});
/** Blaster's walk: `count` addresses upward from `first`, 11.1 a second, starting at ts0. */
const walk = (src: string, first: number, count: number, ts0 = 0, step = 1, dport = 135): ConnEvent[] =>
  Array.from({ length: count }, (_, i) => conn(ts0 + Math.round((i * 1000) / 11.1), src, ipToString(first + i * step), dport));
const BASE = 0x0a000000 + 0x2a00; // 10.0.42.0
const rules = (alerts: readonly Alert[]) => alerts.map((a) => a.rule);

test('a sweeper walking a /24 on 135 is one sequential_sweep alert, at the 16th neighbouring address', () => {
  const d = new SweepDetector();
  const evs = walk('198.51.100.7', BASE, 256);
  const fired = evs.map((e, i) => [i, d.push(e)] as const).filter(([, a]) => a.length > 0);
  assert.equal(fired.length, 1, 'once per source (repeatMs), not once per 16 addresses');
  const [at, [a]] = fired[0]!;
  assert.equal(at, 15, 'the 16th contact');
  assert.equal(a!.rule, 'sequential_sweep');
  assert.equal(a!.detector, 'sweep');
  assert.equal(a!.src, '198.51.100.7');
  assert.equal(a!.dport, 135);
  assert.equal(a!.evidence['firstDst'], '10.0.42.0');
  assert.equal(a!.evidence['lastDst'], '10.0.42.15');
  // An hour (repeatMs) later the same source sweeping again is a new sweeper again.
  assert.equal(walk('198.51.100.7', BASE + 4096, 20, 3_600_000).flatMap((e) => d.push(e)).length, 1);
  // Downward, and with gaps up to maxStep (16), is a sweep too; a step of 17 is not.
  assert.equal(walk('198.51.100.8', BASE + 255, 16, 0, -1).flatMap((e) => d.push(e)).length, 1, 'downward');
  assert.equal(walk('198.51.100.9', BASE, 16, 0, 16).flatMap((e) => d.push(e)).length, 1, 'every 16th address');
  assert.equal(walk('198.51.100.10', BASE, 40, 0, 17).flatMap((e) => d.push(e)).length, 0, 'steps of 17');
  // Retries of one address neither extend nor break the run; a run that changes direction restarts.
  const retry = walk('198.51.100.11', BASE, 16).flatMap((e) => [e, { ...e, ts: e.ts + 1 }]);
  assert.equal(retry.flatMap((e) => d.push(e)).length, 1, 'retries');
  const zigzag = Array.from({ length: 40 }, (_, i) => conn(i * 100, '198.51.100.12', ipToString(BASE + 100 + (i % 2 === 0 ? i : -i))));
  assert.equal(zigzag.flatMap((e) => d.push(e)).length, 0, 'zigzag');
});

test('a random scanner, a slow walk and a walk across ports are not sweepers; successes do not count', () => {
  const d = new SweepDetector();
  const rng = new SeededRng(12);
  // 5,000 probes at random addresses of one /16 (many near each other by chance, but not 16 in a row)
  const random = Array.from({ length: 5000 }, (_, i) => conn(i * 50, '203.0.113.5', ipToString(BASE - 0x2a00 + rng.int(65536))));
  assert.deepEqual(random.flatMap((e) => d.push(e)), []);
  // Random probes into one /24: 1 in 8 lands within 16 of the last, 16 in a row about never.
  const dense = Array.from({ length: 5000 }, (_, i) => conn(i * 50, '203.0.113.6', ipToString(BASE + rng.int(256))));
  assert.deepEqual(dense.flatMap((e) => d.push(e)), []);
  // A walk slower than windowMs (60 s for 16 addresses) is not a sweep within seconds.
  const slow = Array.from({ length: 64 }, (_, i) => conn(i * 5000, '203.0.113.7', ipToString(BASE + i)));
  assert.deepEqual(slow.flatMap((e) => d.push(e)), []);
  // Alternating ports: each contact starts a new run on its port.
  const ports = Array.from({ length: 64 }, (_, i) => conn(i * 10, '203.0.113.8', ipToString(BASE + i), i % 2 ? 135 : 445));
  assert.deepEqual(ports.flatMap((e) => d.push(e)), []);
  const ok = walk('203.0.113.9', BASE, 64).map((e) => ({ ...e, outcome: 'success' as const }));
  assert.deepEqual(ok.flatMap((e) => d.push(e)), [], 'a client reaching servers in turn is not a failed sweep');
  // The thresholds are configuration: 8 addresses make a sweep, step at most 1.
  const tuned = new SweepDetector({ limits: { sweepAddresses: 8, maxStep: 1 } });
  assert.equal(walk('203.0.113.10', BASE, 8).flatMap((e) => tuned.push(e)).length, 1);
  assert.equal(walk('203.0.113.11', BASE, 20, 0, 2).flatMap((e) => tuned.push(e)).length, 0);
  assert.throws(() => new SweepDetector({ limits: { maxSources: 0 } }), /detect\.sweep\.maxSources/);
});

test('memory is bounded: a flood of 200,000 one-probe sources keeps at most maxSources rows, and sweepers are still found', () => {
  const d = new SweepDetector({ limits: { maxSources: 1000 } });
  for (let i = 0; i < 200_000; i++) d.contact(i, addrKey(ipToString(0x2d000000 + i)), addrKey(ipToString(BASE + (i % 256))), 135);
  assert.equal(d.trackedSources, 1000);
  assert.equal(d.evicted, 199_000);
  // A sweeper interleaved with the flood: it is touched at every contact, so it stays the youngest.
  let found = 0;
  const sweep = walk('198.51.100.20', BASE, 32, 300_000);
  for (const [i, e] of sweep.entries()) {
    for (let k = 0; k < 500; k++) d.contact(300_000 + i, addrKey(ipToString(0x2e000000 + i * 500 + k)), addrKey(ipToString(BASE + k)), 135);
    found += d.push(e).length;
  }
  assert.equal(found, 1);
  assert.equal(d.trackedSources, 1000);
  // maxSources 1: the flood evicts the sweeper between its contacts, so it is never a sweeper (the bound wins).
  const tiny = new SweepDetector({ limits: { maxSources: 1 } });
  let tinyFound = 0;
  for (const [i, e] of walk('198.51.100.21', BASE, 32).entries()) {
    tiny.contact(i, addrKey(ipToString(0x2f000000 + i)), addrKey('192.0.2.1'), 135);
    tinyFound += tiny.push(e).length;
  }
  assert.equal(tinyFound, 0);
  assert.equal(tiny.trackedSources, 1);
});

test('the pipeline: sweep alerts on the event and the conn.log paths alike; new sweepers per port and vulnerability feed the surge detector', () => {
  const bucketMs = 600_000;
  const make = () => new DetectPipeline({
    trw: false, threshold: false, recon: false,
    surge: { limits: { bucketMs }, vulnerabilityPorts: new Map([['CVE-2003-0352', [135, 139, 445, 593]]]) },
  });
  // a day of quiet: one random probe a minute on 135 (surge series with a baseline, no sweepers)
  const rng = new SeededRng(3);
  const quiet = Array.from({ length: 1440 }, (_, i) => conn(i * 60_000, ipToString(0x2d000000 + rng.int(1 << 20)), ipToString(BASE - 0x2a00 + rng.int(65536))));
  // then 6 sweepers within one bucket, each crossing its own /24
  const day = 86_400_000;
  const worm = Array.from({ length: 6 }, (_, k) => walk(`198.51.100.${30 + k}`, BASE + 256 * (k + 1), 40, day + k * 60_000)).flat().sort((a, b) => a.ts - b.ts);
  const evs = [...quiet, ...worm];
  const viaEvents = make();
  const viaConn = make();
  const a1 = [...evs.flatMap((e) => viaEvents.push(e)), ...viaEvents.flush(day + 2 * bucketMs)];
  const a2 = [...evs.flatMap((e) => viaConn.pushConn(e.ts, addrKey(e.src), addrKey(e.dst), e.dport, e.outcome)), ...viaConn.flush(day + 2 * bucketMs)];
  assert.deepEqual(a2, a1, 'replay of a conn.log equals the event path');
  assert.equal(rules(a1).filter((r) => r === 'sequential_sweep').length, 6);
  const surges = a1.filter((a) => a.rule === 'surge_new_sweepers');
  assert.deepEqual(surges.map((a) => a.dedupKey).sort(), ['surge:sweepers:port:135', 'surge:sweepers:vuln:CVE-2003-0352'], 'before: no surge (6 sources among ~10 a bucket)');
  assert.equal(surges[0]!.ts, day + bucketMs, 'raised when the bucket closes');
  assert.equal(surges[0]!.evidence['currentSources'], 6);
  assert.ok(!a1.some((a) => a.rule === 'surge_unique_sources'), 'the sources count alone saw nothing');
  // Without the sweep detector (sweep: false) the same traffic raises no surge at all.
  const off = new DetectPipeline({ trw: false, threshold: false, recon: false, sweep: false, surge: { limits: { bucketMs } } });
  assert.deepEqual([...evs.flatMap((e) => off.push(e)), ...off.flush(day + 2 * bucketMs)], []);
});

test('detect.sweep.* and detect.surge.sweep* keys reach the pipeline vigil up builds', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'vigil-sweep-config-'));
  const config = loadConfig({ env: { VIGIL_DETECT_SWEEP_SWEEP_ADDRESSES: '40', VIGIL_DETECT_SURGE_SWEEP_MIN_SWEEPERS: '7' }, cwd });
  assert.equal(config.detect.sweep['sweepAddresses'], 40);
  const p = new DetectPipeline(pipelineOptionsFrom(config));
  const fired = walk('198.51.100.50', BASE, 64).map((e) => p.push(e).some((a) => a.rule === 'sequential_sweep'));
  assert.equal(fired.indexOf(true), 39, 'at the 40th address');
  assert.throws(() => loadConfig({ env: { VIGIL_DETECT_SWEEP_MAX_STEP: '0' }, cwd }), /VIGIL_DETECT_SWEEP_MAX_STEP/);
});
