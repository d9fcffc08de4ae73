// What a network telescope (monitored dark address blocks) sees of a simulated outbreak: the worm's
// scans that land in it, as Vigil ConnEvents with source 'sim', and when each infected host is first seen.
// Prefix-mixture scanners: per-block Poisson counts (aggregated); sweeps: exact addresses crossed.

import type { ConnEvent } from '../model/event.js';
import { ipToString } from './address-layout.js';
import { INFECTED } from './host-pool.js';
import { monitoredAddress, monitoredBelow, monitoredIn, nextMonitored } from './monitor-spec.js';
import type { MonitorSet } from './monitor-spec.js';
import type { OutbreakSimulator, StepContext } from './outbreak-simulator.js';
import { PrefixScanEngine } from './prefix-scan-engine.js';
import { SeededRng } from './seeded-rng.js';

const SPACE = 2 ** 32;

/** Monitored addresses inside the /prefix block that holds addr. */
function monitoredInBlockOf(m: MonitorSet, prefix: number, addr: number): number {
  const span = 2 ** (32 - prefix);
  const base = Math.floor(addr / span) * span;
  return monitoredIn(m, base, base + span);
}

/**
 * Time each host was first seen by the telescope (Infinity: infected but never seen by the end of
 * the run or before it stopped scanning; NaN: never infected). A host's scans until its first hit
 * on the monitor are geometric for random scanners (Bernoulli per scan) and exact for a sequential
 * sweep (the distance from its start to the next monitored address); the scan count is converted
 * to time through the run's per-host scan rate history (bandwidth cap included).
 */
export function firstSeenTimes(sim: OutbreakSimulator, m: MonitorSet, seed = sim.seed ^ 0x5eed): Float64Array {
  const { pool, engine } = sim;
  const rng = new SeededRng(seed);
  const out = new Float64Array(pool.n).fill(NaN);
  const dt = sim.config.dt;
  const cache = new Map<string, number>();
  const inBlock = (prefix: number, addr: number): number => {
    const key = `${prefix}:${Math.floor(addr / 2 ** (32 - prefix))}`;
    let v = cache.get(key);
    if (v === undefined) cache.set(key, (v = monitoredInBlockOf(m, prefix, addr)));
    return v;
  };
  for (let h = 0; h < pool.n; h++) {
    const t0 = pool.infectedAt[h];
    if (Number.isNaN(t0)) continue;
    let scans: number;
    let start: number;
    if (engine instanceof PrefixScanEngine) {
      scans = rng.geometric(engine.monitorHitProbability(h, inBlock));
      start = t0 === 0 ? 0 : (Math.floor(t0 / dt) + 1) * dt; // scanning begins at the next step
    } else if (engine.strategy.kind === 'sequential') {
      const from = engine.startPos[h];
      let hit = nextMonitored(m, from);
      if (hit < 0) hit = nextMonitored(m, 0) + SPACE; // the sweep wraps past 255.255.255.255
      scans = hit - from + 1;
      start = t0;
    } else {
      scans = rng.geometric(m.total / SPACE); // a permutation visits monitor addresses at random
      start = t0;
    }
    const seen = sim.timeAfterScans(start, scans);
    out[h] = seen <= pool.leftAt[h] ? seen : Infinity;
  }
  return out;
}

/** Cumulative count of distinct sources seen by each sample time. */
export function seenSeries(firstSeen: Float64Array, times: ArrayLike<number>): Float64Array {
  const seen = Float64Array.from(firstSeen.filter((x) => Number.isFinite(x))).sort();
  const out = new Float64Array(times.length);
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (j < seen.length && seen[j] <= times[i]) j++;
    out[i] = j;
  }
  return out;
}

export interface TelescopeOptions {
  /** Simulation time 0 in ms since the epoch (event timestamps are epochMs + t * 1000). */
  readonly epochMs: number;
}

/**
 * Generates the worm's scans landing in the monitor during one simulator step. Call it from the
 * simulator's observe hook (state at the start of the step). Events are not sorted.
 */
export class TelescopeView {
  readonly monitor: MonitorSet;
  private readonly rng: SeededRng;
  private readonly opts: TelescopeOptions;
  /** Per prefix level of the scanning mixture: blocks (index) with monitored addresses, and how many. */
  private readonly touched = new Map<number, Array<[number, number]>>();

