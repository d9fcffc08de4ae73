// Per-address slots for the scan detectors: IPv4 keys (int32) in an open-addressing index, other
// addresses (IPv6, names) in a Map, each given a small dense slot number, kept in a recency list.
// Written by us: detectors keep their per-source state in typed arrays indexed by the slot.

import type { AddrKey } from './addr-key.js';

/*
 * The index is linear probing over slot numbers (Knuth TAOCP vol. 3, 6.4, algorithm L) with
 * backward-shift deletion (algorithm R), so single sources can be evicted without tombstones. The
 * slots are threaded on a doubly linked list, oldest first: a detector either moves a slot to the
 * young end when it is touched (LRU, TRW) or never does (insertion order, thresholds), and evicts
 * from the old end. Slot numbers are reused after removal, so state arrays stay dense. Each index
 * cell holds the key beside its slot, so a lookup reads one cache line, not the cell and then the
 * slot's key elsewhere (sources are thousands and looked up at random, once per record).
 */

const NONE = -1;
const MIN_SLOTS = 256;
/** Relinks held back before they are applied (see touch()). */
const PENDING_MAX = 1 << 16;

function mix(k: number): number {
  let h = Math.imul(k, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** Cells of an index for this many slots: a power of two at least twice the slots (load <= 1/2). */
function cellsFor(slots: number): number {
  let n = 2;
  while (n < slots * 2) n *= 2;
  return n;
}

/** An empty index: cells of [key, slot], slot NONE when free (every int32 is a possible key). */
function emptyIndex(cells: number): Int32Array {
  // Keys too (a free cell's key is never compared): one fill, not a loop run too rarely to get compiled.
  return new Int32Array(cells * 2).fill(NONE);
}

export class AddrSlotTable {
  /** Index cells [key, slot] (slot NONE: empty); at least twice as many cells as slots. */
  private index: Int32Array;
  /** Cells - 1. */
  private mask: number;
  private addr: Int32Array;
  /** Non-IPv4 keys of slots that hold one (undefined for IPv4 slots). */
  private text: (string | undefined)[] = [];
  private readonly byText = new Map<string, number>();
  /** Recency list as [prev, next] per slot side by side: a relink reads one line per slot it touches. */
  private links: Int32Array;
  /** Relinks asked for by touch() and not yet applied to the list, in the order they were asked. */
  private readonly pending = new Int32Array(PENDING_MAX);
  private pendingLen = 0;
  /** Position in pending of each slot's latest relink (meaningful only for slots in pending). */
  private lastPending: Int32Array;
  private freeList: number[] = [];
  private highWater = 0;
  private head = NONE;
  private tail = NONE;
  size = 0;
  /** Slots allocated so far: detectors size their state arrays to this (see grown()). */
  capacity: number;

  constructor(private readonly maxSlots: number) {
    this.capacity = Math.min(MIN_SLOTS, maxSlots);
    this.addr = new Int32Array(this.capacity);
    this.links = new Int32Array(this.capacity * 2);
    this.lastPending = new Int32Array(this.capacity);
    this.mask = cellsFor(this.capacity) - 1;
    this.index = emptyIndex(this.mask + 1);
  }

  /** Slot of an address, or -1. */
  find(k: AddrKey): number {
    if (typeof k !== 'number') return this.byText.get(k) ?? NONE;
    const index = this.index;
    const mask = this.mask;
    for (let i = mix(k) & mask; ; i = (i + 1) & mask) {
      const s = index[2 * i + 1]!;
      if (s === NONE || index[2 * i] === k) return s;
    }
  }

  /** Give an absent address a slot at the young end of the list. Throws past maxSlots (a caller bug). */
  insert(k: AddrKey): number {
    this.settle(); // the new slot goes after every relink asked for before it
    const s = this.allocate();
    if (typeof k === 'number') {
      this.addr[s] = k;
      this.text[s] = undefined;
      this.place(k, s);
    } else {
      this.text[s] = k;
      this.byText.set(k, s);
    }
    this.link(s);
    this.size++;
    return s;
  }

  keyOf(s: number): AddrKey {
    return this.text[s] ?? this.addr[s]!;
  }

  /**
   * Move a slot to the young end (recency order). Held back and applied in a batch when the order is
   * next read or changed otherwise: moving slots to the end one after another leaves them ordered by
   * their last move, so only each slot's last move of a batch needs applying, and a busy source moved
   * many times costs one relink (relinks were a fifth of TRW's cost). The order seen is unchanged.
   */
  touch(s: number): void {
    if (this.pendingLen === PENDING_MAX) this.settle();
    this.lastPending[s] = this.pendingLen;
    this.pending[this.pendingLen++] = s;
  }

  /** The oldest slot (-1 when empty), and the next younger one. */
  oldest(): number {
    this.settle();
    return this.head;
  }

  younger(s: number): number {
    this.settle();
    return this.links[2 * s + 1]!;
  }

  remove(s: number): void {
    this.settle();
    this.unlink(s);
    const t = this.text[s];
    if (t !== undefined) {
      this.byText.delete(t);
      this.text[s] = undefined;
    } else this.unindex(s);
    this.freeList.push(s);
    this.size--;
  }

  /** Apply the held-back relinks: each slot's last one, in order. */
  private settle(): void {
    const n = this.pendingLen;
    if (n === 0) return;
    this.pendingLen = 0;
    const pending = this.pending;
    for (let i = 0; i < n; i++) {
      const s = pending[i]!;
      if (this.lastPending[s] !== i || s === this.tail) continue;
      this.unlink(s);
      this.link(s);
    }
  }

  private allocate(): number {
    const reused = this.freeList.pop();
    if (reused !== undefined) return reused;
    if (this.highWater === this.capacity) this.grow();
    return this.highWater++;
  }

  private place(k: number, s: number): void {
    const index = this.index;
    const mask = this.mask;
    let i = mix(k) & mask;
    while (index[2 * i + 1] !== NONE) i = (i + 1) & mask;
    index[2 * i] = k;
    index[2 * i + 1] = s;
  }

  /** Backward-shift deletion: pull later entries of the probe run into the hole so lookups stay exact. */
  private unindex(s: number): void {
    const index = this.index;
    const mask = this.mask;
    let hole = mix(this.addr[s]!) & mask;
    while (index[2 * hole + 1] !== s) hole = (hole + 1) & mask;
    for (let j = (hole + 1) & mask; index[2 * j + 1] !== NONE; j = (j + 1) & mask) {
      const home = mix(index[2 * j]!) & mask;
      // The entry at j may move to the hole only if its home is not cyclically within (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      index[2 * hole] = index[2 * j]!;
      index[2 * hole + 1] = index[2 * j + 1]!;
      hole = j;
    }
    index[2 * hole + 1] = NONE;
  }

  private link(s: number): void {
    this.links[2 * s] = this.tail;
    this.links[2 * s + 1] = NONE;
    if (this.tail !== NONE) this.links[2 * this.tail + 1] = s;
    else this.head = s;
    this.tail = s;
  }

  private unlink(s: number): void {
    const p = this.links[2 * s]!;
    const n = this.links[2 * s + 1]!;
    if (p !== NONE) this.links[2 * p + 1] = n;
    else this.head = n;
    if (n !== NONE) this.links[2 * n] = p;
    else this.tail = p;
  }

  private grow(): void {
    if (this.capacity >= this.maxSlots) throw new RangeError(`address slots: more than ${this.maxSlots}`);
    const cap = Math.min(this.capacity * 2, this.maxSlots);
    const widen = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.addr = widen(this.addr);
    this.lastPending = widen(this.lastPending);
    const links = new Int32Array(cap * 2);
    links.set(this.links);
    this.links = links;
    this.capacity = cap;
    this.mask = cellsFor(cap) - 1;
    this.index = emptyIndex(this.mask + 1);
    for (let s = this.head; s !== NONE; s = this.links[2 * s + 1]!) if (this.text[s] === undefined) this.place(this.addr[s]!, s);
  }
}
