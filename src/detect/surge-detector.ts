// Surge detection per port and per vulnerability: unique sources and connections per time bucket,
// CUSUM on log(unique sources + 1) against a seasonal robust baseline (Page 1954), gated and graded by
// the Poisson upper tail of the count at the baseline rate, a floor on sources, and a growth confirmer.
// The same per port and vulnerability for new sequential sweepers (sweep-detector.ts), a second series.

import type { Clock } from '../core/clock.js';
import { resolveLimits, type ResolvedLimits } from '../core/limits.js';
import type { Alert } from '../model/alert.js';
import type { Severity } from '../model/anomaly.js';
import type { VigilEvent } from '../model/event.js';
import type { Vulnerability } from '../model/vulnerability.js';
import { addrKey, type AddrKey } from './addr-key.js';
import { makeAlert, NO_ALERTS as NONE } from './alert-factory.js';
import { Cusum, type CusumParams } from './cusum.js';
import { GrowthEstimator, type GrowthOptions } from './growth-estimator.js';
import { poissonTailSignificance } from './poisson-tail.js';
import { SeasonalBaseline, type BaselineOptions, robustFigures } from './seasonal-baseline.js';

export const SURGE_LIMITS = {
  bucketMs: { default: 3_600_000, min: 1000, max: 86_400_000, unit: 'ms', doc: 'width of a counting bucket; hour-of-day seasonality applies when it is at most one hour' },
  maxKeys: { default: 1024, min: 1, max: 100_000, unit: 'keys', doc: 'series followed: ports and vulnerabilities, each with its new-sweeper series when the sweep detector runs (two keys); keys past it are ignored (and counted)' },
  maxSourcesPerBucket: { default: 1_000_000, min: 1, max: 100_000_000, unit: 'sources', doc: 'distinct sources remembered per key and bucket; past it the count saturates' },
  maxGapBuckets: { default: 14 * 24, min: 1, max: 100_000, unit: 'buckets', doc: 'empty buckets filled in after a silence; a longer gap restarts the series' },
  baselineBuckets: { default: 6, min: 1, max: 10_000, unit: 'buckets', doc: 'closed buckets a series needs before its baseline is used (warm-up); until then only the cold-start rule can alert' },
  minSources: { default: 10, min: 1, max: 100_000_000, unit: 'sources', doc: 'a bucket with fewer distinct sources never raises a surge, however quiet the baseline (2 sources against 0 is not news)' },
  minBaselineSources: { default: 1, min: 1, max: 100_000_000, unit: 'sources', doc: 'floor of the baseline rate in the Poisson test: a series that saw nobody for a week has not learnt that the next bucket brings nobody' },
  alarmSignificance: { default: 3, min: 1, max: 1000, unit: '-log10 p', doc: 'a CUSUM alarm becomes an alert only when P(X >= sources | Poisson at the baseline rate) <= 10^-this (3: p <= 0.001)' },
  mediumSignificance: { default: 6, min: 1, max: 1000, unit: '-log10 p', doc: 'severity medium from p <= 10^-this (below it: low)' },
  highSignificance: { default: 12, min: 1, max: 1000, unit: '-log10 p', doc: 'severity high from p <= 10^-this, together with highMinSources' },
  highMinSources: { default: 100, min: 1, max: 100_000_000, unit: 'sources', doc: 'severity high also needs at least this many distinct sources in the bucket' },
  sweepMinSweepers: { default: 3, min: 1, max: 100_000_000, unit: 'sweepers', doc: 'the new-sweeper series (sources the sweep detector calls sequential sweepers, per port and vulnerability): a bucket with fewer never raises surge_new_sweepers' },
  sweepBaselinePerDay: { default: 24, min: 0, max: 100_000_000, unit: 'sweepers a day', doc: 'floor of the new-sweeper rate in the Poisson test, scaled to the bucket (24 a day: 1 an hour, 0.17 per 10 minutes); the rate is the larger of it, the baseline median and the mean of the recent buckets (sweepers are rare: the median of a sparse count is 0)' },
  sweepAlarmSignificance: { default: 4, min: 1, max: 1000, unit: '-log10 p', doc: 'alarmSignificance for the new-sweeper series (4: p <= 0.0001): a sparse count tested every bucket needs a stricter level for under one false alarm a month at 10-minute buckets (4,320 tests)' },
  coldStartSources: { default: 1000, min: 1, max: 100_000_000, unit: 'sources', doc: 'before the baseline exists (baselineBuckets), a bucket raises surge_cold_start (high) the moment it holds this many distinct sources' },
} as const;

