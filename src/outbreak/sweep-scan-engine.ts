// Exact engine for scanners that sweep an ordered space: sequential (Blaster: upward from A.B.C.0)
// and permutation scanning (a shared pseudo-random order; on meeting an infected host, jump).
// Every susceptible address a host passes is met in order; work is O(infections + calendar visits).

import { INFECTED, SUSCEPTIBLE } from './host-pool.js';
import type { HostPool } from './host-pool.js';
import type { ScanStrategy } from './outbreak-config.js';
import type { SeededRng } from './seeded-rng.js';

const SPACE = 2 ** 32;

/** Invertible 32-bit mixer (xor-shift / odd multiply rounds): the shared permutation's order. */
export function permute(addr: number, key: number): number {
  let x = (addr ^ key) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function inverseOdd(m: number): number {
  let x = m; // Newton's iteration doubles the correct low bits each round: 3, 6, 12, 24, 48
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(m, x));
  return x >>> 0;
}
const INV_A = inverseOdd(0x7feb352d);
const INV_B = inverseOdd(0x846ca68b);

export function unpermute(pos: number, key: number): number {
  let x = pos >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, INV_B);
  x ^= (x >>> 15) ^ (x >>> 30);
  x = Math.imul(x, INV_A);
  x ^= x >>> 16;
  return (x ^ key) >>> 0;
}

type SweepStrategy = Extract<ScanStrategy, { kind: 'sequential' | 'permutation' }>;

/**
 * Hosts are visited only in steps where they can reach their next susceptible address: a calendar of
 * per-step lists (linked through `nextInBucket`) holds each host under the earliest step in which,
 * even at the full scan rate, its scans could get there. Addresses that are no longer susceptible
 * are skipped through a union-find "next susceptible" table (lazy deletion, path halving), so the
 * work is O(infections + visits), not O(every vulnerable address passed): passing an infected host
 * changes nothing for a sequential scanner. Positions are kept lazily: `cur` is valid at per-host
 * cumulative scan count `lastCum` (the simulator's clock of scans, bandwidth cap included).
 * Permutation scanners jump when they pass an infected host; that is checked once per visit, at the
 * first vulnerable address passed (an approximation: the jump is taken when the host is next visited).
 */
export class SweepScanEngine {
  readonly strategy: SweepStrategy;
  readonly permutationKey: number;
  /** Vulnerable hosts' positions in sweep order, ascending, and the host at each position. */
  readonly positions: Float64Array;
  private readonly hostAt: Int32Array;
  private readonly cur: Float64Array;
  private readonly lastCum: Float64Array;
  private readonly ptr: Int32Array;
  readonly startPos: Float64Array;
  private readonly bucketHead: Int32Array;
  private readonly nextInBucket: Int32Array;
  private readonly maxScansPerStep: number;
  /** Union-find over position indices: nextSus[i] leads to the first susceptible index >= i (n: none). */
  private readonly nextSus: Int32Array;
  private readonly pool: HostPool;
  private readonly rng: SeededRng;

