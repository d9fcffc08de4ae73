// The multi-user Store on PostgreSQL (pg 8 through Kysely's PostgresDialect): the same core tables
// and queries as SQLite, group commit over a connection pool, background retention. A commit is
// durable by PostgreSQL's WAL (synchronous_commit on, the server default) before a save resolves.

import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SessionRecord } from '../../model/session.js';
import type { VigilEvent } from '../../model/event.js';
import type { CoreDatabase } from '../core-tables.js';
import { selectEvents, selectPortStats, selectSession, selectSessions } from '../core-queries.js';
import { pruneCore } from '../core-prune.js';
import { GroupCommitter } from '../group-commit.js';
import { RetentionRunner } from '../retention.js';
import { checkSessionRecord } from '../session-rows.js';
import { payloadRow } from '../payload-row.js';
import type { EventQuery, Page, PayloadSample, PortStatsBucket, PortStatsQuery, PruneResult, RetentionPolicy, SaveResult, SessionQuery, SessionSummary, Store } from '../store.js';
import { migratePostgres } from './pg-migrations.js';
import { writePgUnits, type PgWriteUnit } from './pg-writes.js';

export interface PostgresStoreOptions {
  /** libpq-style URL, e.g. postgres://vigil@db.example.org/vigil (credentials may come from PG* env). */
  readonly url: string;
  /** Pooled connections (default 4): one writer at a time, the rest serve reads. */
  readonly poolSize?: number;
  readonly maxPayloadBytes?: number;
  readonly retention?: RetentionPolicy;
  readonly pruneBatch?: number;
  readonly pruneIntervalMs?: number;
  readonly background?: boolean;
  /** Write units per group-commit transaction (default 1024: a hub batch of 512 sessions is one transaction). */
  readonly maxBatch?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** Same shape as SqliteStore's batch (node-sink's saveBatch). */
export interface PgSessionBatch {
  readonly sessions: readonly SessionRecord[];
  readonly events?: readonly VigilEvent[];
  readonly payloads?: readonly { readonly data: Uint8Array; readonly ts: number }[];
}

/** Row bytes of the live data, uncompressed: relation sizes never shrink after DELETE (only VACUUM
 * FULL gives space back), so pruning to a size bound must measure rows, not files. A scan per call. */
const LIVE_BYTES = sql<{ n: string | number }>`select
  (select coalesce(sum(octet_length(t::text)), 0) from sessions t)
  + (select coalesce(sum(octet_length(t::text)), 0) from calls t)
  + (select coalesce(sum(octet_length(t::text)), 0) from anomalies t)
  + (select coalesce(sum(octet_length(t::text)), 0) from session_payloads t)
  + (select coalesce(sum(octet_length(t::text)), 0) from events t)
  + (select coalesce(sum(octet_length(data) + 100), 0) from payload_samples) as n`;

