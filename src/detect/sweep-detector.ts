// Sequential sweeps per source: a source that walks through neighbouring destination addresses on
// one port, one after the other, within seconds (Blaster's A.B.C.0 upward sweep, a hand-run
// sequential scanner). The surge detector counts the new sweepers per port and vulnerability.

import { resolveLimits, type ResolvedLimits } from '../core/limits.js';
import type { Alert } from '../model/alert.js';
import type { ConnEvent } from '../model/event.js';
import { addrKey, addrText, type AddrKey } from './addr-key.js';
import { AddrSlotTable } from './addr-slot-table.js';
import { makeAlert } from './alert-factory.js';

export const SWEEP_LIMITS = {
  sweepAddresses: { default: 16, min: 2, max: 1_000_000, unit: 'addresses', doc: 'successive failed contacts of one source, each a few addresses past the one before in the same direction and on the same port, that make a sequential sweep; a random scanner almost never lands within maxStep of its previous target (16 in a row: about (2 x maxStep / monitored addresses)^15)' },
  maxStep: { default: 16, min: 1, max: 65_536, unit: 'addresses', doc: 'largest address distance between successive contacts of a sweep (1: every address in turn; more tolerates lost or unmonitored addresses between them)' },
  windowMs: { default: 60_000, min: 1000, max: 86_400_000, unit: 'ms', doc: 'a sweep must reach sweepAddresses within this long of its first contact; Blaster walks 16 addresses in under 2 s' },
  repeatMs: { default: 3_600_000, min: 1000, max: 7 * 86_400_000, unit: 'ms', doc: 'a source that was a sweeper counts as a new sweeper again (a new alert, a new count in the surge detector) only this long after it was last counted' },
  maxSources: { default: 100_000, min: 1, max: 10_000_000, unit: 'sources', doc: 'sources followed (one fixed-size row each); past it the least recently seen source is forgotten first' },
} as const;

export interface SweepOptions {
  readonly limits?: Partial<Record<keyof typeof SWEEP_LIMITS, number>>;
}

const NONE: Alert[] = Object.freeze([]) as unknown as Alert[];

/*
 * One row of doubles per source slot: the run's port, last destination (IPv4 as int32), direction
 * (+1 / -1, 0 before its second contact), length, first contact's time and first destination, the
 * last contact's time, and when the source was last counted as a sweeper (-Infinity: never).
 */
const STRIDE = 8;
const PORT = 0;
const LAST_DST = 1;
const DIR = 2;
const RUN = 3;
const RUN_START = 4;
const FIRST_DST = 5;
const LAST_TS = 6;
const COUNTED_AT = 7;

/**
 * Why a detector of its own: TRW and the address-scan threshold flag any scanner, and the surge
 * detector counts all sources alike, so one worm sweeper among the hundreds of random background
 * scanners a telescope sees each hour adds one to a noisy count. A sequential sweep is rare in
 * background radiation and is exactly what Blaster does, so a new sweeper on port 135 is a far
 * stronger signal than a new source. Only IPv4 destinations can form a sweep (address arithmetic);
 * successive contacts with the same address neither extend nor break a run (retries).
 *
 * Memory is bounded: one fixed-size row per source in a typed array, sources in an AddrSlotTable
 * kept in recency order, at most maxSources of them (the least recently seen is dropped first).
 */
export class SweepDetector {
  private readonly limits: ResolvedLimits<typeof SWEEP_LIMITS>;
  private readonly sources: AddrSlotTable;
  private rows = new Float64Array(256 * STRIDE);
  /** Sources forgotten to stay within maxSources. */
  evicted = 0;

  constructor(opts: SweepOptions = {}) {
    this.limits = resolveLimits(SWEEP_LIMITS, opts.limits, 'detect.sweep');
    this.sources = new AddrSlotTable(this.limits.maxSources + 1);
  }

