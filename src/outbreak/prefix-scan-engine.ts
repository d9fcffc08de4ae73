// Aggregated engine for scanners that pick targets uniformly inside their own /prefix (uniform,
// Code Red II local preference, hit-list then uniform): per-block Poisson rates, binomial draws.
// Exact in distribution for such scanners up to the time step (a host infected during a step
// starts scanning at the next one); no per-scan work, so a day at 10^6 hosts is cheap.

import type { PrefixWeight } from './outbreak-config.js';
import type { HostPool } from './host-pool.js';
import type { SeededRng } from './seeded-rng.js';

export class PrefixScanEngine {
  readonly mix: readonly PrefixWeight[];
  private readonly pool: HostPool;
  private readonly rng: SeededRng;

  constructor(pool: HostPool, mix: readonly PrefixWeight[], rng: SeededRng) {
    this.pool = pool;
    this.mix = mix;
    this.rng = rng;
  }

  /**
   * Infection attempts in [t, t+dt) at `eta` scans/s per active host, of which `pass` get through
   * filtering. Scans from a block's infected hosts land uniformly in that block's address span, so
   * every susceptible host there is hit at rate w*eta*I_b/span; the mixture components are
   * independent processes, and a host hit by either is infected (drawn among those still susceptible).
   */
  step(t: number, dt: number, eta: number, pass: number): void {
    const { pool, rng } = this;
    for (const comp of this.mix) {
      const lvl = pool.level(comp.prefix);
      const span = 2 ** (32 - comp.prefix);
      const { start, count } = lvl.blocks;
      for (let b = 0; b < count; b++) {
        const ia = lvl.active[b];
        const s = lvl.susceptible[b];
        if (ia === 0 || s === 0) continue;
        const perAddr = (comp.weight * eta * ia) / span;
        const k = rng.binomial(s, -Math.expm1(-perAddr * dt * pass));
        pool.pickSusceptible(start[b], start[b + 1], s, k, rng, (h) => pool.infect(h, t + rng.next() * dt));
      }
    }
  }

  /**
   * Probability that one scan of host h lands in the monitored set: for each mixture component,
   * its weight times the monitored share of the host's own /prefix block.
   */
  monitorHitProbability(h: number, monitoredIn: (prefix: number, addr: number) => number): number {
    const addr = this.pool.addrs[h];
    let p = 0;
    for (const comp of this.mix) p += (comp.weight * monitoredIn(comp.prefix, addr)) / 2 ** (32 - comp.prefix);
    return p;
  }
}
