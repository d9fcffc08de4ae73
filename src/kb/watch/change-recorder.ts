// A KbImportStore that remembers which fragments the importers wrote, for the feed watcher. It wraps
// the real store: every importer (KEV, EPSS, NVD sync, CSAF sync) writes through it unchanged. A change
// counts only once its transaction commits, so a rejected file (rolled back) raises no notice.

import type { ApplyStats, KbChange, KbFragment, MergeFn } from '../../model/kb-records.js';
import type { KbImportStore } from '../import/kb-importer.js';

export class ChangeRecorder {
  /** Committed changes, up to `max`; the rest are only counted. */
  readonly changes: KbChange[] = [];
  dropped = 0;
  private pending: KbChange[] = [];
  private depth = 0;
  readonly store: KbImportStore;

  constructor(inner: KbImportStore, private readonly max: number) {
    // Everything else, the port's optional methods included, is the real store's own (bound to it).
    const own = {
      applyFragments: async (fragments: readonly KbFragment[], merge: MergeFn): Promise<ApplyStats> => {
        const s = await inner.applyFragments(fragments, merge);
        this.note(s.changes ?? []);
        return s;
      },
      transaction: async <T>(fn: () => Promise<T>): Promise<T> => {
        this.depth++;
        const mark = this.pending.length;
        try {
          const r = await inner.transaction(fn);
          if (this.depth === 1) this.commit();
          return r;
        } catch (e) {
          this.pending.length = mark;
          throw e;
        } finally {
          this.depth--;
        }
      },
    };
    this.store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'applyFragments' || prop === 'transaction') return own[prop];
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  private note(changes: readonly KbChange[]): void {
    for (const c of changes) this.pending.push(c);
    if (this.depth === 0) this.commit();
  }

  private commit(): void {
    for (const c of this.pending) {
      if (this.changes.length < this.max) this.changes.push(c);
      else this.dropped++;
    }
    this.pending = [];
  }
}
