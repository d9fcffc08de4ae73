// Runs the outbreak simulator to its horizon and records the time series (susceptible, infected,
// patched, removed, ever infected, and sources seen by each telescope monitor); callbacks report
// progress and expose every step, so callers stream or stop without the library printing anything.

import type { MonitorSet } from './monitor-spec.js';
import type { OutbreakConfig } from './outbreak-config.js';
import { OutbreakSimulator } from './outbreak-simulator.js';
import type { SimulationMethod, StepContext } from './outbreak-simulator.js';
import { firstSeenTimes, seenSeries } from './telescope-view.js';

export interface OutbreakSeries {
  readonly time_s: Float64Array;
  readonly susceptible: Float64Array;
  /** Actively infected (scanning) hosts. */
  readonly infected: Float64Array;
  readonly patched: Float64Array;
  readonly removed: Float64Array;
  readonly everInfected: Float64Array;
  /** Distinct infected sources seen so far, one array per monitor. */
  readonly observed: readonly Float64Array[];
}

export interface OutbreakRun {
  readonly name: string;
  readonly seed: number;
  readonly method: SimulationMethod;
  readonly population: number;
  readonly series: OutbreakSeries;
}

export interface RunOptions {
  /** Seconds between recorded rows (rounded to whole steps); default: every step. */
  readonly sampleEvery?: number;
  readonly monitors?: readonly MonitorSet[];
  /** Called before each step with the step's starting state. */
  readonly onStep?: (ctx: StepContext) => void;
  /** Called after each step with simulated time and horizon (seconds). */
  readonly onProgress?: (t: number, horizon: number) => void;
}

/** Steps the simulator to its horizon, yielding after each step (drive it sync or async). */
function* stepRun(config: OutbreakConfig, seed: number, opts: RunOptions): Generator<void, OutbreakRun> {
  const sim = new OutbreakSimulator(config, seed);
  const every = Math.max(1, Math.round((opts.sampleEvery ?? config.dt) / config.dt));
  const rows = Math.ceil(config.horizon / config.dt / every) + 1;
  const cols = ['time_s', 'susceptible', 'infected', 'patched', 'removed', 'everInfected'] as const;
  const data = Object.fromEntries(cols.map((c) => [c, new Float64Array(rows)])) as Record<(typeof cols)[number], Float64Array>;
  let row = 0;
  const record = () => {
    const p = sim.pool;
    data.time_s[row] = sim.t;
    data.susceptible[row] = p.susceptible;
    data.infected[row] = p.activeCount;
    data.patched[row] = p.patched;
    data.removed[row] = p.removed;
    data.everInfected[row] = p.everInfected;
    row++;
  };
  record();
  while (!sim.done) {
    sim.advance(opts.onStep);
    if (sim.steps % every === 0 || sim.done) record();
    opts.onProgress?.(sim.t, config.horizon);
    yield;
  }
  const trimmed = Object.fromEntries(cols.map((c) => [c, data[c].slice(0, row)])) as typeof data;
  const observed = (opts.monitors ?? []).map((m) => seenSeries(firstSeenTimes(sim, m), trimmed.time_s));
  return { name: config.name, seed, method: sim.method, population: sim.pool.n, series: { ...trimmed, observed } };
}

export function runOutbreak(config: OutbreakConfig, seed: number, opts: RunOptions = {}): OutbreakRun {
  const it = stepRun(config, seed, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/** Same as runOutbreak, but gives the event loop a turn every `sliceMs` (progress displays, signals). */
export async function runOutbreakAsync(config: OutbreakConfig, seed: number, opts: RunOptions = {}, sliceMs = 100): Promise<OutbreakRun> {
  const it = stepRun(config, seed, opts);
  let last = Date.now();
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    if (Date.now() - last >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = Date.now();
    }
  }
}

/** Index of the first row at which `everInfected` reaches fraction f of the population, or -1. */
export function rowReaching(run: OutbreakRun, f: number): number {
  const goal = f * run.population;
  return run.series.everInfected.findIndex((x) => x >= goal);
}
