// Figures of a simulated outbreak: time to 1%, 50%, 90% of the vulnerable population, peak
// infection rate (new hosts per minute over one-minute windows), final size, early growth rate K.

import type { OutbreakRun, OutbreakSeries } from './outbreak-run.js';

export interface OutbreakSummary {
  readonly population: number;
  /** Seconds until the ever-infected count reached 1%, 50%, 90% (null: not within the run). */
  readonly timeTo1pct_s: number | null;
  readonly timeTo50pct_s: number | null;
  readonly timeTo90pct_s: number | null;
  readonly peakNewPerMinute: number;
  readonly peakAt_s: number;
  readonly finalEverInfected: number;
  readonly finalFraction: number;
  /** Least-squares slope of ln(ever infected) while between 0.1% and 5% of N, per hour. */
  readonly initialGrowthPerHour: number | null;
  readonly doublingTime_s: number | null;
}

/** Time at which column y first reaches goal, interpolated linearly between rows. */
export function timeToReach(t: ArrayLike<number>, y: ArrayLike<number>, goal: number): number | null {
  for (let i = 0; i < y.length; i++) {
    if (y[i] >= goal) {
      if (i === 0) return t[0];
      const f = (goal - y[i - 1]) / (y[i] - y[i - 1]);
      return t[i - 1] + f * (t[i] - t[i - 1]);
    }
  }
  return null;
}

/** Largest increase of y per minute over windows of at least 60 s (or one row when rows are sparser). */
export function peakRatePerMinute(t: ArrayLike<number>, y: ArrayLike<number>): { rate: number; at: number } {
  let best = { rate: 0, at: 0 };
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    if (j <= i) j = i + 1;
    while (j < t.length && t[j] - t[i] < 60 - 1e-9) j++;
    if (j >= t.length) break;
    const rate = ((y[j] - y[i]) / (t[j] - t[i])) * 60;
    if (rate > best.rate) best = { rate, at: (t[i] + t[j]) / 2 };
  }
  return best;
}

/** Early exponential growth rate (per second) from a least-squares fit of ln(y) in [lo, hi). */
export function growthRate(t: ArrayLike<number>, y: ArrayLike<number>, lo: number, hi: number): number | null {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] < lo || y[i] >= hi) continue;
    const ly = Math.log(y[i]);
    n++;
    sx += t[i];
    sy += ly;
    sxx += t[i] * t[i];
    sxy += t[i] * ly;
  }
  const den = n * sxx - sx * sx;
  return n >= 3 && den > 0 ? (n * sxy - sx * sy) / den : null;
}

export function summarize(run: OutbreakRun): OutbreakSummary {
  const s = run.series;
  const n = run.population;
  const t = s.time_s;
  const e = s.everInfected;
  const peak = peakRatePerMinute(t, e);
  const k = growthRate(t, e, Math.max(20, 0.001 * n), 0.05 * n);
  const last = e[e.length - 1];
  return {
    population: n,
    timeTo1pct_s: timeToReach(t, e, 0.01 * n),
    timeTo50pct_s: timeToReach(t, e, 0.5 * n),
    timeTo90pct_s: timeToReach(t, e, 0.9 * n),
    peakNewPerMinute: peak.rate,
    peakAt_s: peak.at,
    finalEverInfected: last,
    finalFraction: last / n,
    initialGrowthPerHour: k === null ? null : k * 3600,
    doublingTime_s: k === null || k <= 0 ? null : Math.LN2 / k,
  };
}

/** Column-wise mean of runs recorded on the same time grid (shortest run wins). */
export function meanSeries(runs: readonly OutbreakRun[]): OutbreakSeries {
  const rows = Math.min(...runs.map((r) => r.series.time_s.length));
  const avg = (pick: (s: OutbreakSeries) => Float64Array): Float64Array => {
    const out = new Float64Array(rows);
    for (const r of runs) {
      const col = pick(r.series);
      for (let i = 0; i < rows; i++) out[i] += col[i] / runs.length;
    }
    return out;
  };
  const first = runs[0].series;
  return {
    time_s: first.time_s.slice(0, rows),
    susceptible: avg((s) => s.susceptible),
    infected: avg((s) => s.infected),
    patched: avg((s) => s.patched),
    removed: avg((s) => s.removed),
    everInfected: avg((s) => s.everInfected),
    observed: first.observed.map((_, m) => avg((s) => s.observed[m])),
  };
}

/** Nearest-rank quantile; Infinity counts (a run that never got there), NaN is skipped. */
export function quantile(xs: readonly number[], q: number): number {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
}
