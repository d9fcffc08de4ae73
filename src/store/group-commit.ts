// Group commit: writes that arrive while a transaction is in flight are committed together in the
// next one, so one fsync acknowledges many sessions (the technique of PostgreSQL's commit_delay and
// InnoDB's group commit). Every promise still resolves only after its own transaction committed.

interface Pending<T, R> {
  readonly item: T;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export class GroupCommitter<T, R> {
  private queue: Array<Pending<T, R>> = [];
  private running: Promise<void> | undefined;

  /** `commit` writes a batch in one transaction and returns one result per item, in order. */
  constructor(
    private readonly commit: (items: readonly T[]) => Promise<R[]>,
    private readonly maxBatch = 256,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves when everything submitted so far has been committed or rejected. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Yield once so writes submitted in the same tick join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.commitBatch(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  private async commitBatch(batch: Array<Pending<T, R>>): Promise<void> {
    try {
      const results = await this.commit(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (e) {
      if (batch.length === 1) {
        batch[0].reject(e);
        return;
      }
      // One bad item must not fail its neighbours: retry each alone (the batch rolled back whole).
      for (const p of batch) await this.commitBatch([p]);
    }
  }
}
