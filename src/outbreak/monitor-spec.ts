// Monitored address blocks of a network telescope (darknet): parsed from a spec such as
// `44.0.0.0/8`, `/12` (one aligned block placed by the seed), `4096x/24` (dispersed /24s), comma-joined.
// Blocks are kept sorted and disjoint so range counts and the k-th address are binary searches.

import { AppError } from '../core/errors.js';
import { ipToString, isPlaceable, parseIpv4 } from './address-layout.js';
import type { SeededRng } from './seeded-rng.js';

export interface MonitorSet {
  readonly spec: string;
  /** Sorted, disjoint block starts and sizes; cum[i] = addresses in blocks before i. */
  readonly starts: Float64Array;
  readonly sizes: Float64Array;
  readonly cum: Float64Array;
  readonly total: number;
}

/** Parses a monitor spec; random placements come from rng and avoid each other. */
export function parseMonitorSpec(spec: string, rng: SeededRng): MonitorSet {
  const blocks: Array<[number, number]> = [];
  const overlaps = (s: number, size: number) => blocks.some(([b, z]) => s < b + z && b < s + size);
  for (const raw of spec.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(?:(\d+)x)?\/(\d{1,2})$/.exec(raw);
    if (m) {
      const count = m[1] ? Number(m[1]) : 1;
      const len = Number(m[2]);
      if (len < 1 || len > 32 || count < 1 || count * 2 ** (32 - len) > 2 ** 31) bad(spec, raw);
      placeRandom(count, len, rng, blocks);
      continue;
    }
    const [ip, lenText] = raw.split('/');
    const len = Number(lenText ?? 32);
    if (!Number.isInteger(len) || len < 0 || len > 32) bad(spec, `${raw}: prefix length must be 0..32`);
    const size = 2 ** (32 - len);
    const start = Math.floor(parseIpv4(ip) / size) * size;
    if (overlaps(start, size)) bad(spec, `${raw} overlaps another block`);
    blocks.push([start, size]);
  }
  if (blocks.length === 0) bad(spec, 'no blocks');
  return build(spec, blocks);
}

/** Places aligned blocks at random in unicast space, clear of every block placed so far. */
function placeRandom(count: number, len: number, rng: SeededRng, blocks: Array<[number, number]>): void {
  const size = 2 ** (32 - len);
  // Aligned blocks of one size overlap only when equal (a set lookup); others are checked one by one.
  const others = blocks.filter(([, z]) => z !== size);
  const same = new Set(blocks.filter(([, z]) => z === size).map(([b]) => b));
  const clash = (start: number) => same.has(start) || others.some(([b, z]) => start < b + z && b < start + size);
  for (let placed = 0, tries = 0; placed < count; tries++) {
    if (tries > count * 100 + 1000) throw new AppError('VIGIL_ERR_CONFIG', `cannot place ${count} /${len} monitor blocks`);
    const start = Math.floor(rng.u32() / size) * size;
    if (!isPlaceable(start) || clash(start)) continue;
    same.add(start);
    blocks.push([start, size]);
    placed++;
  }
}

function build(spec: string, blocks: Array<[number, number]>): MonitorSet {
  blocks.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < blocks.length; i++) {
    if (blocks[i][0] < blocks[i - 1][0] + blocks[i - 1][1]) bad(spec, 'overlapping blocks');
  }
  const cum = new Float64Array(blocks.length + 1);
  for (let i = 0; i < blocks.length; i++) cum[i + 1] = cum[i] + blocks[i][1];
  return {
    spec,
    starts: Float64Array.from(blocks, (b) => b[0]),
    sizes: Float64Array.from(blocks, (b) => b[1]),
    cum,
    total: cum[blocks.length],
  };
}

function bad(spec: string, why: string): never {
  throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `monitor spec "${spec}": ${why}`);
}

/** Index of the first block whose end is above x. */
function blockAtOrAfter(m: MonitorSet, x: number): number {
  let lo = 0, hi = m.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (m.starts[mid] + m.sizes[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of monitored addresses below x. */
export function monitoredBelow(m: MonitorSet, x: number): number {
  const i = blockAtOrAfter(m, x);
  if (i === m.starts.length) return m.total;
  return m.cum[i] + Math.max(0, x - m.starts[i]);
}

/** Monitored addresses in [lo, hi). */
export function monitoredIn(m: MonitorSet, lo: number, hi: number): number {
  return hi <= lo ? 0 : monitoredBelow(m, hi) - monitoredBelow(m, lo);
}

/** The k-th monitored address (0-based, k < total). */
export function monitoredAddress(m: MonitorSet, k: number): number {
  let lo = 0, hi = m.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (m.cum[mid] <= k) lo = mid;
    else hi = mid - 1;
  }
  return m.starts[lo] + (k - m.cum[lo]);
}

/** First monitored address >= x, or -1 when none. */
export function nextMonitored(m: MonitorSet, x: number): number {
  const i = blockAtOrAfter(m, x);
  if (i === m.starts.length) return -1;
  return Math.max(x, m.starts[i]);
}

export function describeMonitor(m: MonitorSet): string {
  const head = Array.from(m.starts.slice(0, 3), (s, i) => `${ipToString(s)}/${32 - Math.log2(m.sizes[i])}`);
  return `${m.spec}: ${m.starts.length} block(s), ${m.total} addresses (${head.join(', ')}${m.starts.length > 3 ? ', ...' : ''})`;
}
