// Hash table keyed by a pair of 32-bit integers (owner, key) on one typed array, with a chain per
// owner so that everything an owner holds is dropped at once. Written by us (no npm package fits).

/*
 * Why hand-rolled: the threshold detector looks up a (source, port) and a (source, host) window
 * for every failed contact, and a sweep opens a new (source, host) window nearly every time, so a
 * Map per source (or a Map keyed by strings) costs allocations per record and leaves hundreds of
 * thousands of small heap objects for the GC to trace; this table is one Int32Array the GC never
 * looks inside. Open addressing with linear probing (Knuth TAOCP vol. 3, 6.4, algorithm L), load
 * kept at or below 1/2 so probes stay short. Slots are interleaved [owner, key, value, nextOfOwner]
 * so that a probe, an insert and a drop each touch one cache line per pair (windows are touched at
 * random, so that is what the cost is counted in).
 *
 * Owners (non-negative ints, e.g. a source's slot in an AddrSlotTable) never delete single pairs:
 * they drop all theirs at once (a source evicted). Dropped slots become tombstones that lookups
 * step over and inserts reuse; a rebuild clears them when they pile up.
 */

const EMPTY = -1;
const TOMBSTONE = -2;
const STRIDE = 4;
const MIN_CAPACITY = 1024;

/** 32-bit mix of the pair (murmur3 finaliser over a multiplicative combine): sequential addresses spread. */
function mix(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ b;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class PairTable {
  private slots: Int32Array;
  private mask: number;
  /** First slot of each owner's chain (-1: none), indexed by owner. */
  private heads: Int32Array;
  /** Live pairs plus tombstones: what the probe length depends on. */
  private used = 0;
  /** Live pairs. */
  size = 0;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity * 2) cap *= 2;
    this.slots = new Int32Array(cap * STRIDE).fill(EMPTY);
    this.mask = cap - 1;
    this.heads = new Int32Array(64).fill(-1);
  }

  /** Slot index of (owner, key), or -1. */
  find(owner: number, key: number): number {
    const s = this.slots;
    const mask = this.mask;
    for (let i = mix(owner, key) & mask; ; i = (i + 1) & mask) {
      const o = s[i * STRIDE]!;
      if (o === owner && s[i * STRIDE + 1] === key) return i;
      if (o === EMPTY) return -1;
    }
  }

  has(owner: number, key: number): boolean {
    return this.find(owner, key) >= 0;
  }

  /** The value stored with the pair at a slot find() returned. */
  valueAt(slot: number): number {
    return this.slots[slot * STRIDE + 2]!;
  }

  /** Insert a pair the caller knows is absent (after find() said -1). */
  add(owner: number, key: number, value = 0): void {
    if ((this.used + 1) * 2 > this.mask + 1) this.rebuild();
    if (owner >= this.heads.length) this.growHeads(owner);
    const s = this.slots;
    const mask = this.mask;
    let i = mix(owner, key) & mask;
    while (s[i * STRIDE]! >= 0) i = (i + 1) & mask;
    if (s[i * STRIDE] === EMPTY) this.used++;
    this.put(i, owner, key, value);
    this.size++;
  }

  /** First slot of an owner's chain (-1: none); walk on with nextOf(). */
  firstOf(owner: number): number {
    return owner < this.heads.length ? this.heads[owner]! : -1;
  }

  nextOf(slot: number): number {
    return this.slots[slot * STRIDE + 3]!;
  }

  /** Forget every pair of an owner; returns how many there were. */
  dropOwner(owner: number): number {
    if (owner >= this.heads.length) return 0;
    const s = this.slots;
    let n = 0;
    for (let i = this.heads[owner]!; i >= 0; i = s[i * STRIDE + 3]!) {
      s[i * STRIDE] = TOMBSTONE;
      n++;
    }
    this.heads[owner] = -1;
    this.size -= n;
    return n;
  }

  private put(i: number, owner: number, key: number, value: number): void {
    const s = this.slots;
    s[i * STRIDE] = owner;
    s[i * STRIDE + 1] = key;
    s[i * STRIDE + 2] = value;
    s[i * STRIDE + 3] = this.heads[owner]!;
    this.heads[owner] = i;
  }

  /** Re-insert the live pairs into a table sized for them: doubles when full, else only sweeps tombstones. */
  private rebuild(): void {
    const old = this.slots;
    let cap = this.mask + 1;
    while (this.size * 4 > cap) cap *= 2;
    this.slots = new Int32Array(cap * STRIDE).fill(EMPTY);
    this.mask = cap - 1;
    this.heads.fill(-1);
    this.used = this.size;
    for (let j = 0; j < old.length; j += STRIDE) {
      const owner = old[j]!;
      if (owner < 0) continue;
      const key = old[j + 1]!;
      let i = mix(owner, key) & this.mask;
      while (this.slots[i * STRIDE] !== EMPTY) i = (i + 1) & this.mask;
      this.put(i, owner, key, old[j + 2]!);
    }
  }

  private growHeads(owner: number): void {
    let n = this.heads.length;
    while (n <= owner) n *= 2;
    const h = new Int32Array(n).fill(-1);
    h.set(this.heads);
    this.heads = h;
  }
}
