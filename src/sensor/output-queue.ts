// Bounded queue between the sensor and its sink (store, detectors), fair under attack.
//
// The sensor never stalls its listeners on a slow store (a sensor that stops observing when a flood
// makes observation matter is blind when it counts), so the queue sheds load instead. What it sheds
// is chosen so that one hostile source cannot push other peers' record out:
// - every item has a class: `record` (a finished session: the sensor's record), `evidence` (what a
//   detector needs to see an exploit: calls with activation arguments or anomalies, typed shell
//   lines) and `detail` (everything else: conn and anomaly events, plain calls, records of refused
//   connections);
// - `detail` is admitted only while the queue is under `capacity`, and once it is half full (under
//   pressure) only from sources holding less than their fair share of the queued detail: the
//   heaviest sources lose their detail first (fq_codel's "drop from the fattest flow" at admission,
//   which keeps the queue a plain FIFO);
// - `record` and `evidence` are never refused for pressure: they have room up to twice `capacity`
//   (they are bounded upstream: one record per connection, evidence by the per-session caps). Only
//   when even that is full, i.e. the sink has stopped, is the oldest item dropped.
// Every drop is counted, by kind and class, and reported through the hooks with its source.

import type { Logger } from '../core/logger.js';
import type { SensorOutput, SensorSink } from './sensor-types.js';

export type OutputClass = 'record' | 'evidence' | 'detail';

export interface QueueStats {
  readonly depth: number;
  readonly dropped: number;
  readonly written: number;
  readonly sinkErrors: number;
  /** Detail items refused at admission because their source held more than its share. */
  readonly shed: number;
}

export interface QueueHooks {
  /** An item dropped: refused at admission (shed), evicted by a stalled sink, or lost to a sink error. */
  onDrop?(item: SensorOutput, cls: OutputClass, why: 'shed' | 'full' | 'sink_error'): void;
  onWritten?(batch: readonly SensorOutput[]): void;
  onDepth?(depth: number): void;
}

/** Detail from a source is never shed while it holds fewer than this many queued items, however
 * many sources share the queue (a fair share of 0 would starve everyone under a wide flood). */
const MIN_SHARE = 8;

/** Rough memory of a queued item: its payload sample plus a fixed cost per object (a session with
 * its calls and anomalies, an event). Only what the guard needs to see a queue of samples grow. */
function approxBytes(item: SensorOutput): number {
  if (item.kind === 'event') return 512;
  return 1024 + (item.payload?.byteLength ?? 0) + 512 * (item.session.calls.length + item.session.anomalies.length);
}

/** A ring of pending outputs drained in order, one sink write at a time, in batches. */
export class OutputQueue {
  private readonly ringSize: number;
  private readonly items: (SensorOutput | undefined)[];
  /** Per slot: the source of a detail item (undefined for record and evidence). */
  private readonly detailSrc: (string | undefined)[];
  private head = 0;
  private size = 0;
  /** Per source, how many queued detail items it holds. */
  private readonly perSource = new Map<string, number>();
  /** Estimated bytes of the queued items (the sensor's memory guard counts them). */
  bytes = 0;
  private draining = false;
  private idleWaiters: (() => void)[] = [];
  private stats = { dropped: 0, written: 0, sinkErrors: 0, shed: 0 };

  constructor(
    private readonly sink: SensorSink,
    private readonly capacity: number,
    private readonly batchSize: number,
    private readonly logger: Logger,
    private readonly hooks: QueueHooks = {},
    private readonly lingerMs = 0,
  ) {
    this.ringSize = capacity * 2;
    this.items = new Array<SensorOutput | undefined>(this.ringSize);
    this.detailSrc = new Array<string | undefined>(this.ringSize);
  }

  get depth(): number {
    return this.size;
  }

  snapshot(): QueueStats {
    return { depth: this.size, ...this.stats };
  }

  /** Queue one item of class `cls` from `source` (the peer's address); false when it was refused. */
  push(item: SensorOutput, cls: OutputClass = 'record', source = ''): boolean {
    if (cls === 'detail' && !this.admitDetail(source)) {
      this.stats.shed++;
      this.countDrop(item, cls, 'shed');
      return false;
    }
    if (this.size === this.ringSize) this.evictOldest();
    const slot = (this.head + this.size) % this.ringSize;
    this.items[slot] = item;
    this.bytes += approxBytes(item);
    if (cls === 'detail') {
      this.detailSrc[slot] = source;
      this.perSource.set(source, (this.perSource.get(source) ?? 0) + 1);
    }
    this.size++;
    this.hooks.onDepth?.(this.size);
    if (!this.draining) {
      // Start a little later so items from the same burst of I/O go to the sink as one batch.
      this.draining = true;
      if (this.lingerMs > 0) setTimeout(() => void this.drain(), this.lingerMs);
      else setImmediate(() => void this.drain());
    }
    return true;
  }

  /** Resolves once everything queued so far has been handed to the sink (graceful stop). */
  flush(): Promise<void> {
    if (this.size === 0 && !this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Whether a detail item from `source` may enter: room below capacity and, under pressure (half
   * full), the source holds less than an equal share of the detail half among the sources queued. */
  private admitDetail(source: string): boolean {
    if (this.size >= this.capacity) return false;
    if (this.size < this.capacity / 2) return true;
    const held = this.perSource.get(source) ?? 0;
    const sources = this.perSource.size + (held === 0 ? 1 : 0);
    return held < Math.max(MIN_SHARE, Math.floor(this.capacity / 2 / sources));
  }

  /** The ring is full of records and evidence (the sink has stopped): the oldest item goes. */
  private evictOldest(): void {
    const wasDetail = this.detailSrc[this.head] !== undefined;
    const old = this.takeSlot();
    this.size--;
    if (old) this.countDrop(old, wasDetail ? 'detail' : 'record', 'full');
  }

  /** Remove the item at the head, keeping the per-source tallies. */
  private takeSlot(): SensorOutput | undefined {
    const h = this.head;
    const item = this.items[h];
    this.items[h] = undefined;
    if (item) this.bytes -= approxBytes(item);
    const src = this.detailSrc[h];
    if (src !== undefined) {
      this.detailSrc[h] = undefined;
      const left = (this.perSource.get(src) ?? 1) - 1;
      if (left > 0) this.perSource.set(src, left);
      else this.perSource.delete(src);
    }
    this.head = (h + 1) % this.ringSize;
    return item;
  }

  private countDrop(item: SensorOutput, cls: OutputClass, why: 'shed' | 'full' | 'sink_error'): void {
    this.stats.dropped++;
    this.hooks.onDrop?.(item, cls, why);
  }

  private take(): SensorOutput[] {
    const n = Math.min(this.size, this.batchSize);
    const batch: SensorOutput[] = new Array(n);
    for (let i = 0; i < n; i++) batch[i] = this.takeSlot() as SensorOutput;
    this.size -= n;
    this.hooks.onDepth?.(this.size);
    return batch;
  }

  private async drain(): Promise<void> {
    try {
      while (this.size > 0) {
        const batch = this.take();
        try {
          await this.sink.write(batch);
          this.stats.written += batch.length;
          this.hooks.onWritten?.(batch);
        } catch (e) {
          // The sink owns durability (spooling, retries); here a failed batch is counted and logged
          // so a broken store never wedges the listeners.
          this.stats.sinkErrors++;
          for (const item of batch) this.countDrop(item, item.kind === 'session' ? 'record' : 'evidence', 'sink_error');
          this.logger.error({ err: e instanceof Error ? e.message : String(e), items: batch.length }, 'sensor sink write failed');
        }
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
