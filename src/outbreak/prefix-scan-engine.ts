// Engines for scanners that pick targets uniformly inside their own /prefix (uniform, Code Red II
// local preference, hit-list then uniform). Aggregated: per-block Poisson rates and binomial draws,
// exact in distribution up to the time step (a host infected during a step scans from the next one),
// no per-scan work, so a day at 10^6 hosts is cheap. Exact: every scan drawn, for small runs.

import type { PrefixWeight } from './outbreak-config.js';
import type { HostPool } from './host-pool.js';
import type { SeededRng } from './seeded-rng.js';

export class PrefixScanEngine {
  readonly mix: readonly PrefixWeight[];
  protected readonly pool: HostPool;
  protected readonly rng: SeededRng;

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

/**
 * The same scanners simulated scan by scan: each scan picks a mixture component, then a uniform
 * target inside the host's own /prefix block, looked up among the vulnerable addresses. Exact, and
 * used when the whole run needs few enough scans (see EXACT_SCAN_BUDGET); a cross-check of the
 * aggregated engine on small populations.
 */
export class ExactScanEngine extends PrefixScanEngine {
  private readonly cumWeight: Float64Array;

  constructor(pool: HostPool, mix: readonly PrefixWeight[], rng: SeededRng) {
    super(pool, mix, rng);
    let acc = 0;
    this.cumWeight = Float64Array.from(mix, (m) => (acc += m.weight));
  }

  override step(t: number, dt: number, eta: number, pass: number): void {
    const { pool, rng: r } = this;
    const { addrs } = pool;
    const whole = Math.floor(eta * dt), frac = eta * dt - whole;
    const n0 = pool.activeCount;
    for (let i = 0; i < n0; i++) {
      const own = addrs[pool.active[i]];
      const scans = whole + (r.next() < frac ? 1 : 0);
      for (let s = 0; s < scans; s++) {
        const target = this.target(own, r);
        const h = indexOf(addrs, target);
        if (h >= 0 && (pass >= 1 || r.next() < pass)) pool.infect(h, t + ((s + r.next()) / Math.max(scans, 1)) * dt);
      }
    }
  }

  private target(own: number, r: SeededRng): number {
    const u = r.next() * this.cumWeight[this.cumWeight.length - 1];
    let c = 0;
    while (c < this.cumWeight.length - 1 && this.cumWeight[c] <= u) c++;
    const span = 2 ** (32 - this.mix[c].prefix);
    return Math.floor(own / span) * span + r.int(span);
  }
}

/** Index of addr in the sorted array, or -1. */
function indexOf(a: Uint32Array, addr: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < addr) lo = mid + 1;
    else if (a[mid] > addr) hi = mid - 1;
    else return mid;
  }
  return -1;
}
