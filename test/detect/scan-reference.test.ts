// The table-based scan detectors decide exactly as straightforward Map/Set models of the same rules
// do (first contacts, LRU bound with one second of slack, idle expiry, windows, eviction order).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ThresholdDetector } from '../../src/detect/scan-threshold-detector.js';
import { TrwDetector } from '../../src/detect/scan-trw-detector.js';
import type { ConnEvent } from '../../src/model/event.js';

interface RefSource { l: number; decision: string; lastS: number; lruS: number; contacted: Set<string>; f: number; s: number }

/** TRW as a Map of sources in LRU order (re-insertion moves to the end), each with a Set of contacts. */
class RefTrw {
  readonly sources = new Map<string, RefSource>();
  constructor(private readonly maxSources: number, private readonly maxDst: number, private readonly idleS: number) {}

  push(ev: ConnEvent): string[] {
    if (ev.outcome === 'unknown') return [];
    const sec = Math.floor(ev.ts / 1000);
    let st = this.sources.get(ev.src);
    if (st && sec - st.lastS > this.idleS) {
      this.sources.delete(ev.src);
      st = undefined;
    }
    if (st && sec - st.lruS < 1) st.lastS = sec;
    else {
      if (st) this.sources.delete(ev.src);
      st ??= { l: 0, decision: 'pending', lastS: sec, lruS: sec, contacted: new Set(), f: 0, s: 0 };
      st.lastS = st.lruS = sec;
      this.sources.set(ev.src, st);
      if (this.sources.size > this.maxSources) this.sources.delete(this.sources.keys().next().value!);
    }
    if (st.contacted.has(ev.dst)) return [];
    if (st.contacted.size < this.maxDst) st.contacted.add(ev.dst);
    if (ev.outcome === 'success') st.s++;
    else st.f++;
    st.l += Math.log(ev.outcome === 'success' ? 0.25 : 4);
    const out: string[] = [];
    if (st.l >= Math.log(99) || st.l <= Math.log(0.01 / 0.99)) {
      const scanner = st.l > 0;
      if (scanner && st.decision !== 'scanner') out.push(`${ev.src} f${st.f} s${st.s} d${st.contacted.size}`);
      st.decision = scanner ? 'scanner' : 'benign';
      st.l = st.f = st.s = 0;
    }
    return out;
  }

  expire(nowMs: number): void {
    const now = Math.floor(nowMs / 1000);
    for (const [src, st] of this.sources) {
      if (now - st.lruS <= this.idleS) break;
      if (now - st.lastS > this.idleS) this.sources.delete(src);
    }
  }
}

interface RefWindow { start: number; seen: Set<string | number>; fired: boolean }

/** Thresholds as nested Maps per source, in insertion order, evicted whole past maxKeys windows. */
class RefThreshold {
  readonly sources = new Map<string, { byPort: Map<number, RefWindow>; byHost: Map<string, RefWindow> }>();
  windows = 0;
  constructor(private readonly addrN: number, private readonly portN: number, private readonly windowMs: number, private readonly maxKeys: number) {}

  push(ev: ConnEvent): string[] {
    if (ev.outcome !== 'failure') return [];
    let mine = this.sources.get(ev.src);
    if (!mine) this.sources.set(ev.src, (mine = { byPort: new Map(), byHost: new Map() }));
    const out: string[] = [];
    if (this.step(mine.byPort, ev.dport, ev.ts, ev.dst, this.addrN)) out.push(`address ${ev.src} ${ev.dport}`);
    if (this.step(mine.byHost, ev.dst, ev.ts, ev.dport, this.portN)) out.push(`port ${ev.src} ${ev.dst}`);
    for (const [src, m] of this.sources) {
      if (this.windows <= this.maxKeys) break;
      this.windows -= m.byPort.size + m.byHost.size;
      this.sources.delete(src);
    }
    return out;
  }

  private step<K>(map: Map<K, RefWindow>, key: K, ts: number, item: string | number, n: number): boolean {
    let w = map.get(key);
    if (!w || ts - w.start > this.windowMs) {
      if (!w) this.windows++;
      map.set(key, (w = { start: ts, seen: new Set(), fired: false }));
    }
    if (w.fired || w.seen.has(item)) return false;
    w.seen.add(item);
    if (w.seen.size < n) return false;
    w.fired = true;
    return true;
  }
}