/** Vulnerability id -> ports, from knowledge-base records that list ports (others are left out). */
export function vulnerabilityPortsOf(vulns: Iterable<Pick<Vulnerability, 'id' | 'ports'>>): Map<string, readonly number[]> {
  const out = new Map<string, readonly number[]>();
  for (const v of vulns) if (v.ports && v.ports.length > 0) out.set(v.id, [...new Set(v.ports)].sort((a, b) => a - b));
  return out;
}

export interface SurgeOptions {
  /** Ports to follow; when absent every port seen is followed (up to maxKeys). */
  readonly ports?: readonly number[];
  /** Vulnerability id -> its ports (from the knowledge base when there is one). */
  readonly vulnerabilityPorts?: ReadonlyMap<string, readonly number[]>;
  readonly limits?: Partial<Record<keyof typeof SURGE_LIMITS, number>>;
  readonly cusum?: Partial<CusumParams>;
  readonly growth?: GrowthOptions;
  readonly baseline?: Omit<BaselineOptions, 'bucketMs'>;
  /** For flush() without an argument on a live node; replays pass event time. */
  readonly clock?: Clock;
  /**
   * Keep a new-sweeper series beside each port and vulnerability series from its first connection
   * (the pipeline sets it when the sweep detector runs), so it has a baseline when sweepers come.
   */
  readonly sweepers?: boolean;
}

interface Series {
  readonly key: string;
  /** Counts new sequential sweepers (the sweep detector's verdicts) instead of sources. */
  readonly sweepers: boolean;
  readonly port?: number;
  readonly vuln?: string;
  start: number;
  /** Keyed as addrKey() keys them, so the event path and the conn.log fast path count alike. */
  sources: Set<AddrKey>;
  conns: number;
  readonly baseline: SeasonalBaseline;
  readonly connHistory: number[];
  /** Distinct counts of past buckets (as many as connHistory): their mean is the sweeper series' rate. */
  readonly countHistory: number[];
  readonly cusum: Cusum;
  readonly growth: GrowthEstimator;
  wormFlagged: boolean;
  /** Set by an alarm, cleared when a bucket falls back to the baseline: one alert per episode. */
  surging: boolean;
  /** Whether the baseline has its warm-up history (cached: the per-connection cold-start check reads it). */
  warm: boolean;
}

/** Shared empty result; callers read alert lists, never append to them (frozen: an append throws
 * instead of handing every later caller the appended alerts). */

export class SurgeDetector {
  private readonly limits: ResolvedLimits<typeof SURGE_LIMITS>;
  private readonly series = new Map<string, Series>();
  /** The port series by number: the per-connection lookup builds no `port:N` key string. */
  private readonly portSeries = new Map<number, Series>();
  private readonly portsToVulns = new Map<number, string[]>();
  private readonly watched: ReadonlySet<number> | undefined;
  private ignoredKeys = 0;
  /** Earliest end of any open bucket: events before it close nothing, so push() skips the scan. */
  private nextEnd = Number.POSITIVE_INFINITY;

  constructor(private readonly opts: SurgeOptions = {}) {
    this.limits = resolveLimits(SURGE_LIMITS, opts.limits, 'detect.surge');
    this.watched = opts.ports ? new Set(opts.ports) : undefined;
    for (const [vuln, ports] of opts.vulnerabilityPorts ?? []) {
      for (const p of ports) this.portsToVulns.set(p, [...(this.portsToVulns.get(p) ?? []), vuln]);
    }
  }

