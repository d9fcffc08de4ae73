// Bounded queue between the sensor and its sink (store, detectors). Drop-oldest, not backpressure:
// a sensor that stalls its listeners when the store is slow stops observing exactly when a flood
// makes observation matter, so we keep accepting and shed the oldest queued items, counting them.

import type { Logger } from '../core/logger.js';
import type { SensorOutput, SensorSink } from './sensor-types.js';

export interface QueueStats {
  readonly depth: number;
  readonly dropped: number;
  readonly written: number;
  readonly sinkErrors: number;
}

export interface QueueHooks {
  onDrop?(item: SensorOutput): void;
  onWritten?(batch: readonly SensorOutput[]): void;
  onDepth?(depth: number): void;
}

/** A ring of pending outputs drained in order, one sink write at a time, in batches. */
export class OutputQueue {
  private items: (SensorOutput | undefined)[];
  private head = 0;
  private size = 0;
  private draining = false;
  private idleWaiters: (() => void)[] = [];
  private stats = { dropped: 0, written: 0, sinkErrors: 0 };

  constructor(
    private readonly sink: SensorSink,
    private readonly capacity: number,
    private readonly batchSize: number,
    private readonly logger: Logger,
    private readonly hooks: QueueHooks = {},
    private readonly lingerMs = 0,
  ) {
    this.items = new Array<SensorOutput | undefined>(capacity);
  }

  get depth(): number {
    return this.size;
  }

  snapshot(): QueueStats {
    return { depth: this.size, ...this.stats };
  }

  /**
   * Queue one item. `evict: false` marks low-priority items (records of refused connections during
   * a flood): they are queued only when there is room and never push out what is already waiting.
   */
  push(item: SensorOutput, evict = true): boolean {
    if (this.size === this.capacity) {
      if (!evict) {
        this.countDrop(item);
        return false;
      }
      const old = this.items[this.head];
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      if (old) this.countDrop(old);
    }
    this.items[(this.head + this.size) % this.capacity] = item;
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

  private countDrop(item: SensorOutput): void {
    this.stats.dropped++;
    this.hooks.onDrop?.(item);
  }

  private take(): SensorOutput[] {
    const n = Math.min(this.size, this.batchSize);
    const batch: SensorOutput[] = new Array(n);
    for (let i = 0; i < n; i++) {
      batch[i] = this.items[this.head] as SensorOutput;
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
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
          for (const item of batch) this.countDrop(item);
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
