// A simulated telescope feed as a stream: the worm's scans into the monitor plus background noise,
// step by step in time order, ready for detectors (`for (const b of telescopeStream(...)) det.push(ev)`).

import type { ConnEvent } from '../model/event.js';
import { BackgroundNoise } from './background-noise.js';
import type { NoiseSpec } from './background-noise.js';
import type { MonitorSet } from './monitor-spec.js';
import type { OutbreakSimulator } from './outbreak-simulator.js';
import { TelescopeView } from './telescope-view.js';

export interface StreamOptions {
  /** Wall-clock time of simulation time 0, ms since the epoch. */
  readonly epochMs: number;
  /** Background noise mixed in (none when absent). */
  readonly noise?: NoiseSpec;
  /** Seconds of the noise generator's clock at simulation time 0 (after a warm-up, say). */
  readonly noiseOffset_s?: number;
  /** An existing noise generator to continue (its clock must match noiseOffset_s). */
  readonly noiseSource?: BackgroundNoise;
}

/** One simulator step of telescope traffic. */
export interface TelescopeBatch {
  /** Step start (s of simulation time) and the state at that moment. */
  readonly t: number;
  readonly dt: number;
  readonly everInfected: number;
  readonly activeInfected: number;
  /** Events of the step sorted by time; `worm` of them came from the outbreak. */
  readonly events: readonly ConnEvent[];
  readonly worm: number;
  /** Event time (ms) at which the step ends: flush detectors to it. */
  readonly endMs: number;
}

/**
 * Advances the simulator to its horizon (or until the consumer stops iterating), yielding each
 * step's events. Nothing is buffered beyond one step, so a long outbreak streams in bounded memory.
 */
export function* telescopeStream(sim: OutbreakSimulator, monitor: MonitorSet, opts: StreamOptions): Generator<TelescopeBatch> {
  const view = new TelescopeView(monitor, sim.seed, { epochMs: opts.epochMs });
  const offset = opts.noiseOffset_s ?? 0;
  const noise = opts.noiseSource
    ?? (opts.noise ? new BackgroundNoise(opts.noise, monitor, sim.seed, opts.epochMs - offset * 1000) : undefined);
  while (!sim.done) {
    const events: ConnEvent[] = [];
    let worm = 0, t = 0, dt = 0;
    const everInfected = sim.pool.everInfected, activeInfected = sim.pool.activeCount;
    sim.advance((ctx) => {
      ({ t, dt } = ctx);
      view.scansInStep(ctx, (e) => {
        worm++;
        events.push(e);
      });
      noise?.eventsIn(offset + ctx.t, ctx.dt, (e) => events.push(e));
    });
    events.sort((a, b) => a.ts - b.ts);
    yield { t, dt, everInfected, activeInfected, events, worm, endMs: opts.epochMs + (t + dt) * 1000 };
  }
}
