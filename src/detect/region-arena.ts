// The arena under the per-owner tables (owner-set-table.ts, owner-map-table.ts): power-of-two
// regions of cells in one Int32Array, handed out from the top, freed regions kept on a list per
// size and reused. A cell is `stride` int32s whose first is FREE when the cell is empty. The arena
// only grows (its peak is bounded by the callers' limits). Written by us.

export const FREE = -0x80000000;

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
    const a = this.cells;
    if (this.stride === 1) a.fill(FREE, base, base + size);
    else for (let c = 2 * base; c < 2 * (base + size); c += 2) a[c] = FREE;
    (this.freeRegions[Math.log2(size)] ??= []).push(base);
  }

  private empty(cells: number): Int32Array {
    const a = new Int32Array(cells * this.stride);
    if (this.stride === 1) return a.fill(FREE);
    for (let c = 0; c < a.length; c += 2) a[c] = FREE;
    return a;
  }
}