export class PostgresStore implements Store {
  readonly counters = { sessionsInserted: 0, sessionsReplayed: 0, eventsAppended: 0, prunedSessions: 0, prunedEvents: 0, prunedPayloads: 0 };
  private readonly units: GroupCommitter<PgWriteUnit, SaveResult[]>;
  private readonly clock: Clock;
  private readonly retention: RetentionRunner | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly opts: PostgresStoreOptions,
    readonly kysely: Kysely<CoreDatabase>,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.units = new GroupCommitter<PgWriteUnit, SaveResult[]>((items) => this.kysely.transaction().execute((trx) => writePgUnits(trx, items)), opts.maxBatch ?? 1024);
    if (opts.retention && opts.background !== false) {
      this.retention = new RetentionRunner((now) => this.prune(now), { intervalMs: opts.pruneIntervalMs, clock: this.clock, logger: opts.logger });
    }
  }

  /** Connect, migrate, start background retention. The pg driver is loaded here, not at import. */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 4 });
    // A client that loses its server (a restart) emits 'error', idle or checked out; unhandled, that
    // would end the process. The pool drops such a client on release (it is no longer queryable), and
    // the write that failed is retried by the caller (the hub naks and the broker redelivers).
    const lost = (e: Error): void => opts.logger?.warn({ err: e.message }, 'postgres: connection lost');
    pool.on('error', lost);
    pool.on('connect', (client) => client.on('error', lost));
    const kysely = new Kysely<CoreDatabase>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migratePostgres(kysely as Kysely<unknown>);
    } catch (e) {
      await kysely.destroy();
      if (e instanceof AppError) throw e;
      throw new AppError('VIGIL_ERR_STORE', `cannot open postgres store: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
    }
    const store = new PostgresStore(opts, kysely);
    store.retention?.start();
    return store;
  }

  async saveSession(record: SessionRecord): Promise<SaveResult> {
    checkSessionRecord(record);
    this.assertOpen();
    const [r] = await this.units.submit({ sessions: [record] });
    this.countSaved([r]);
    return r;
  }

  async saveSessions(records: readonly SessionRecord[]): Promise<SaveResult[]> {
    records.forEach(checkSessionRecord);
    this.assertOpen();
    return Promise.all(records.map((r) => this.saveSession(r)));
  }

  /** Samples, events and sessions in one transaction (as SqliteStore.saveBatch); on failure, item by item. */
  async saveBatch(batch: PgSessionBatch): Promise<SaveResult[]> {
    batch.sessions.forEach(checkSessionRecord);
    this.assertOpen();
    const payloads = (batch.payloads ?? []).map((p) => payloadRow(p.data, p.ts, this.maxPayloadBytes));
    const events = batch.events ?? [];
    let results: SaveResult[];
    try {
      results = await this.units.submit({ payloads, events, sessions: batch.sessions });
    } catch {
      await Promise.all((batch.payloads ?? []).map((p) => this.putPayload(p.data, p.ts)));
      await this.appendEvents(events);
      return this.saveSessions(batch.sessions);
    }
    this.counters.eventsAppended += events.length;
    this.countSaved(results);
    return results;
  }

  getSession(id: string): Promise<SessionRecord | undefined> {
    return selectSession(this.kysely, id);
  }

  listSessions(query?: SessionQuery): Promise<Page<SessionSummary>> {
    return selectSessions(this.kysely, query);
  }

  async putPayload(data: Uint8Array, ts: number = this.clock.now()): Promise<{ sha256: string; size: number; truncated: boolean }> {
    this.assertOpen();
    const row = payloadRow(data, ts, this.maxPayloadBytes);
    await this.units.submit({ payloads: [row] });
    return { sha256: row.sha256, size: row.size, truncated: row.truncated === 1 };
  }

  async getPayload(sha256: string): Promise<PayloadSample | undefined> {
    const r = await this.kysely.selectFrom('payload_samples').selectAll().where('sha256', '=', sha256.toLowerCase()).executeTakeFirst();
    if (!r) return undefined;
    return { sha256: r.sha256, size: Number(r.size), data: new Uint8Array(r.data), truncated: Number(r.truncated) === 1, firstSeen: Number(r.first_seen) };
  }

  async appendEvents(events: readonly VigilEvent[]): Promise<void> {
    this.assertOpen();
    if (events.length === 0) return;
    await this.units.submit({ events });
    this.counters.eventsAppended += events.length;
  }

  queryEvents(query?: EventQuery): Promise<Page<VigilEvent>> {
    return selectEvents(this.kysely, query);
  }

  portStats(query: PortStatsQuery = {}): Promise<PortStatsBucket[]> {
    return selectPortStats(this.kysely, query, this.clock.now());
  }

  async prune(now: number = this.clock.now()): Promise<PruneResult> {
    const policy = this.opts.retention ?? { maxAgeDays: 0, maxSizeMb: 0 };
    const r = await pruneCore({ db: this.kysely, policy, now, batch: this.opts.pruneBatch ?? 500, sizeBytes: () => this.sizeBytes() });
    this.counters.prunedSessions += r.sessions;
    this.counters.prunedEvents += r.events;
    this.counters.prunedPayloads += r.payloads;
    return r;
  }

  get pendingWrites(): number {
    return this.units.pending;
  }

  async sizeBytes(): Promise<number> {
    const r = await LIVE_BYTES.execute(this.kysely);
    return Number(r.rows[0]?.n ?? 0);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.retention?.stop();
      await this.units.flush();
      await this.kysely.destroy();
    })();
    return this.closing;
  }

  private get maxPayloadBytes(): number {
    return this.opts.maxPayloadBytes ?? 65_536;
  }

  private countSaved(results: readonly SaveResult[]): void {
    for (const r of results) {
      if (r.inserted) this.counters.sessionsInserted++;
      else this.counters.sessionsReplayed++;
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError('VIGIL_ERR_STORE', 'store is closed');
  }
}

export function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  return PostgresStore.open(opts);
}
