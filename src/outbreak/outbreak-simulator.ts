// Stochastic outbreak simulator: a vulnerable population in IPv4 space, a scanning engine (random and
// local scanners: exact per scan when small, else aggregated per-block rates; sequential and permutation:
// exact sweeps), bandwidth cap, patching, removal and perimeter filtering; fixed time step, seeded PRNG.

import { AppError } from '../core/errors.js';
import { layoutPopulation, sortedUnique } from './address-layout.js';
import { HostPool, PATCHED, REMOVED } from './host-pool.js';
import { EXACT_SCAN_BUDGET, populationSize } from './outbreak-config.js';
import type { OutbreakConfig, PrefixWeight } from './outbreak-config.js';
import { ExactScanEngine, PrefixScanEngine } from './prefix-scan-engine.js';
import { SeededRng } from './seeded-rng.js';
import { SweepScanEngine } from './sweep-scan-engine.js';

/** How infections are computed, reported beside every result. */
export type SimulationMethod = 'aggregated-per-block-binomial' | 'exact-per-scan' | 'exact-per-host-sweep';

/** What an observer sees at the start of each step, before any state changes in it. */
export interface StepContext {
  readonly sim: OutbreakSimulator;
  readonly t: number;
  readonly dt: number;
  /** Scans per second each active host sends during this step (after the bandwidth cap). */
  readonly eta: number;
}

export class OutbreakSimulator {
  readonly config: OutbreakConfig;
  readonly seed: number;
  readonly pool: HostPool;
  readonly engine: PrefixScanEngine | SweepScanEngine;
  readonly method: SimulationMethod;
  readonly rng: SeededRng;
  t = 0;
  steps = 0;
  /** Per-host scans sent from time 0 to the end of each step (index 0 = time 0). */
  readonly cumScans: number[] = [0];
  private readonly hitListOrder: Int32Array;
  private hitListNext = 0;

  constructor(config: OutbreakConfig, seed: number) {
    validate(config);
    this.config = config;
    this.seed = seed;
    this.rng = new SeededRng(seed);
    const addrs = typeof config.vulnerable === 'number'
      ? layoutPopulation(config.vulnerable, config.layout, this.rng)
      : sortedUnique(config.vulnerable);
    const s = config.strategy;
    const mix = mixOf(config);
    this.pool = new HostPool(addrs, mix ? mix.map((m) => m.prefix) : []);
    if (mix) {
      const exact = config.method === 'exact'
        || (config.method !== 'aggregated' && this.pool.n * config.scanRate * config.horizon <= EXACT_SCAN_BUDGET);
      this.engine = exact ? new ExactScanEngine(this.pool, mix, this.rng) : new PrefixScanEngine(this.pool, mix, this.rng);
      this.method = exact ? 'exact-per-scan' : 'aggregated-per-block-binomial';
    } else {
      const steps = Math.ceil(config.horizon / config.dt - 1e-9);
      const sweep = s as Extract<typeof s, { kind: 'sequential' | 'permutation' }>;
      this.engine = new SweepScanEngine(this.pool, sweep, this.rng, config.scanRate, config.dt, steps);
      this.method = 'exact-per-host-sweep';
    }
    this.hitListOrder = this.seedInfections();
  }

  /** Infects the initial hosts; for a hit-list worm returns the rest of the list in scan order. */
  private seedInfections(): Int32Array {
    const { pool, rng, config } = this;
    const seeds = Math.min(config.initialInfected, pool.n);
    pool.pickSusceptible(0, pool.n, pool.susceptible, seeds, rng, (h) => {
      pool.infect(h, 0);
      if (this.engine instanceof SweepScanEngine) this.engine.begin(h, 0, -1, 0);
    });
    pool.activatePending();
    const s = config.strategy;
    if (s.kind !== 'hit-list') return new Int32Array(0);
    const list: number[] = [];
    pool.pickSusceptible(0, pool.n, pool.susceptible, Math.max(0, s.hitList - seeds), rng, (h) => list.push(h));
    return Int32Array.from(list);
  }

  get done(): boolean {
    return this.t >= this.config.horizon - 1e-9;
  }

  /** Per-host scan rate now: the configured rate, limited by the aggregate bandwidth cap. */
  currentScanRate(): number {
    const { scanRate, bandwidthCap } = this.config;
    const a = this.pool.activeCount;
    return bandwidthCap && a > 0 ? Math.min(scanRate, bandwidthCap / a) : scanRate;
  }

