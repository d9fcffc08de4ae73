// Maps from 32-bit integer keys to non-negative 32-bit values, one per owner (a source's windows by
// port or by host), each an open-addressing region of one shared Int32Array. Written by us.

/*
 * The map counterpart of owner-set-table.ts, for the same reasons: everything an owner holds sits
 * in its own region (a scanner's hundred (source, host) windows in a few cache lines, instead of a
 * hundred chained slots scattered over a table of all owners), and dropping an owner reads its
 * region front to back and frees it in one step, with no tombstones left behind and so no rebuilds.
 * Cells are [key, value] side by side, so a lookup reads one cache line. Each region is linear
 * probing (Knuth TAOCP vol. 3, 6.4, algorithm L) over a power of two of cells, doubled when half
 * full; freed regions are reused by size. Every int32 is a possible key, so the value of the key
 * chosen to mark a free cell (-2^31) is kept in the owner's metadata row.
 */

import { mix32 } from './int-hash.js';
import { fillRows, FREE, RegionArena } from './region-arena.js';

const NONE = -1;
const MIN_REGION_LOG2 = 2;
// Per-owner row [region start in cells (-1: none), region cells - 1, members in the region, value of key FREE (-1: absent)].
const META = 4;
const START = 0;
const MASK = 1;
const COUNT = 2;
const FREE_KEY_VALUE = 3;
/** A new owner's row: no region, no value for key FREE. */
const EMPTY_ROW = [-1, 0, 0, NONE];


export class OwnerMapTable {
  /** Cells [key, value]; key FREE marks an empty cell. */
  private readonly regions = new RegionArena(2, 1 << 14);
  private meta = new Int32Array(0);
  private owners = 0;
  /** Pairs held, all owners together. */
  size = 0;

  /** The value of (owner, key), or -1. */
  get(owner: number, key: number): number {
    if (owner >= this.owners) return NONE;
    const row = owner * META;
    if (key === FREE) return this.meta[row + FREE_KEY_VALUE]!;
    const base = this.meta[row + START]!;
    if (base < 0) return NONE;
    const a = this.regions.cells;
    const m = this.meta[row + MASK]!;
    for (let i = mix32(key) & m; ; i = (i + 1) & m) {
      const c = 2 * (base + i);
      const k = a[c]!;
      if (k === key) return a[c + 1]!;
      if (k === FREE) return NONE;
    }
  }

  /** Add a pair whose key the owner does not hold yet (after get() said -1); value >= 0. */
  add(owner: number, key: number, value: number): void {
    if (owner >= this.owners) this.growOwners(owner);
    const row = owner * META;
    this.size++;
    if (key === FREE) {
      this.meta[row + FREE_KEY_VALUE] = value;
      return;
    }
    if (this.meta[row + START]! < 0) this.giveRegion(row, MIN_REGION_LOG2);
    else if ((this.meta[row + COUNT]! + 1) * 2 > this.meta[row + MASK]! + 1) this.enlarge(row);
    this.place(this.meta[row + START]!, this.meta[row + MASK]!, key, value);
    this.meta[row + COUNT]++;
  }

  /** Call f with every value the owner holds (in no particular order). */
  forEachValue(owner: number, f: (value: number) => void): void {
    if (owner >= this.owners) return;
    const row = owner * META;
    if (this.meta[row + FREE_KEY_VALUE]! >= 0) f(this.meta[row + FREE_KEY_VALUE]!);
    const base = this.meta[row + START]!;
    if (base < 0) return;
    const a = this.regions.cells;
    const end = 2 * (base + this.meta[row + MASK]! + 1);
    for (let c = 2 * base; c < end; c += 2) if (a[c] !== FREE) f(a[c + 1]!);
  }

  /** Forget every pair of an owner; returns how many there were. */
  dropOwner(owner: number): number {
    if (owner >= this.owners) return 0;
    const row = owner * META;
    let n = this.meta[row + COUNT]!;
    if (this.meta[row + FREE_KEY_VALUE]! >= 0) n++;
    this.meta[row + FREE_KEY_VALUE] = NONE;
    const base = this.meta[row + START]!;
    if (base >= 0) this.regions.release(base, this.meta[row + MASK]! + 1);
    this.meta[row + START] = -1;
    this.meta[row + COUNT] = 0;
    this.size -= n;
    return n;
  }

  private place(base: number, m: number, key: number, value: number): void {
    const a = this.regions.cells;
    let i = mix32(key) & m;
    while (a[2 * (base + i)] !== FREE) i = (i + 1) & m;
    a[2 * (base + i)] = key;
    a[2 * (base + i) + 1] = value;
  }

  private giveRegion(row: number, log2: number): void {
    this.meta[row + START] = this.regions.allocate(log2);
    this.meta[row + MASK] = (1 << log2) - 1;
    this.meta[row + COUNT] = 0;
  }

  /** Move an owner's pairs into a region twice the size. */
  private enlarge(row: number): void {
    const oldBase = this.meta[row + START]!;
    const oldSize = this.meta[row + MASK]! + 1;
    const base = this.regions.allocate(Math.log2(oldSize) + 1); // may move the arena: read it after
    const m = oldSize * 2 - 1;
    const a = this.regions.cells;
    for (let c = 2 * oldBase; c < 2 * (oldBase + oldSize); c += 2) if (a[c] !== FREE) this.place(base, m, a[c]!, a[c + 1]!);
    this.regions.release(oldBase, oldSize);
    this.meta[row + START] = base;
    this.meta[row + MASK] = m;
  }

  private growOwners(owner: number): void {
    let n = Math.max(64, this.owners * 2);
    while (n <= owner) n *= 2;
    const meta = new Int32Array(n * META);
    meta.set(this.meta);
    fillRows(meta, this.meta.length, EMPTY_ROW);
    this.meta = meta;
    this.owners = n;
  }
}
