// Seeded pseudo-random numbers for the outbreak simulator: xoshiro128** (Blackman & Vigna 2018)
// seeded through splitmix32, plus the samplers the simulator needs (geometric, Poisson, binomial).
// Hand-written because no dependency of ours offers a seedable PRNG; same seed, same sequence.

/** Mixes a 32-bit state into a well-distributed 32-bit output (splitmix32). */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Largest mean for which Poisson and binomial sampling are done exactly by inversion; above it a
 * normal approximation is used (relative error of the variance well under 1% at this size). */
export const EXACT_SAMPLING_MEAN = 30;

export class SeededRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const st = { s: seed | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // the all-zero state is a fixed point
  }

  /** Next 32-bit unsigned integer (xoshiro128**). */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n) for n up to 2^32. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller; one value per call is enough here). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Number of Bernoulli(p) trials up to and including the first success (>= 1). */
  geometric(p: number): number {
    if (p >= 1) return 1;
    if (p <= 0) return Infinity;
    return Math.floor(Math.log(1 - this.next()) / Math.log1p(-p)) + 1;
  }

  /** Exponential waiting time with the given rate. */
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }

  /** Poisson(mean): exact by inversion up to EXACT_SAMPLING_MEAN, normal approximation above. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > EXACT_SAMPLING_MEAN) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    let k = 0;
    let p = Math.exp(-mean);
    let cdf = p;
    const u = this.next();
    while (u > cdf && k < 1000) {
      k++;
      p *= mean / k;
      cdf += p;
    }
    return k;
  }

  /** Binomial(n, p): exact (geometric skipping) while n*min(p,1-p) is small, normal above. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    const mean = n * p;
    if (mean > EXACT_SAMPLING_MEAN) {
      const x = Math.round(mean + Math.sqrt(mean * (1 - p)) * this.normal());
      return Math.min(n, Math.max(0, x));
    }
    // Skip from success to success: the gap between Bernoulli successes is geometric.
    let k = 0;
    let pos = this.geometric(p);
    while (pos <= n) {
      k++;
      pos += this.geometric(p);
    }
    return k;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