  /** Advances one step; observe() runs first, against the state at the start of the step. */
  advance(observe?: (ctx: StepContext) => void): void {
    const { config, pool } = this;
    const dt = Math.min(config.dt, config.horizon - this.t);
    const t = this.t;
    const eta = this.currentScanRate();
    observe?.({ sim: this, t, dt, eta });
    const f = config.filtering;
    const pass = f && t >= f.reactionTime ? 1 - f.fraction : 1;
    this.infectHitList(t, dt);
    const cum = this.cumScans[this.cumScans.length - 1];
    if (this.engine instanceof SweepScanEngine) this.engine.step(this.steps, t, dt, eta, pass, cum);
    else this.engine.step(t, dt, eta, pass);
    this.countermeasures(t, dt);
    pool.activatePending();
    this.t = t + dt;
    this.steps++;
    this.cumScans.push(this.cumScans[this.cumScans.length - 1] + eta * dt);
  }

  /** The hit list is worked through first, one entry per scan of the initial host(s). */
  private infectHitList(t: number, dt: number): void {
    const list = this.hitListOrder;
    const rate = this.config.scanRate * Math.max(1, this.config.initialInfected);
    while (this.hitListNext < list.length) {
      const at = this.hitListNext / rate;
      if (at >= t + dt) break;
      this.pool.infect(list[this.hitListNext++], Math.max(at, t));
    }
  }

  private countermeasures(t: number, dt: number): void {
    const { pool, rng, config } = this;
    const pa = config.patching;
    if (pa && t + dt > pa.start) {
      const p = -Math.expm1(-pa.rate * dt);
      const k = rng.binomial(pool.susceptible, p);
      pool.pickSusceptible(0, pool.n, pool.susceptible, k, rng, (h) => pool.immunise(h));
      pool.pickActive(rng.binomial(pool.activeCount, p), rng, (h) => pool.retire(h, t + rng.next() * dt, PATCHED));
    }
    const re = config.removal;
    if (re && t + dt > re.start) {
      const k = rng.binomial(pool.activeCount, -Math.expm1(-re.rate * dt));
      pool.pickActive(k, rng, (h) => pool.retire(h, t + rng.next() * dt, REMOVED));
    }
  }

  /** Per-host scans sent from time 0 to `time`, interpolated in the per-step record. */
  cumScansAt(time: number): number {
    const dt = this.config.dt;
    const i = Math.min(Math.floor(time / dt), this.cumScans.length - 1);
    if (i >= this.cumScans.length - 1) return this.cumScans[this.cumScans.length - 1];
    const frac = (time - i * dt) / dt;
    return this.cumScans[i] + frac * (this.cumScans[i + 1] - this.cumScans[i]);
  }

  /** Earliest time at which a host infected at t0 has sent `scans` scans; Infinity if not yet. */
  timeAfterScans(t0: number, scans: number): number {
    const goal = this.cumScansAt(t0) + scans;
    const c = this.cumScans;
    if (goal > c[c.length - 1]) return Infinity;
    let lo = 0, hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid] >= goal) hi = mid;
      else lo = mid + 1;
    }
    if (lo === 0) return t0;
    const dt = this.config.dt;
    const seg = c[lo] - c[lo - 1];
    const at = (lo - 1) * dt + (seg > 0 ? ((goal - c[lo - 1]) / seg) * dt : 0);
    return Math.max(t0, Math.min(at, this.t));
  }
}

function mixOf(c: OutbreakConfig): readonly PrefixWeight[] | undefined {
  const s = c.strategy;
  if (s.kind === 'uniform' || s.kind === 'hit-list') return [{ prefix: 0, weight: 1 }];
  if (s.kind === 'local-preference') return s.mix;
  return undefined;
}

function validate(c: OutbreakConfig): void {
  const bad = (why: string): never => {
    throw new AppError('VIGIL_ERR_CONFIG', `outbreak ${c.name}: ${why}`);
  };
  if (populationSize(c) < 1) bad('no vulnerable hosts');
  if (!(c.scanRate > 0)) bad('scan rate must be positive');
  if (!(c.dt > 0) || !(c.horizon > 0)) bad('time step and horizon must be positive');
  if (c.horizon / c.dt > 5_000_000) bad('too many time steps');
  if (c.initialInfected < 1) bad('at least one initial infected host');
  if (c.filtering && (c.filtering.fraction < 0 || c.filtering.fraction > 1)) bad('filtering fraction outside [0, 1]');
  if (c.strategy.kind === 'local-preference') {
    const sum = c.strategy.mix.reduce((a, m) => a + m.weight, 0);
    if (Math.abs(sum - 1) > 1e-9) bad('local-preference weights must sum to 1');
  }
}
