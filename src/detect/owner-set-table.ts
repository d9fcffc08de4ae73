// Sets of 32-bit integers, one per owner (a source's first contacts, a window's distinct items),
// each an open-addressing region of one shared Int32Array. Written by us (no npm package fits).

/*
 * Why per-owner regions rather than one table keyed by (owner, key): a busy host's few dozen
 * servers then sit in one or two cache lines of its own region instead of being scattered among
 * the million first contacts of the scanners around it, and forgetting an owner frees its region
 * in one step. Each region is linear probing (Knuth TAOCP vol. 3, 6.4, algorithm L) over a power
 * of two of cells, doubled when half full. Freed regions are kept on a free list per size and
 * reused; the arena itself only grows (its peak is bounded by the callers' limits).
 *
 * Every int32 is a possible key (an IPv4 address), so the value chosen to mark a free cell
 * (-2^31, i.e. 128.0.0.0) is itself recorded in a per-owner flag when it is a member.
 */

import { mix32 } from './int-hash.js';
import { fillRows, FREE, RegionArena } from './region-arena.js';

const MIN_REGION_LOG2 = 3;
// Per-owner row [region start (-1: none), region size - 1, members in the region, FREE is a member]:
// one cache line per owner touched, which matters when owners are many (threshold windows).
const META = 4;
const START = 0;
const MASK = 1;
const COUNT = 2;
const HAS_FREE_KEY = 3;
/** A new owner's row: no region. */
const EMPTY_ROW = [-1, 0, 0, 0];


export class OwnerSetTable {
  private readonly regions = new RegionArena(1, 1 << 16);
  private meta = new Int32Array(0);
  private owners = 0;

  has(owner: number, key: number): boolean {
    if (owner >= this.owners) return false;
    const row = owner * META;
    if (key === FREE) return this.meta[row + HAS_FREE_KEY] === 1;
    const base = this.meta[row + START]!;
    if (base < 0) return false;
    const a = this.regions.cells;
    const m = this.meta[row + MASK]!;
    for (let i = mix32(key) & m; ; i = (i + 1) & m) {
      const v = a[base + i]!;
      if (v === key) return true;
      if (v === FREE) return false;
    }
  }

  /** Add a key the caller knows is absent (after has() said false). */
  add(owner: number, key: number): void {
    if (owner >= this.owners) this.growOwners(owner);
    const row = owner * META;
    if (key === FREE) {
      this.meta[row + HAS_FREE_KEY] = 1;
      return;
    }
    if (this.meta[row + START]! < 0) this.giveRegion(row, MIN_REGION_LOG2);
    else if ((this.meta[row + COUNT]! + 1) * 2 > this.meta[row + MASK]! + 1) this.enlarge(row);
    this.place(this.meta[row + START]!, this.meta[row + MASK]!, key);
    this.meta[row + COUNT]++;
  }

  /** Forget an owner's set. */
  drop(owner: number): void {
    if (owner >= this.owners) return;
    const row = owner * META;
    this.meta[row + HAS_FREE_KEY] = 0;
    const base = this.meta[row + START]!;
    if (base < 0) return;
    this.regions.release(base, this.meta[row + MASK]! + 1);
    this.meta[row + START] = -1;
    this.meta[row + COUNT] = 0;
  }

  private place(base: number, m: number, key: number): void {
    const a = this.regions.cells;
    let i = mix32(key) & m;
    while (a[base + i] !== FREE) i = (i + 1) & m;
    a[base + i] = key;
  }

  private giveRegion(row: number, log2: number): void {
    this.meta[row + START] = this.regions.allocate(log2);
    this.meta[row + MASK] = (1 << log2) - 1;
    this.meta[row + COUNT] = 0;
  }

  /** Move an owner's members into a region twice the size. */
  private enlarge(row: number): void {
    const oldBase = this.meta[row + START]!;
    const oldSize = this.meta[row + MASK]! + 1;
    const base = this.regions.allocate(Math.log2(oldSize) + 1); // may move the arena: read it after
    const m = oldSize * 2 - 1;
    const a = this.regions.cells;
    for (let i = 0; i < oldSize; i++) if (a[oldBase + i] !== FREE) this.place(base, m, a[oldBase + i]!);
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
