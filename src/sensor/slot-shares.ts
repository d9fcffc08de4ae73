// Fair shares of the sensor's connection slots by network prefix (an IPv4 /24, an IPv6 /48): when
// every slot is taken, a newcomer from a prefix holding fewer slots than the heaviest prefix takes
// one of that prefix's connections (the one quiet the longest), so a flood of idle connections from
// a few networks cannot lock every other peer out (nginx limit_conn keys by address; this is the
// same idea with eviction, as fq_codel drops from the fattest flow). Written by hand: no library
// keeps counts with O(1) heaviest-key lookup for this.

import ipaddr from 'ipaddr.js';

/** The prefix a peer's slots are counted under: /24 for IPv4, /48 for IPv6 (a site). */
export function slotPrefix(addr: string): string {
  if (!addr.includes(':')) {
    const dot = addr.lastIndexOf('.');
    return dot > 0 ? addr.slice(0, dot) : addr;
  }
  try {
    const parts = ipaddr.IPv6.parse(addr).parts;
    return `${parts[0].toString(16)}:${parts[1].toString(16)}:${parts[2].toString(16)}::/48`;
  } catch {
    return addr;
  }
}

/** Members (connections) grouped by key, with the heaviest group found in O(1): groups are kept in
 * buckets by size, as an LFU cache keeps its frequency lists. */
export class SlotShares<T> {
  private readonly groups = new Map<string, Set<T>>();
  /** size -> keys of the groups of that size */
  private readonly bySize = new Map<number, Set<string>>();
  private max = 0;

  count(key: string): number {
    return this.groups.get(key)?.size ?? 0;
  }

  get heaviestCount(): number {
    return this.max;
  }

  /** Members of the heaviest group (any one of them when several tie). */
  heaviest(): Iterable<T> {
    const keys = this.bySize.get(this.max);
    if (!keys) return [];
    const key = keys.values().next().value as string;
    return this.groups.get(key) ?? [];
  }

  add(key: string, member: T): void {
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = new Set()));
    const before = g.size;
    g.add(member);
    if (g.size !== before) this.move(key, before, g.size);
  }

  remove(key: string, member: T): void {
    const g = this.groups.get(key);
    if (!g || !g.delete(member)) return;
    this.move(key, g.size + 1, g.size);
    if (g.size === 0) this.groups.delete(key);
  }

  private move(key: string, from: number, to: number): void {
    if (from > 0) {
      const b = this.bySize.get(from)!;
      b.delete(key);
      if (b.size === 0) this.bySize.delete(from);
    }
    if (to > 0) {
      let b = this.bySize.get(to);
      if (!b) this.bySize.set(to, (b = new Set()));
      b.add(key);
    }
    if (to > this.max) this.max = to;
    else if (from === this.max && !this.bySize.has(from)) this.max = to;
  }
}
