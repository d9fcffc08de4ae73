// The arena under the per-owner tables (owner-set-table.ts, owner-map-table.ts): power-of-two
// regions of cells in one Int32Array, handed out from the top, freed regions kept on a list per
// size and reused. A cell is `stride` int32s whose first is FREE when the cell is empty. The arena
// only grows (its peak is bounded by the callers' limits). Written by us.

export const FREE = -0x80000000;
/** Int32s up to which release() writes a loop rather than calling fill(). */
const SMALL_FILL = 64;

export class RegionArena {
  /** The cells; replaced when the arena grows, so read it again after allocate(). */
  cells: Int32Array;
  /** Cells handed out so far. */
  private top = 0;
  private readonly freeRegions: number[][] = [];

  constructor(
    private readonly stride: 1 | 2,
    initialCells: number,
  ) {
    this.cells = this.empty(initialCells);
  }

  /** A free region of 2^log2 cells; returns its first cell. */
  allocate(log2: number): number {
    const reused = this.freeRegions[log2]?.pop();
    if (reused !== undefined) return reused;
    const size = 1 << log2;
    const have = this.cells.length / this.stride;
    if (this.top + size > have) {
      let n = have * 2;
      while (this.top + size > n) n *= 2;
      const a = this.empty(n);
      a.set(this.cells.subarray(0, this.stride * this.top));
      this.cells = a;
    }
    const base = this.top;
    this.top += size;
    return base;
  }

  /** Empty a region and keep it for reuse. */
  release(base: number, size: number): void {
    // Every int32 of the region, values too (a value is read only beside a key that matches, so
    // what a free cell's value holds is never seen). Small regions, the usual ones, in a loop: this
    // runs once per window reset and gets compiled, while fill() on a typed array is a runtime
    // call that costs more than writing a few dozen cells.
    const a = this.cells;
    const from = this.stride * base;
    const to = this.stride * (base + size);
    if (to - from <= SMALL_FILL) for (let c = from; c < to; c++) a[c] = FREE;
    else a.fill(FREE, from, to);
    (this.freeRegions[Math.log2(size)] ??= []).push(base);
  }

  /** A fill, not a loop: this runs a dozen times a run, too rarely for the loop to get compiled. */
  private empty(cells: number): Int32Array {
    return new Int32Array(cells * this.stride).fill(FREE);
  }
}

/**
 * Repeat a row of int32s over a[from..end): written once, then copied onto itself in doubling
 * spans (copyWithin, a builtin), so growing a table of a million owner rows costs a few calls
 * rather than a loop that runs too rarely to get compiled.
 */
export function fillRows(a: Int32Array, from: number, row: readonly number[]): void {
  const n = row.length;
  if (from + n > a.length) return;
  for (let i = 0; i < n; i++) a[from + i] = row[i]!;
  for (let done = n; from + done < a.length; done *= 2) a.copyWithin(from + done, from, from + Math.min(done, a.length - from - done));
}