  constructor(monitor: MonitorSet, seed: number, opts: TelescopeOptions) {
    this.monitor = monitor;
    this.rng = new SeededRng(seed ^ 0x7e1e5c0);
    this.opts = opts;
  }

  scansInStep(ctx: StepContext, emit: (ev: ConnEvent) => void): void {
    const engine = ctx.sim.engine;
    if (engine instanceof PrefixScanEngine) this.prefixScans(ctx, engine, emit);
    else if (engine.strategy.kind === 'sequential') this.sweepScans(ctx, emit);
    else this.randomOrderScans(ctx, emit);
  }

  private event(ctx: StepContext, src: number, dst: number, t: number): ConnEvent {
    const c = ctx.sim.config;
    return {
      type: 'conn', source: 'sim', ts: this.opts.epochMs + t * 1000, src: ipToString(src), dst: ipToString(dst),
      proto: c.proto, dport: c.port, outcome: 'failure',
    };
  }

  private touchedBlocks(sim: OutbreakSimulator, prefix: number): Array<[number, number]> {
    let list = this.touched.get(prefix);
    if (!list) {
      const blocks = sim.pool.level(prefix).blocks;
      const span = 2 ** (32 - prefix);
      list = [];
      for (let b = 0; b < blocks.count; b++) {
        const k = monitoredIn(this.monitor, blocks.base[b], blocks.base[b] + span);
        if (k > 0) list.push([b, k]);
      }
      this.touched.set(prefix, list);
    }
    return list;
  }

  private prefixScans(ctx: StepContext, engine: PrefixScanEngine, emit: (ev: ConnEvent) => void): void {
    const { sim, t, dt, eta } = ctx;
    const { pool } = sim;
    const rng = this.rng;
    for (const comp of engine.mix) {
      const lvl = pool.level(comp.prefix);
      const span = 2 ** (32 - comp.prefix);
      for (const [b, inMon] of this.touchedBlocks(sim, comp.prefix)) {
        const ia = lvl.active[b];
        if (ia === 0) continue;
        const hits = rng.poisson((comp.weight * eta * dt * ia * inMon) / span);
        const below = monitoredBelow(this.monitor, lvl.blocks.base[b]);
        const lo = lvl.blocks.start[b], hi = lvl.blocks.start[b + 1];
        for (let i = 0; i < hits; i++) {
          let h: number;
          if (comp.prefix === 0) h = pool.active[rng.int(pool.activeCount)];
          else do h = lo + rng.int(hi - lo); while (pool.state[h] !== INFECTED);
          const dst = monitoredAddress(this.monitor, below + rng.int(inMon));
          emit(this.event(ctx, pool.addrs[h], dst, t + rng.next() * dt));
        }
      }
    }
  }

  /** Sequential sweeps: every monitored address between a host's position and where it stops. */
  private sweepScans(ctx: StepContext, emit: (ev: ConnEvent) => void): void {
    const { sim, t, dt, eta } = ctx;
    const engine = sim.engine as Exclude<typeof sim.engine, PrefixScanEngine>;
    const { pool } = sim;
    const cum = sim.cumScans[sim.cumScans.length - 1];
    for (let i = 0; i < pool.activeCount; i++) {
      const h = pool.active[i];
      const from = engine.positionAt(h, cum);
      const len = eta * dt;
      const to = Math.min(from + len, SPACE);
      for (let x = nextMonitored(this.monitor, from); x >= 0 && x < to; x = nextMonitored(this.monitor, x + 1)) {
        emit(this.event(ctx, pool.addrs[h], x, t + ((x - from) / len) * dt));
      }
    }
  }

  /** Permutation order: monitored addresses are crossed at random, so counts are Poisson. */
  private randomOrderScans(ctx: StepContext, emit: (ev: ConnEvent) => void): void {
    const { sim, t, dt, eta } = ctx;
    const { pool } = sim;
    const hits = this.rng.poisson((pool.activeCount * eta * dt * this.monitor.total) / SPACE);
    for (let i = 0; i < hits; i++) {
      const h = pool.active[this.rng.int(pool.activeCount)];
      const dst = monitoredAddress(this.monitor, this.rng.int(this.monitor.total));
      emit(this.event(ctx, pool.addrs[h], dst, t + this.rng.next() * dt));
    }
  }
}
