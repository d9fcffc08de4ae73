// Prometheus metrics of a store (prom-client, collected on scrape): live size, writes waiting for
// their commit, sessions saved and replayed, events appended, rows pruned by retention.

import { Counter, Gauge, type Registry } from 'prom-client';

export interface MeteredStore {
  readonly counters: {
    readonly sessionsInserted: number;
    readonly sessionsReplayed: number;
    readonly eventsAppended: number;
    readonly prunedSessions: number;
    readonly prunedEvents: number;
    readonly prunedPayloads: number;
  };
  readonly pendingWrites: number;
  sizeBytes(): Promise<number>;
}

/** Register the store's metrics in the node's registry (once per registry). */
export function registerStoreMetrics(registry: Registry, store: MeteredStore): void {
  if (registry.getSingleMetric('vigil_store_size_bytes')) return;
  new Gauge({
    name: 'vigil_store_size_bytes',
    help: 'Live bytes in the store (what store.retention.maxSizeMb bounds)',
    registers: [registry],
    async collect() {
      this.set(await store.sizeBytes());
    },
  });
  new Gauge({
    name: 'vigil_store_pending_writes',
    help: 'Writes submitted to the store and not yet committed',
    registers: [registry],
    collect() {
      this.set(store.pendingWrites);
    },
  });
  // The store keeps plain numbers; on each scrape the counters are set to them (reset + inc).
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  counter('vigil_store_sessions_saved_total', 'Sessions committed to the store', () => store.counters.sessionsInserted);
  counter('vigil_store_sessions_replayed_total', 'Saves of an already stored session id (replays), acknowledged without writing', () => store.counters.sessionsReplayed);
  counter('vigil_store_events_appended_total', 'Events committed to the store', () => store.counters.eventsAppended);
  new Counter({
    name: 'vigil_store_pruned_total',
    help: 'Rows removed by retention, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ kind: 'session' }, store.counters.prunedSessions);
      this.inc({ kind: 'event' }, store.counters.prunedEvents);
      this.inc({ kind: 'payload' }, store.counters.prunedPayloads);
    },
  });
}