  constructor(pool: HostPool, strategy: SweepStrategy, rng: SeededRng, scanRate: number, dt: number, steps: number) {
    this.pool = pool;
    this.strategy = strategy;
    this.rng = rng;
    this.permutationKey = rng.u32();
    const n = pool.n;
    this.cur = new Float64Array(n);
    this.lastCum = new Float64Array(n);
    this.ptr = new Int32Array(n);
    this.startPos = new Float64Array(n).fill(NaN);
    this.bucketHead = new Int32Array(steps + 1).fill(-1);
    this.nextInBucket = new Int32Array(n).fill(-1);
    this.maxScansPerStep = scanRate * dt;
    this.nextSus = Int32Array.from({ length: n + 1 }, (_, i) => i);
    if (strategy.kind === 'sequential') {
      this.positions = Float64Array.from(pool.addrs);
      this.hostAt = Int32Array.from({ length: n }, (_, i) => i);
    } else {
      const pos = new Float64Array(n);
      for (let i = 0; i < n; i++) pos[i] = permute(pool.addrs[i], this.permutationKey);
      const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => pos[a] - pos[b]);
      this.positions = Float64Array.from(order, (i) => pos[i]);
      this.hostAt = order;
    }
  }

  /** Sweep position of an active host when the per-host scan clock reads cumNow. */
  positionAt(h: number, cumNow: number): number {
    return this.cur[h] + Math.max(0, cumNow - this.lastCum[h]);
  }

  /** Blaster's choice of start: A.B.C.0, local /16 with probability localFraction, C backed off. */
  private chooseStart(h: number): number {
    const s = this.strategy;
    if (s.kind === 'permutation') return this.rng.int(SPACE);
    if (this.rng.next() < s.localFraction) {
      const a = this.pool.addrs[h];
      let c = (a >>> 8) & 255;
      if (c > s.localBackoff) c -= this.rng.int(s.localBackoff);
      return ((a & 0xffff0000) | (c << 8)) >>> 0;
    }
    return (((1 + this.rng.int(254)) << 24) | (this.rng.int(254) << 16) | (this.rng.int(254) << 8)) >>> 0;
  }

  /**
   * Starts the sweep of a host infected when the scan clock read cumAt, during step k (-1 before
   * the first step) whose end the clock reaches at cumEnd.
   */
  begin(h: number, cumAt: number, k: number, cumEnd: number): void {
    const start = this.chooseStart(h);
    this.startPos[h] = start;
    this.cur[h] = start;
    this.lastCum[h] = cumAt;
    this.ptr[h] = lowerBound(this.positions, start);
    this.schedule(h, k, cumEnd);
  }

  /** Index of the first susceptible position at or after index i (positions.length when none). */
  private susceptibleFrom(i: number): number {
    const p = this.nextSus;
    const n = this.positions.length;
    let j = i;
    for (;;) {
      while (p[j] !== j) {
        p[j] = p[p[j]];
        j = p[j];
      }
      if (j === n || this.pool.state[this.hostAt[j]] === SUSCEPTIBLE) return j;
      p[j] = j + 1; // lazily drop an address that stopped being susceptible
    }
  }

  /** Files h under the earliest step after k in which it could reach its next susceptible address. */
  private schedule(h: number, k: number, cumEnd: number): void {
    const n = this.positions.length;
    let j = this.susceptibleFrom(this.ptr[h]);
    let dist: number;
    if (j < n) dist = this.positions[j] - this.cur[h];
    else {
      j = this.susceptibleFrom(0);
      if (j === n) return; // nobody left to infect: the host sweeps on without effect
      dist = SPACE - this.cur[h] + this.positions[j];
    }
    const goal = this.lastCum[h] + Math.max(0, dist);
    const step = Math.max(k + 1, k + Math.ceil((goal - cumEnd) / this.maxScansPerStep));
    if (step >= this.bucketHead.length) return; // beyond the horizon
    this.nextInBucket[h] = this.bucketHead[step];
    this.bucketHead[step] = h;
  }

  /** Step k covers [t, t+dt), the per-host scan clock going from cumStart to cumStart + eta*dt. */
  step(k: number, t: number, dt: number, eta: number, pass: number, cumStart: number): void {
    const cumEnd = cumStart + eta * dt;
    let h = this.bucketHead[k];
    this.bucketHead[k] = -1;
    while (h >= 0) {
      const next = this.nextInBucket[h];
      if (this.pool.state[h] === INFECTED) {
        this.sweep(h, k, t, dt, eta, pass, cumStart, cumEnd);
        this.schedule(h, k, cumEnd);
      }
      h = next;
    }
  }

  private sweep(h: number, k: number, t: number, dt: number, eta: number, pass: number, cumStart: number, cumEnd: number): void {
    const { positions, hostAt, pool, rng } = this;
    const n = positions.length;
    const permutation = this.strategy.kind === 'permutation';
    let cur = this.cur[h];
    let ptr = this.ptr[h];
    let clock = this.lastCum[h]; // scan clock at position cur
    let jumped = !permutation;
    while (clock < cumEnd) {
      const end = cur + (cumEnd - clock);
      const limit = Math.min(end, SPACE);
      let j = this.susceptibleFrom(ptr);
      if (!jumped && ptr < j && ptr < n && positions[ptr] < limit && pool.state[hostAt[ptr]] === INFECTED && hostAt[ptr] !== h) {
        // Someone already sweeps from here on: move to a fresh random point of the order.
        jumped = true;
        clock += positions[ptr] + 1 - cur;
        cur = rng.int(SPACE);
        ptr = lowerBound(positions, cur);
        continue;
      }
      while (j < n && positions[j] < limit) {
        const target = hostAt[j];
        const c = clock + (positions[j] - cur);
        const at = eta > 0 ? t + Math.max(0, (c - cumStart) / eta) : t;
        if ((pass >= 1 || rng.next() < pass) && pool.infect(target, Math.min(at, t + dt))) this.begin(target, c, k, cumEnd);
        j = this.susceptibleFrom(j + 1);
      }
      if (end < SPACE) {
        cur = end;
        clock = cumEnd;
        ptr = permutation ? lowerBound(positions, cur) : j;
        break;
      }
      clock += SPACE - cur; // wrap around the top of the space
      cur = 0;
      ptr = 0;
    }
    this.cur[h] = cur;
    this.ptr[h] = ptr;
    this.lastCum[h] = clock;
  }
}

export function lowerBound(a: Float64Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