  /** Sources currently followed (at most maxSources). */
  get trackedSources(): number {
    return this.sources.size;
  }

  push(ev: ConnEvent): Alert[] {
    return ev.outcome === 'failure' ? this.contact(ev.ts, addrKey(ev.src), addrKey(ev.dst), ev.dport) : NONE;
  }

  /**
   * One failed contact (the conn.log fast path), addresses as addrKey() gives them. Returns the
   * `sequential_sweep` alert when this contact makes the source a new sweeper: the pipeline then
   * counts it in the surge detector's sweeper series.
   */
  contact(ts: number, src: AddrKey, dst: AddrKey, dport: number): Alert[] {
    if (typeof dst !== 'number') return NONE;
    let s = this.sources.find(src);
    if (s < 0) {
      if (this.sources.size >= this.limits.maxSources) {
        this.sources.remove(this.sources.oldest());
        this.evicted++;
      }
      s = this.sources.insert(src);
      if ((s + 1) * STRIDE > this.rows.length) this.grow(this.sources.capacity);
      this.start(s, ts, dst, dport);
      this.rows[s * STRIDE + COUNTED_AT] = Number.NEGATIVE_INFINITY;
      return NONE;
    }
    this.sources.touch(s);
    const r = this.rows;
    const o = s * STRIDE;
    const step = (dst - r[o + LAST_DST]!) | 0; // signed 32-bit distance: a sweep may cross 127/128
    if (step === 0 && r[o + PORT] === dport) {
      r[o + LAST_TS] = ts;
      return NONE;
    }
    const dir = r[o + DIR]!;
    const along = r[o + PORT] === dport && Math.abs(step) <= this.limits.maxStep
      && (dir === 0 || Math.sign(step) === dir) && ts - r[o + RUN_START]! <= this.limits.windowMs;
    if (!along) {
      this.start(s, ts, dst, dport);
      return NONE;
    }
    r[o + DIR] = Math.sign(step);
    r[o + LAST_DST] = dst;
    r[o + LAST_TS] = ts;
    const run = ++r[o + RUN]!;
    if (run < this.limits.sweepAddresses || ts - r[o + COUNTED_AT]! < this.limits.repeatMs) return NONE;
    r[o + COUNTED_AT] = ts;
    return [this.alert(ts, src, dport, r[o + FIRST_DST]!, dst, run, ts - r[o + RUN_START]!)];
  }

  /** A run of one contact starts at dst. */
  private start(s: number, ts: number, dst: number, dport: number): void {
    const r = this.rows;
    const o = s * STRIDE;
    r[o + PORT] = dport;
    r[o + LAST_DST] = dst;
    r[o + FIRST_DST] = dst;
    r[o + DIR] = 0;
    r[o + RUN] = 1;
    r[o + RUN_START] = ts;
    r[o + LAST_TS] = ts;
  }

  private grow(slots: number): void {
    const bigger = new Float64Array(slots * STRIDE);
    bigger.set(this.rows);
    this.rows = bigger;
  }

  private alert(ts: number, srcKey: AddrKey, dport: number, first: number, last: number, run: number, elapsedMs: number): Alert {
    const src = addrText(srcKey);
    const from = addrText(first);
    const to = addrText(last);
    return makeAlert({
      ts, detector: 'sweep', rule: 'sequential_sweep', severity: 'low',
      title: `sequential sweep: ${src} walked ${run} neighbouring addresses ${from} .. ${to} on port ${dport} in ${(elapsedMs / 1000).toFixed(1)} s`,
      src, dport,
      dedupKey: `sweep:${src}:${dport}`,
      evidence: { firstDst: from, lastDst: to, addresses: run, elapsedMs, threshold: this.limits.sweepAddresses, maxStep: this.limits.maxStep, windowMs: this.limits.windowMs },
      indicators: [{ type: src.includes(':') ? 'ipv6-addr' : 'ipv4-addr', value: src }],
    });
  }
}
