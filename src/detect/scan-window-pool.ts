// Counting windows of the threshold scan detector as numbered rows of one typed array, with a free
// list. Written by us: one object per (source, port/host) key was most of the detector's GC load.

/*
 * A row is [start ms, distinct count, flags, first item] in one Float64Array, so touching a window
 * costs one cache line rather than one per field (windows are many and touched at random). Doubles
 * hold the counts and int32 items exactly.
 */
const STRIDE = 4;
const START = 0;
const COUNT = 1;
const FLAGS = 2;
const FIRST = 3;
/** The threshold was reached in this window (it fires once). */
const FIRED = 1;
/** FIRST holds the window's first IPv4/port item (kept inline, see the detector). */
const HAS_FIRST = 2;

/** Rows are reused after free(); the array doubles when full. */
export class WindowPool {
  private rows = new Float64Array(256 * STRIDE);
  private readonly freeRows: number[] = [];
  private highWater = 0;

  allocate(start: number): number {
    const w = this.freeRows.pop() ?? this.highWater++;
    if ((w + 1) * STRIDE > this.rows.length) {
      const bigger = new Float64Array(this.rows.length * 2);
      bigger.set(this.rows);
      this.rows = bigger;
    }
    this.reset(w, start);
    return w;
  }

  /** Start the window over: opened at `start`, nothing counted, not fired. */
  reset(w: number, start: number): void {
    const r = w * STRIDE;
    this.rows[r + START] = start;
    this.rows[r + COUNT] = 0;
    this.rows[r + FLAGS] = 0;
  }

  free(w: number): void {
    this.freeRows.push(w);
  }

  start(w: number): number {
    return this.rows[w * STRIDE + START]!;
  }

  fired(w: number): boolean {
    return (this.rows[w * STRIDE + FLAGS]! & FIRED) !== 0;
  }

  markFired(w: number): void {
    this.rows[w * STRIDE + FLAGS] = this.rows[w * STRIDE + FLAGS]! | FIRED;
  }

  /** Whether the window holds its first item inline (see first()). */
  hasFirst(w: number): boolean {
    return (this.rows[w * STRIDE + FLAGS]! & HAS_FIRST) !== 0;
  }

  first(w: number): number {
    return this.rows[w * STRIDE + FIRST]!;
  }

  setFirst(w: number, item: number): void {
    this.rows[w * STRIDE + FIRST] = item;
    this.rows[w * STRIDE + FLAGS] = this.rows[w * STRIDE + FLAGS]! | HAS_FIRST;
  }

  /** Count one more distinct item; returns the new count. */
  bump(w: number): number {
    return ++this.rows[w * STRIDE + COUNT]!;
  }
}
