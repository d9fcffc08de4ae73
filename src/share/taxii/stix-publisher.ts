// Publishes each routed alert as STIX 2.1 to the node's own TAXII collection and to partners' TAXII
// collections (push targets). An object already held gets a new version that continues the old one
// (created, valid_from, first_seen kept; modified, valid_until, last_seen moved on), as STIX 2.1
// section 3.6 requires of versions; pushes go through the ordered disk spool, one line per alert.

import type { Logger } from '../../core/logger.js';
import { OrderedSpool } from '../../core/ordered-spool.js';
import type { Alert } from '../../model/alert.js';
import { StixExporter, type StixExportOptions, type StixObject } from '../stix/stix-export.js';
import { TaxiiClient, type TaxiiClientOptions } from './taxii-client.js';
import type { StixLike } from './taxii-collection.js';
import type { TaxiiService } from './taxii-service.js';

/** The collection every node publishes its own sightings and indicators to. */
export const SIGHTINGS_COLLECTION = 'vigil-sightings';
/** The collection partners may write to. */
export const INBOX_COLLECTION = 'partner-inbox';

export interface PushTarget extends TaxiiClientOptions {
  /** Names the spool files: ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$. */
  readonly name: string;
}

export interface StixPublisherOptions {
  readonly stix: StixExportOptions;
  readonly service?: TaxiiService;
  readonly push?: readonly PushTarget[];
  readonly spoolDir: string;
  readonly logger?: Logger;
  readonly retryBaseMs?: number;
}

const EARLIEST = ['created', 'valid_from', 'first_seen'] as const;
const LATEST = ['modified', 'valid_until', 'last_seen'] as const;

/** The next version of `next` given the version held (`prior`), or undefined when nothing changed. */
export function continueVersion(next: StixObject, prior: StixLike | undefined): StixObject | undefined {
  if (prior === undefined) return next;
  if (typeof next.modified !== 'string' || typeof prior.modified !== 'string') return undefined; // SCOs, markings: held once
  if (next.modified <= prior.modified) return undefined;
  const merged: Record<string, unknown> = { ...next };
  for (const k of EARLIEST) if (typeof prior[k] === 'string' && typeof next[k] === 'string' && (prior[k] as string) < (next[k] as string)) merged[k] = prior[k];
  for (const k of LATEST) if (typeof prior[k] === 'string' && typeof next[k] === 'string' && (prior[k] as string) > (next[k] as string)) merged[k] = prior[k];
  if (typeof prior.confidence === 'number' && typeof next.confidence === 'number') merged.confidence = Math.max(prior.confidence, next.confidence);
  return merged as StixObject;
}

export class StixPublisher {
  readonly name = 'stix';
  private readonly spools: OrderedSpool[];
  published = 0;

  constructor(private readonly o: StixPublisherOptions) {
    this.spools = (o.push ?? []).map((t) => {
      const client = new TaxiiClient(t);
      return new OrderedSpool({
        dir: o.spoolDir, stem: `taxii-${t.name}`, label: `taxii:${t.name}`, deadKey: 'objects',
        ...(o.logger ? { logger: o.logger } : {}), ...(o.retryBaseMs !== undefined ? { retryBaseMs: o.retryBaseMs } : {}),
        send: async (line) => {
          try {
            const st = await client.push(JSON.parse(line) as StixLike[]);
            // A partner that refuses objects will refuse them again: park the line, do not block the queue.
            return st.failure_count === 0 ? { ok: true } : { ok: false, permanent: true, problem: `${st.failure_count} objects refused: ${st.failures?.[0]?.message ?? ''}` };
          } catch (e) {
            return { ok: false, problem: String((e as Error).message ?? e) };
          }
        },
      });
    });
  }

  /** AlertSink.deliver: the alert's objects, versioned against what the collection holds. */
  deliver(alert: Alert): void {
    const x = new StixExporter(this.o.stix);
    x.add(alert);
    const fresh: StixObject[] = [];
    for (const obj of x.objects()) {
      const v = continueVersion(obj, this.o.service?.latest(SIGHTINGS_COLLECTION, obj.id));
      if (v !== undefined) fresh.push(v);
    }
    if (fresh.length === 0) return;
    const added = this.o.service?.publish(SIGHTINGS_COLLECTION, fresh) ?? fresh.length;
    this.published += added;
    // Fewer added than offered: the collection is at maxObjectsPerCollection (say so once per alert, not per object).
    if (added < fresh.length) this.o.logger?.warn({ alertId: alert.id, offered: fresh.length, added }, 'TAXII collection vigil-sightings is full; raise share.taxii.limits.maxObjectsPerCollection');
    const line = JSON.stringify(fresh);
    for (const s of this.spools) s.append(line);
  }

  async drain(): Promise<void> {
    for (const s of this.spools) await s.drain();
  }

  async close(): Promise<void> {
    for (const s of this.spools) await s.close();
  }
}