  get bucketMs(): number {
    return this.limits.bucketMs;
  }

  /** Keys refused because maxKeys was reached. */
  get ignored(): number {
    return this.ignoredKeys;
  }

  /** Count one event; returns alerts of the buckets its timestamp closes. */
  push(ev: VigilEvent): Alert[] {
    if (ev.type !== 'conn') return [];
    return this.observe(ev.ts, addrKey(ev.src), ev.dport);
  }

  /** Low-level entry (the conn.log fast path): one connection, the source as addrKey() gives it. */
  observe(ts: number, src: AddrKey, dport: number): Alert[] {
    let out = this.flush(ts);
    if (this.watched === undefined || this.watched.has(dport)) {
      let s = this.portSeries.get(dport);
      if (s === undefined) {
        s = this.count(`port:${dport}`, ts, { port: dport });
        if (s !== undefined) this.portSeries.set(dport, s);
        if (this.opts.sweepers === true) this.count(`sweepers:port:${dport}`, ts, { port: dport }, true);
      }
      if (s !== undefined && this.add(s, src, ts)) out = [...out, this.coldStartAlert(s, ts)];
    }
    const vulns = this.portsToVulns.get(dport);
    if (vulns !== undefined) {
      for (const vuln of vulns) {
        const s = this.count(`vuln:${vuln}`, ts, { vuln });
        if (s !== undefined && this.add(s, src, ts)) out = [...out, this.coldStartAlert(s, ts)];
        if (this.opts.sweepers === true && !this.series.has(`sweepers:vuln:${vuln}`)) this.count(`sweepers:vuln:${vuln}`, ts, { vuln }, true);
      }
    }
    return out;
  }

  /**
   * A source the sweep detector has just called a new sequential sweeper on dport: counted in the
   * new-sweeper series of the port and of its vulnerabilities. Returns alerts of closed buckets.
   */
  observeSweeper(ts: number, src: AddrKey, dport: number): Alert[] {
    const out = this.flush(ts);
    if (this.watched === undefined || this.watched.has(dport)) {
      const s = this.count(`sweepers:port:${dport}`, ts, { port: dport }, true);
      if (s !== undefined) this.add(s, src, ts);
    }
    for (const vuln of this.portsToVulns.get(dport) ?? []) {
      const s = this.count(`sweepers:vuln:${vuln}`, ts, { vuln }, true);
      if (s !== undefined) this.add(s, src, ts);
    }
    return out;
  }

  /** Close every bucket that ended at or before ts (event time, or the injected clock's now). */
  flush(ts: number = this.opts.clock?.now() ?? Number.NEGATIVE_INFINITY): Alert[] {
    if (ts < this.nextEnd) return NONE; // most connections close no bucket: no array for them
    const out: Alert[] = [];
    this.nextEnd = Number.POSITIVE_INFINITY;
    for (const s of this.series.values()) {
      const gap = Math.floor((ts - s.start) / this.limits.bucketMs);
      for (let i = 0; i < Math.min(gap, this.limits.maxGapBuckets); i++) out.push(...this.close(s));
      if (gap > this.limits.maxGapBuckets) s.start = this.bucketStart(ts);
      this.nextEnd = Math.min(this.nextEnd, s.start + this.limits.bucketMs);
    }
    return out.sort((a, b) => a.ts - b.ts || a.dedupKey.localeCompare(b.dedupKey));
  }

