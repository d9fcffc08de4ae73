// Where the vulnerable population sits in IPv4 space: uniform over routable unicast space, or
// clustered into /16 and /24 blocks with Zipf-distributed block sizes (as measured populations are).
// Addresses are unsigned 32-bit integers in sorted typed arrays, so every prefix block is a range.

import { AppError } from '../core/errors.js';
import type { SeededRng } from './seeded-rng.js';
import { addrKey, addrText } from '../detect/addr-key.js';

export type LayoutSpec =
  | { readonly kind: 'uniform' }
  | {
      readonly kind: 'clustered';
      /** Number of /16 blocks that hold vulnerable hosts. */
      readonly slash16Blocks: number;
      /** Number of populated /24s inside each of those /16s (1..256). */
      readonly slash24PerSlash16: number;
      /** Zipf exponent of the /16 block sizes (0 = equal sizes). */
      readonly zipf: number;
    };

/** Unicast space a host can sit in: 1/8 .. 223/8 minus 10/8 and 127/8 (RFC 1918, loopback). */
export function isPlaceable(addr: number): boolean {
  const a = addr >>> 24;
  return a >= 1 && a <= 223 && a !== 10 && a !== 127;
}

/** Dotted quad of an unsigned address (the detectors' addrText: one formatter). */
export function ipToString(addr: number): string {
  return addrText(addr | 0);
}

/** Unsigned 32-bit address of a dotted quad (the detectors' addrKey: one parser), else a usage error. */
export function parseIpv4(s: string): number {
  const k = addrKey(s.trim());
  if (typeof k !== 'number') throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `not an IPv4 address: ${s}`);
  return k >>> 0;
}

/** Sorted, de-duplicated copy of the given addresses. */
export function sortedUnique(addrs: ArrayLike<number>): Uint32Array {
  const a = Uint32Array.from(addrs).sort();
  let w = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[w - 1]) a[w++] = a[i];
  return a.slice(0, w);
}

/** Lays out n distinct vulnerable addresses. Draws, sorts, de-duplicates and tops up until n. */
export function layoutPopulation(n: number, spec: LayoutSpec, rng: SeededRng): Uint32Array {
  const draw = spec.kind === 'uniform' ? () => drawUniform(rng) : clusteredDrawer(spec, rng);
  let have: Uint32Array = new Uint32Array(0);
  for (let round = 0; have.length < n; round++) {
    if (round > 50) throw new AppError('VIGIL_ERR_CONFIG', `layout cannot place ${n} distinct hosts`, { spec });
    const extra = new Uint32Array(Math.ceil((n - have.length) * 1.01) + 16);
    for (let i = 0; i < extra.length; i++) extra[i] = draw();
    const merged = new Uint32Array(have.length + extra.length);
    merged.set(have);
    merged.set(extra, have.length);
    have = sortedUnique(merged);
  }
  return have.length === n ? have : thin(have, n, rng);
}

function drawUniform(rng: SeededRng): number {
  for (;;) {
    const x = rng.u32();
    if (isPlaceable(x)) return x;
  }
}

/** Drops random entries so exactly n remain (keeps the array sorted). */
function thin(a: Uint32Array, n: number, rng: SeededRng): Uint32Array {
  const drop = new Uint8Array(a.length);
  for (let k = a.length - n; k > 0; ) {
    const i = rng.int(a.length);
    if (!drop[i]) {
      drop[i] = 1;
      k--;
    }
  }
  return a.filter((_, i) => !drop[i]);
}

function clusteredDrawer(spec: Extract<LayoutSpec, { kind: 'clustered' }>, rng: SeededRng): () => number {
  const blocks = new Uint32Array(spec.slash16Blocks);
  const seen = new Set<number>();
  for (let i = 0; i < blocks.length; ) {
    const b = drawUniform(rng) >>> 16;
    if (!seen.has(b)) {
      seen.add(b);
      blocks[i++] = b;
    }
  }
  const per24 = Math.max(1, Math.min(256, spec.slash24PerSlash16));
  const subnets = new Uint8Array(blocks.length * per24);
  for (let i = 0; i < blocks.length; i++) {
    const pick = sampleDistinct(256, per24, rng);
    subnets.set(pick, i * per24);
  }
  // Zipf weights as a cumulative table, searched by bisection.
  const cum = new Float64Array(blocks.length);
  let acc = 0;
  for (let i = 0; i < blocks.length; i++) cum[i] = acc += 1 / Math.pow(i + 1, spec.zipf);
  return () => {
    const u = rng.next() * acc;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    const c = subnets[lo * per24 + rng.int(per24)];
    return ((blocks[lo] << 16) | (c << 8) | (1 + rng.int(254))) >>> 0;
  };
}

function sampleDistinct(range: number, k: number, rng: SeededRng): Uint8Array {
  const all = Uint8Array.from({ length: range }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(range - i);
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, k);
}

/** Hosts grouped by their /L prefix: block b holds sorted hosts [start[b], start[b+1]). */
export interface PrefixBlocks {
  readonly prefix: number;
  readonly blockOf: Int32Array;
  readonly start: Int32Array;
  /** First address of each block. */
  readonly base: Float64Array;
  readonly count: number;
}

export function indexBlocks(addrs: Uint32Array, prefix: number): PrefixBlocks {
  const shift = 32 - prefix;
  const blockOf = new Int32Array(addrs.length);
  const starts: number[] = [];
  const bases: number[] = [];
  let last = -1;
  for (let i = 0; i < addrs.length; i++) {
    const key = prefix === 0 ? 0 : Math.floor(addrs[i] / 2 ** shift);
    if (key !== last) {
      starts.push(i);
      bases.push(key * 2 ** shift);
      last = key;
    }
    blockOf[i] = starts.length - 1;
  }
  starts.push(addrs.length);
  return { prefix, blockOf, start: Int32Array.from(starts), base: Float64Array.from(bases), count: bases.length };
}
