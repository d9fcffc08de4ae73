// Polls partners' TAXII 2.1 collections on a schedule (`added_after` from the last page's
// X-TAXII-Date-Added-Last, kept on disk), holds what they sent in a journalled local collection per
// partner so a restart keeps it, and hands every new batch to a listener (the watchlist).

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import { TaxiiClient, type TaxiiClientOptions } from './taxii-client.js';
import { TaxiiCollection, type StixLike } from './taxii-collection.js';

export interface PollTarget extends TaxiiClientOptions {
  /** Names the state files: ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ (configuration checks it). */
  readonly name: string;
  readonly intervalMs: number;
}

export interface PartnerPollerOptions {
  readonly targets: readonly PollTarget[];
  /** Directory for state and journals (the data dir's `taxii/`). */
  readonly dir: string;
  readonly onObjects: (partner: string, objects: readonly StixLike[]) => void;
  readonly logger?: Logger;
  /** Object versions held per partner (older ones are not evicted: beyond it new ones are refused). */
  readonly maxObjects?: number;
}

export class PartnerPoller {
  private readonly held = new Map<string, TaxiiCollection>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<string>();

  constructor(private readonly o: PartnerPollerOptions) {
    for (const t of o.targets) this.held.set(t.name, new TaxiiCollection({ maxEntries: o.maxObjects ?? 1_000_000, journal: join(o.dir, `poll-${t.name}.jsonl`) }));
  }

  /** Hands what earlier runs fetched to the listener, then polls each partner now and every interval. */
  start(): void {
    for (const t of this.o.targets) {
      const c = this.held.get(t.name)!;
      const all = c.query({}, Number.MAX_SAFE_INTEGER).items.map((e) => e.obj);
      if (all.length) this.o.onObjects(t.name, all);
      void this.poll(t);
      const timer = setInterval(() => void this.poll(t), t.intervalMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }

  /** One poll of one partner; failures are logged and retried at the next interval. Returns the new objects. */
  async poll(t: PollTarget): Promise<readonly StixLike[]> {
    if (this.running.has(t.name)) return [];
    this.running.add(t.name);
    try {
      const state = this.readState(t.name);
      const r = await new TaxiiClient(t).pull({ ...(state ? { addedAfter: state } : {}), allVersions: true });
      const outcomes = this.held.get(t.name)!.addAll(r.objects);
      const fresh = r.objects.filter((_, i) => outcomes[i] === 'added');
      if (r.lastAdded) this.writeState(t.name, r.lastAdded);
      if (fresh.length) this.o.onObjects(t.name, fresh);
      this.o.logger?.debug({ partner: t.name, objects: r.objects.length, fresh: fresh.length }, 'partner collection polled');
      return fresh;
    } catch (e) {
      this.o.logger?.warn({ partner: t.name, err: String((e as Error).message ?? e) }, 'partner TAXII poll failed; will retry');
      return [];
    } finally {
      this.running.delete(t.name);
    }
  }

  private statePath(name: string): string {
    return join(this.o.dir, `poll-${name}.added-after`);
  }

  private readState(name: string): string | undefined {
    const p = this.statePath(name);
    if (!existsSync(p)) return undefined;
    const s = readFileSync(p, 'utf8').trim();
    return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/.test(s) ? s : undefined;
  }

  private writeState(name: string, addedAfter: string): void {
    const tmp = `${this.statePath(name)}.tmp`;
    writeFileSync(tmp, addedAfter, { mode: 0o600 });
    renameSync(tmp, this.statePath(name));
  }
}