  /** The series of key (made on first use), or undefined when refused. */
  private count(key: string, ts: number, what: { port?: number; vuln?: string }, sweepers = false): Series | undefined {
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= this.limits.maxKeys) {
        this.ignoredKeys++;
        return undefined;
      }
      s = this.newSeries(key, ts, what, sweepers);
      this.series.set(key, s);
      this.nextEnd = Math.min(this.nextEnd, s.start + this.limits.bucketMs);
    }
    return s;
  }

  /**
   * Count one connection; true when it makes the cold-start rule fire. Cold start: a series without
   * its warm-up history cannot be tested against a baseline, so a flood of coldStartSources distinct
   * sources alerts at once, mid-bucket (a burst of thousands in minutes is news on day one too).
   */
  private add(s: Series, src: AddrKey, ts: number): boolean {
    s.conns++;
    const before = s.sources.size;
    if (before < this.limits.maxSourcesPerBucket) s.sources.add(src);
    return !s.sweepers && !s.warm && !s.surging && before < this.limits.coldStartSources && s.sources.size >= this.limits.coldStartSources && ts >= s.start;
  }

  private newSeries(key: string, ts: number, what: { port?: number; vuln?: string }, sweepers: boolean): Series {
    return {
      key, sweepers, ...what, start: this.bucketStart(ts), sources: new Set(), conns: 0,
      baseline: new SeasonalBaseline({ minHistory: this.limits.baselineBuckets, ...this.opts.baseline, bucketMs: this.limits.bucketMs }),
      connHistory: [], countHistory: [], cusum: new Cusum(this.opts.cusum), growth: new GrowthEstimator(this.opts.growth), wormFlagged: false, surging: false, warm: false,
    };
  }

  private bucketStart(ts: number): number {
    return Math.floor(ts / this.limits.bucketMs) * this.limits.bucketMs;
  }

  /** Score the bucket that starts at s.start, then open the next one. */
  private close(s: Series): Alert[] {
    const out: Alert[] = [];
    const unique = s.sources.size;
    const x = Math.log1p(unique);
    const base = s.baseline.figures(s.start);
    const end = s.start + this.limits.bucketMs;
    if (base !== undefined) {
      const z = (x - base.median) / base.sigma;
      // CUSUM says the series shifted against its own variability; the Poisson tail and the floor
      // say the count is both unlikely at the baseline rate and large enough to matter.
      const significance = poissonTailSignificance(unique, Math.max(Math.expm1(base.median), this.rateFloor(s)));
      const alarm = s.cusum.update(z) && unique >= (s.sweepers ? this.limits.sweepMinSweepers : this.limits.minSources)
        && significance >= (s.sweepers ? this.limits.sweepAlarmSignificance : this.limits.alarmSignificance);
      if (alarm && !s.surging) {
        s.surging = true;
        out.push(this.surgeAlert(s, end, unique, base, z, significance));
      } else if (z <= 0) s.surging = false;
    } else if (s.surging && unique < this.limits.coldStartSources) s.surging = false; // a cold-start episode ends
    
    const g = s.growth.update(unique);
    if (g.confirmed && !s.wormFlagged) out.push(this.growthAlert(s, end, unique, g.alpha, g.doublingSteps, base?.median));
    s.wormFlagged = g.confirmed;
    s.baseline.add(s.start, x);
    s.warm = s.baseline.ready;
    s.connHistory.push(s.conns);
    if (s.connHistory.length > 24 * 14) s.connHistory.shift();
    s.countHistory.push(unique);
    if (s.countHistory.length > 24 * 14) s.countHistory.shift();
    s.start = end;
    s.sources = new Set();
    s.conns = 0;
    return out;
  }

  /**
   * Lowest rate the Poisson test assumes. Sources: minBaselineSources. Sweepers are rare, so the
   * median of their counts is mostly 0: the mean of the recent buckets, at least sweepBaselinePerDay.
   */
  private rateFloor(s: Series): number {
    if (!s.sweepers) return this.limits.minBaselineSources;
    const h = s.countHistory;
    const mean = h.length === 0 ? 0 : h.reduce((a, b) => a + b, 0) / h.length;
    return Math.max(mean, (this.limits.sweepBaselinePerDay * this.limits.bucketMs) / 86_400_000, 1e-9);
  }

  private what(s: Series): string {
    if (s.sweepers) return `new sequential sweepers on ${this.whatKey(s)}`;
    return this.whatKey(s);
  }

  private whatKey(s: Series): string {
    return s.port !== undefined ? `port ${s.port}` : `${s.vuln} (ports ${this.opts.vulnerabilityPorts?.get(s.vuln!)?.join(', ')})`;
  }

  /** low / medium / high by the Poisson significance; high also needs highMinSources sources. */
  private severityOf(unique: number, significance: number): Severity {
    if (significance >= this.limits.highSignificance && unique >= this.limits.highMinSources) return 'high';
    return significance >= this.limits.mediumSignificance ? 'medium' : 'low';
  }

  private surgeAlert(s: Series, end: number, unique: number, base: { median: number; sigma: number; seasonal: boolean; n: number }, z: number, significance: number): Alert {
    const baselineSources = Math.expm1(base.median);
    const conns = robustFigures(s.connHistory.slice(-24 * 7), 1);
    const rate = Math.max(baselineSources, this.rateFloor(s));
    return makeAlert({
      ts: end, detector: 'surge', rule: s.sweepers ? 'surge_new_sweepers' : 'surge_unique_sources', severity: this.severityOf(unique, significance),
      title: s.sweepers
        ? `surge of ${this.what(s)}: ${unique} in the bucket against a rate of ${rate.toFixed(2)} (p ${pText(significance)})`
        : `scanning surge on ${this.what(s)}: ${unique} sources in the bucket against a baseline of ${baselineSources.toFixed(1)} (p ${pText(significance)})`,
      cves: s.vuln !== undefined ? [s.vuln] : [],
      ...(s.port !== undefined ? { dport: s.port } : {}),
      dedupKey: `surge:${s.key}`,
      evidence: {
        key: s.key, bucketStart: s.start, bucketMs: this.limits.bucketMs, currentSources: unique, currentConnections: s.conns,
        baselineSources: round(baselineSources), baselineConnections: round(conns.median), robustZ: round(z),
        ...(s.sweepers ? { poissonRate: round(rate) } : {}), poissonLog10P: round(-significance), seasonal: base.seasonal, historyBuckets: base.n,
      },
    });
  }

  private coldStartAlert(s: Series, ts: number): Alert {
    s.surging = true;
    const n = s.sources.size;
    return makeAlert({
      ts, detector: 'surge', rule: 'surge_cold_start', severity: 'high',
      title: `scanning flood on ${this.what(s)}: ${n} distinct sources within ${Math.round((ts - s.start) / 1000)} s, before any baseline (cold start)`,
      cves: s.vuln !== undefined ? [s.vuln] : [],
      ...(s.port !== undefined ? { dport: s.port } : {}),
      dedupKey: `surge:${s.key}`,
      evidence: {
        key: s.key, bucketStart: s.start, bucketMs: this.limits.bucketMs, currentSources: n, currentConnections: s.conns,
        coldStartSources: this.limits.coldStartSources, baselineBuckets: this.limits.baselineBuckets,
      },
    });
  }

  private growthAlert(s: Series, end: number, unique: number, alpha: number, doublingSteps: number, baseLog: number | undefined): Alert {
    const doublingMs = doublingSteps * this.limits.bucketMs;
    return makeAlert({
      ts: end, detector: 'growth', rule: 'worm_like_spread', severity: 'critical',
      title: `worm-like spread suspected on ${this.what(s)}: sources growing ${(alpha * 100).toFixed(1)}% per bucket, doubling every ${(doublingMs / 3_600_000).toFixed(2)} h`,
      cves: s.vuln !== undefined ? [s.vuln] : [],
      ...(s.port !== undefined ? { dport: s.port } : {}),
      dedupKey: `growth:${s.key}`,
      evidence: {
        key: s.key, bucketStart: s.start, bucketMs: this.limits.bucketMs, currentSources: unique,
        baselineSources: baseLog === undefined ? null : round(Math.expm1(baseLog)),
        growthRatePerBucket: round(alpha), doublingTimeMs: Math.round(doublingMs), doublingTimeBuckets: round(doublingSteps),
      },
    });
  }
}

function pText(significance: number): string {
  return significance >= 300 ? '< 1e-300' : `= ${(10 ** -significance).toExponential(1)}`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
