// A random permutation of 0..n-1 in constant memory, after zmap's lib/cyclic.c: the multiplicative
// group of integers modulo a prime p > n is cyclic, so for a generator g the sequence x, xg, xg^2, ...
// (mod p) visits every element 1..p-1 exactly once before returning to x. Elements above n are
// skipped. A random generator and a random start give a different order per scan, which spreads the
// load over a network as zmap does, and the whole state is four numbers, which makes a scan resumable.

import { randomInt } from 'node:crypto';
import { AppError } from '../core/errors.js';

/** Largest space this arithmetic handles: products of two numbers below p stay exact in doubles. */
export const MAX_PERMUTATION_SIZE = 2 ** 32 - 6;

/** a * b mod m for a, b < m < 2^32 without BigInt: split b in 16-bit halves so no product exceeds 2^49. */
export function mulmod(a: number, b: number, m: number): number {
  return (((a * Math.floor(b / 65536)) % m) * 65536 + a * (b % 65536)) % m;
}

function powmod(base: number, exp: number, m: number): number {
  let r = 1 % m;
  let b = base % m;
  let e = exp;
  while (e > 0) {
    if (e % 2 === 1) r = mulmod(r, b, m);
    b = mulmod(b, b, m);
    e = Math.floor(e / 2);
  }
  return r;
}

/** Deterministic Miller-Rabin: bases 2, 3, 5, 7, 11 decide every n below 2.1e12 (Jaeschke 1993). */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (const q of [2, 3, 5, 7, 11]) if (n % q === 0) return n === q;
  let d = n - 1;
  let s = 0;
  while (d % 2 === 0) {
    d /= 2;
    s++;
  }
  for (const a of [2, 3, 5, 7, 11]) {
    let x = powmod(a, d, n);
    if (x === 1 || x === n - 1) continue;
    let composite = true;
    for (let i = 1; i < s && composite; i++) {
      x = mulmod(x, x, n);
      if (x === n - 1) composite = false;
    }
    if (composite) return false;
  }
  return true;
}

function primeFactors(n: number): number[] {
  const out: number[] = [];
  let m = n;
  for (let q = 2; q * q <= m; q += q === 2 ? 1 : 2) {
    if (m % q === 0) {
      out.push(q);
      while (m % q === 0) m /= q;
    }
  }
  if (m > 1) out.push(m);
  return out;
}

export interface PermutationState {
  readonly n: number;
  readonly prime: number;
  readonly generator: number;
  /** The group element the walk began at (it ends when it comes back). */
  readonly start: number;
  /** The element to be visited next. */
  readonly current: number;
  /** Whether `current` has been visited already (true only at the very end). */
  readonly done: boolean;
}

export class CyclicPermutation {
  private current: number;
  private done: boolean;

  private constructor(readonly n: number, readonly prime: number, readonly generator: number, readonly start: number, current: number, done: boolean) {
    this.current = current;
    this.done = done || n === 0;
  }

  /** A fresh random order of 0..n-1. `rand(lo, hi)` draws in [lo, hi) (crypto.randomInt by default). */
  static create(n: number, rand: (lo: number, hi: number) => number = randomInt): CyclicPermutation {
    if (!Number.isInteger(n) || n < 0 || n > MAX_PERMUTATION_SIZE) throw new AppError('VIGIL_ERR_LIMIT', `cannot permute ${n} targets (at most ${MAX_PERMUTATION_SIZE})`);
    let p = Math.max(n + 1, 2);
    while (!isPrime(p)) p++;
    const factors = primeFactors(p - 1);
    let g = 1;
    if (p > 2) {
      // about phi(p-1)/(p-1) of the candidates are generators: a few draws suffice
      do g = rand(2, p);
      while (factors.some((q) => powmod(g, (p - 1) / q, p) === 1));
    }
    const start = p > 2 ? rand(1, p) : 1;
    return new CyclicPermutation(n, p, g, start, start, false);
  }

  static restore(s: PermutationState): CyclicPermutation {
    const ok = isPrime(s.prime) && s.prime > s.n && s.generator >= 1 && s.generator < s.prime && s.start >= 1 && s.start < s.prime && s.current >= 1 && s.current < s.prime;
    if (!ok) throw new AppError('VIGIL_ERR_BAD_FILE', 'scan state: the saved permutation is not valid');
    return new CyclicPermutation(s.n, s.prime, s.generator, s.start, s.current, s.done);
  }

  state(): PermutationState {
    return { n: this.n, prime: this.prime, generator: this.generator, start: this.start, current: this.current, done: this.done };
  }

  /** The next index of the order, or undefined when every index has been given. */
  next(): number | undefined {
    while (!this.done) {
      const x = this.current;
      this.current = mulmod(x, this.generator, this.prime);
      if (this.current === this.start) this.done = true;
      if (x <= this.n) return x - 1;
    }
    return undefined;
  }

  /** The element the walk stands at: saving it and `done` is enough to resume. */
  get position(): number {
    return this.current;
  }
}
