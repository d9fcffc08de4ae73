// The vulnerable population's state during a simulation run, in typed arrays (no per-host objects):
// susceptible / infected / patched / removed per host, the list of active infected hosts, and
// per-prefix-block counts so that scanning engines can compute per-block rates in O(blocks).

import { indexBlocks } from './address-layout.js';
import type { PrefixBlocks } from './address-layout.js';
import type { SeededRng } from './seeded-rng.js';

export const SUSCEPTIBLE = 0;
export const INFECTED = 1;
export const PATCHED = 2;
export const REMOVED = 3;

interface LevelCounts {
  readonly blocks: PrefixBlocks;
  readonly active: Int32Array;
  readonly susceptible: Int32Array;
}

export class HostPool {
  readonly n: number;
  readonly addrs: Uint32Array;
  readonly state: Uint8Array;
  readonly infectedAt: Float64Array;
  /** Time the host stopped scanning (patched or removed while infected); Infinity if never. */
  readonly leftAt: Float64Array;
  /** Active infected hosts at the start of the current step, then the ones that joined during it. */
  readonly active: Int32Array;
  private readonly activePos: Int32Array;
  activeCount = 0;
  /** Hosts infected during the current step; they start scanning at the next one. */
  private readonly pending: Int32Array;
  private pendingCount = 0;
  susceptible: number;
  patched = 0;
  removed = 0;
  everInfected = 0;
  private readonly levels = new Map<number, LevelCounts>();

  constructor(addrs: Uint32Array, prefixes: readonly number[]) {
    this.n = addrs.length;
    this.addrs = addrs;
    this.state = new Uint8Array(this.n);
    this.infectedAt = new Float64Array(this.n).fill(NaN);
    this.leftAt = new Float64Array(this.n).fill(Infinity);
    this.active = new Int32Array(this.n);
    this.activePos = new Int32Array(this.n).fill(-1);
    this.pending = new Int32Array(this.n);
    this.susceptible = this.n;
    for (const p of prefixes) {
      const blocks = indexBlocks(addrs, p);
      const susceptible = new Int32Array(blocks.count);
      for (let b = 0; b < blocks.count; b++) susceptible[b] = blocks.start[b + 1] - blocks.start[b];
      this.levels.set(p, { blocks, active: new Int32Array(blocks.count), susceptible });
    }
  }

  level(prefix: number): LevelCounts {
    const l = this.levels.get(prefix);
    if (!l) throw new Error(`prefix level /${prefix} not indexed`);
    return l;
  }

  /** Marks a susceptible host infected at time t; it scans from the next step (see activatePending). */
  infect(h: number, t: number): boolean {
    if (this.state[h] !== SUSCEPTIBLE) return false;
    this.state[h] = INFECTED;
    this.infectedAt[h] = t;
    this.susceptible--;
    this.everInfected++;
    for (const l of this.levels.values()) l.susceptible[l.blocks.blockOf[h]]--;
    this.pending[this.pendingCount++] = h;
    return true;
  }

  /** Newly infected hosts join the active list; returns how many joined. */
  activatePending(): number {
    const k = this.pendingCount;
    for (let i = 0; i < k; i++) {
      const h = this.pending[i];
      if (this.state[h] !== INFECTED || this.activePos[h] >= 0) continue;
      this.activePos[h] = this.activeCount;
      this.active[this.activeCount++] = h;
      for (const l of this.levels.values()) l.active[l.blocks.blockOf[h]]++;
    }
    this.pendingCount = 0;
    return k;
  }

  /** Patches a susceptible host (it can no longer be infected). */
  immunise(h: number): void {
    if (this.state[h] !== SUSCEPTIBLE) return;
    this.state[h] = PATCHED;
    this.susceptible--;
    this.patched++;
    for (const l of this.levels.values()) l.susceptible[l.blocks.blockOf[h]]--;
  }

  /** Stops an active infected host: patched (cleaned) or removed (crashed, disconnected). */
  retire(h: number, t: number, to: typeof PATCHED | typeof REMOVED): void {
    const pos = this.activePos[h];
    if (pos < 0) return;
    const last = this.active[--this.activeCount];
    this.active[pos] = last;
    this.activePos[last] = pos;
    this.activePos[h] = -1;
    this.state[h] = to;
    this.leftAt[h] = t;
    if (to === PATCHED) this.patched++;
    else this.removed++;
    for (const l of this.levels.values()) l.active[l.blocks.blockOf[h]]--;
  }

  /**
   * Calls fn for k distinct susceptible hosts drawn uniformly from sorted range [lo, hi) holding
   * `avail` susceptible hosts. Rejection sampling while they are dense; a scan of the range when
   * sparse, so the expected work stays O(k + range * k/avail).
   */
  pickSusceptible(lo: number, hi: number, avail: number, k: number, rng: SeededRng, fn: (h: number) => void): void {
    if (k <= 0 || avail <= 0) return;
    k = Math.min(k, avail);
    const span = hi - lo;
    if (avail * 8 >= span) {
      for (let got = 0; got < k; ) {
        const h = lo + rng.int(span);
        if (this.state[h] === SUSCEPTIBLE) {
          fn(h); // fn changes the host's state, so it cannot be drawn twice
          got++;
        }
      }
      return;
    }
    const cand: number[] = [];
    for (let h = lo; h < hi; h++) if (this.state[h] === SUSCEPTIBLE) cand.push(h);
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(cand.length - i);
      const t = cand[i];
      cand[i] = cand[j];
      cand[j] = t;
      fn(cand[i]);
    }
  }

  /** Calls fn for k distinct active infected hosts drawn uniformly (the list must not change meanwhile). */
  pickActive(k: number, rng: SeededRng, fn: (h: number) => void): void {
    const chosen = new Set<number>();
    k = Math.min(k, this.activeCount);
    while (chosen.size < k) chosen.add(this.active[rng.int(this.activeCount)]);
    for (const h of chosen) fn(h);
  }
}
