// The Store interface: what the node persists (sensor sessions with calls and anomalies, payload
// samples, detector events, per-port statistics) and how it is queried. One contract suite
// (test/store/store-contract.ts) runs against every implementation: sqlite/ and postgres/.

import type { SessionRecord } from '../model/session.js';
import type { VigilEvent } from '../model/event.js';

/** Filters for listing sessions. Times are ms since epoch; `since` inclusive, `until` exclusive. */
export interface SessionQuery {
  readonly port?: number;
  /** Originator (peer) address, textual IPv4 or IPv6, compared exactly. */
  readonly source?: string;
  readonly since?: number;
  readonly until?: number;
  /** true: only sessions with at least one anomaly (session or call level); false: only without. */
  readonly hasAnomaly?: boolean;
  /** Page size (1..1000, default 100). */
  readonly limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  readonly cursor?: string;
  /** Newest first (default) or oldest first. */
  readonly order?: 'desc' | 'asc';
}

/** One row of a session list: the session without its calls (those come with getSession). */
export interface SessionSummary extends Omit<SessionRecord, 'calls'> {
  readonly callCount: number;
  /** Session-level plus call-level anomalies. */
  readonly anomalyCount: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Cursor for the next page, absent on the last page. */
  readonly nextCursor?: string;
}

/** Filters for reading events back (detectors, replays). Ordered by time, then insertion. */
export interface EventQuery {
  readonly since?: number;
  readonly until?: number;
  readonly port?: number;
  readonly source?: string;
  readonly type?: VigilEvent['type'];
  /** Page size (1..10000, default 1000). */
  readonly limit?: number;
  readonly cursor?: string;
}

export interface PortStatsQuery {
  /** ms since epoch, inclusive; default: 24 h before `until`. */
  readonly since?: number;
  /** ms since epoch, exclusive; default: now. */
  readonly until?: number;
  /** Bucket width in seconds, a multiple of STATS_BASE_BUCKET_SECONDS (default 3600). */
  readonly bucketSeconds?: number;
  readonly ports?: readonly number[];
  /** false: leave uniqueSources at 0 and skip counting distinct sources, the costly half of the
   * query over long ranges (a dashboard's 30-day baseline needs only counts). Default true. */
  readonly withSources?: boolean;
}

/** Connections and distinct peer addresses seen on one port in one time bucket. */
export interface PortStatsBucket {
  /** Bucket start, ms since epoch (aligned to the bucket width from the epoch). */
  readonly bucketStart: number;
  readonly port: number;
  readonly count: number;
  readonly uniqueSources: number;
}

/** The finest bucket the store keeps; coarser buckets are sums of these. */
export const STATS_BASE_BUCKET_SECONDS = 60;

export interface PayloadSample {
  /** sha256 (hex) of the payload as received, before capping: the payload's identity. */
  readonly sha256: string;
  /** Length of the payload as received. */
  readonly size: number;
  /** The stored bytes: the first `maxPayloadBytes` of the payload. */
  readonly data: Uint8Array;
  readonly truncated: boolean;
  readonly firstSeen: number;
}

export interface RetentionPolicy {
  /** Sessions, events and stats older than this are pruned; 0 = keep forever. */
  readonly maxAgeDays: number;
  /** Oldest sessions/events are pruned while the store is larger than this; 0 = no size bound. */
  readonly maxSizeMb: number;
}

/** What one pruning pass removed. */
export interface PruneResult {
  readonly sessions: number;
  readonly events: number;
  readonly payloads: number;
  readonly statsRows: number;
  /** true when the pass stopped at its batch size and more may be due. */
  readonly more: boolean;
}

export interface SaveResult {
  /** false when a session with this id was already stored (idempotent replay): nothing changed. */
  readonly inserted: boolean;
}

export interface Store {
  /**
   * Persist one session with its calls, anomalies and payload links, atomically. Resolves only
   * after the transaction has committed (acknowledged = durable); idempotent on `record.id`.
   */
  saveSession(record: SessionRecord): Promise<SaveResult>;
  /** Same contract for several sessions; resolves after all are committed. */
  saveSessions(records: readonly SessionRecord[]): Promise<SaveResult[]>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  listSessions(query?: SessionQuery): Promise<Page<SessionSummary>>;

  /** Store a payload sample (capped), content-addressed by the sha256 of the full bytes. */
  putPayload(data: Uint8Array, ts?: number): Promise<{ sha256: string; size: number; truncated: boolean }>;
  getPayload(sha256: string): Promise<PayloadSample | undefined>;

  /** Append events durably (resolves after commit), in order. */
  appendEvents(events: readonly VigilEvent[]): Promise<void>;
  queryEvents(query?: EventQuery): Promise<Page<VigilEvent>>;

  /**
   * Sessions and distinct sources per port per bucket, from rollups maintained by saveSession (so a
   * replayed session is not counted twice). Events from logs are not counted here: detectors build
   * their own series from queryEvents.
   */
  portStats(query?: PortStatsQuery): Promise<PortStatsBucket[]>;

  /** One bounded pruning pass (the background pruner calls this repeatedly). */
  prune(now?: number): Promise<PruneResult>;
  /** Approximate bytes used by live data (what maxSizeMb bounds). */
  sizeBytes(): Promise<number>;

  /** Flush pending writes, stop background work, close. Idempotent. */
  close(): Promise<void>;
}
