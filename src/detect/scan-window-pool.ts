// Counting windows of the threshold scan detector as numbered rows of typed arrays, with a free list.
// Written by us: one object per (source, port/host) key was most of the detector's GC load.

/** Rows are reused after free(); the arrays double when full. */
export class WindowPool {
  /** Opening time in ms (kept as given). */
  start = new Float64Array(256);
  /** Distinct items counted so far. */
  count = new Int32Array(256);
  /** 1 once the threshold was reached in this window (it fires once). */
  fired = new Uint8Array(256);
  /** 1 when `first` holds the window's first IPv4/port item (kept inline, see the detector). */
  hasFirst = new Uint8Array(256);
  first = new Int32Array(256);
  private readonly freeRows: number[] = [];
  private highWater = 0;

  allocate(): number {
    const w = this.freeRows.pop() ?? this.highWater++;
    if (w >= this.start.length) this.grow();
    this.reset(w, 0);
    return w;
  }

  reset(w: number, start: number): void {
    this.start[w] = start;
    this.count[w] = 0;
    this.fired[w] = 0;
    this.hasFirst[w] = 0;
  }

  free(w: number): void {
    this.freeRows.push(w);
  }

  private grow(): void {
    const n = this.start.length * 2;
    const start = new Float64Array(n);
    start.set(this.start);
    this.start = start;
    const count = new Int32Array(n);
    count.set(this.count);
    this.count = count;
    const fired = new Uint8Array(n);
    fired.set(this.fired);
    this.fired = fired;
    const hasFirst = new Uint8Array(n);
    hasFirst.set(this.hasFirst);
    this.hasFirst = hasFirst;
    const first = new Int32Array(n);
    first.set(this.first);
    this.first = first;
  }
}