// Few sources, destinations and ports so that contacts repeat, bounds bite and windows fill;
// a few IPv6 addresses take the detectors' text fallback.
const addr = (i: number): string => (i % 9 === 8 ? `2001:db8::${i}` : `10.0.${i >> 4}.${i & 15}`);
const step = fc.record({
  dt: fc.oneof(fc.integer({ min: -200, max: 400 }), fc.integer({ min: 0, max: 40_000 })),
  src: fc.integer({ min: 0, max: 30 }),
  dst: fc.integer({ min: 0, max: 40 }),
  port: fc.integer({ min: 1, max: 12 }),
  outcome: fc.constantFrom<ConnEvent['outcome']>('failure', 'failure', 'success', 'unknown'),
  expire: fc.integer({ min: 0, max: 30 }),
});

test('TRW and thresholds agree with Map/Set models on random streams, with tight limits', () => {
  fc.assert(
    fc.property(
      fc.array(step, { minLength: 200, maxLength: 1500, size: 'max' }),
      fc.record({ maxSources: fc.integer({ min: 1, max: 20 }), maxDst: fc.integer({ min: 1, max: 8 }), maxKeys: fc.integer({ min: 1, max: 60 }), n: fc.integer({ min: 2, max: 6 }) }),
      (steps, lim) => {
        const trw = new TrwDetector({ limits: { maxSources: lim.maxSources, maxDestinationsPerSource: lim.maxDst, idleExpiryMs: 20_000 } });
        const thr = new ThresholdDetector({ limits: { addrScanThreshold: lim.n, portScanThreshold: lim.n, windowMs: 10_000, maxKeys: lim.maxKeys } });
        const refTrw = new RefTrw(lim.maxSources, lim.maxDst, 20);
        const refThr = new RefThreshold(lim.n, lim.n, 10_000, lim.maxKeys);
        let ts = 1_060_617_600_000;
        for (const s of steps) {
          ts += s.dt;
          const ev: ConnEvent = { type: 'conn', ts, source: 'zeek', src: addr(s.src), dst: addr(s.dst), proto: 'tcp', dport: s.port, outcome: s.outcome };
          const got = trw.push(ev).map((a) => `${a.src} f${a.evidence['failures']} s${a.evidence['successes']} d${a.evidence['distinctDestinations']}`);
          assert.deepEqual(got, refTrw.push(ev));
          const gotThr = thr.push(ev).map((a) => (a.rule === 'address_scan' ? `address ${a.src} ${a.dport}` : `port ${a.src} ${a.evidence['dst']}`));
          assert.deepEqual(gotThr, refThr.push(ev));
          if (s.expire === 0) {
            trw.expire(ts + 15_000);
            refTrw.expire(ts + 15_000);
          }
          assert.equal(trw.trackedSources, refTrw.sources.size);
          assert.equal(thr.trackedKeys, refThr.windows);
          assert.equal(trw.decision(ev.src), refTrw.sources.get(ev.src)?.decision ?? 'pending');
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('thresholds agree with the model when evicted windows are reused at once (rows keep no items from their last window)', () => {
  // Many sources over few hosts and ports with room for only a few windows: nearly every contact
  // evicts a source and reuses its rows, most of which held items beyond the first.
  fc.assert(
    fc.property(
      fc.array(fc.record({ src: fc.integer({ min: 0, max: 7 }), dst: fc.integer({ min: 0, max: 4 }), port: fc.integer({ min: 1, max: 3 }) }), { minLength: 100, maxLength: 600 }),
      fc.record({ maxKeys: fc.integer({ min: 2, max: 12 }), n: fc.integer({ min: 2, max: 4 }) }),
      (steps, lim) => {
        const thr = new ThresholdDetector({ limits: { addrScanThreshold: lim.n, portScanThreshold: lim.n, windowMs: 10_000, maxKeys: lim.maxKeys } });
        const ref = new RefThreshold(lim.n, lim.n, 10_000, lim.maxKeys);
        let ts = 1_060_617_600_000;
        for (const s of steps) {
          ts += 10;
          const ev: ConnEvent = { type: 'conn', ts, source: 'zeek', src: addr(s.src), dst: addr(s.dst), proto: 'tcp', dport: s.port, outcome: 'failure' };
          const got = thr.push(ev).map((a) => (a.rule === 'address_scan' ? `address ${a.src} ${a.dport}` : `port ${a.src} ${a.evidence['dst']}`));
          assert.deepEqual(got, ref.push(ev));
          assert.equal(thr.trackedKeys, ref.windows);
        }
      },
    ),
    { numRuns: 200 },
  );
});
