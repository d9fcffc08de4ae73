// The embedded Store: SQLite through better-sqlite3 12 and Kysely 0.28 (SqliteDialect), WAL,
// group commit on a writer thread, background retention. Durability follows SQLite's WAL rules (sqlite.org/wal.html).

import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
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
import { migrateToLatest } from '../migrate.js';
import { RetentionRunner } from '../retention.js';
import { checkSessionRecord } from '../session-rows.js';
import { immediateDialect, openDatabase } from './sqlite-open.js';
import { inlineWriter, WorkerWriter, type UnitWriter } from './sqlite-writer.js';
import { payloadRow } from '../payload-row.js';
import type { UnitResult, WriteUnit } from './sqlite-write-units.js';
import type { EventQuery, Page, PayloadSample, PortStatsBucket, PortStatsQuery, PruneResult, RetentionPolicy, SaveResult, SessionQuery, SessionSummary, Store } from '../store.js';

export const SQLITE_FILE = 'vigil.db';

export interface SqliteStoreOptions {
  /** Database file, or ':memory:' (tests). */
  readonly file: string;
  /**
   * `full` (default): the WAL is fsynced at every commit, so an acknowledged write survives power
   * loss as well as a crash. `normal`: in WAL mode a commit survives a process crash (SIGKILL: the
   * WAL is already in the OS page cache) but the last commits can roll back on power loss.
   */
  readonly synchronous?: 'full' | 'normal';
  /** How long a writer waits for another process's lock (e.g. `vigil sessions` reading). */
  readonly busyTimeoutMs?: number;
  /** Bytes of each payload sample kept (default 64 KiB); the sha256 covers the whole payload. */
  readonly maxPayloadBytes?: number;
  readonly retention?: RetentionPolicy;
  /** Rows deleted per pruning step (default 500). */
  readonly pruneBatch?: number;
  readonly pruneIntervalMs?: number;
  /** Start the background pruner when `retention` is set (default true). */
  readonly background?: boolean;
  /** Sessions per group-commit transaction (default 256). */
  readonly maxBatch?: number;
  /**
   * Run write transactions on a writer thread (default for files; never for ':memory:'), so a
   * commit's fsync does not stall the caller's event loop (the sensor's listeners). Acknowledgement
   * still means committed: the thread replies after its transaction.
   */
  readonly writerThread?: boolean;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** The store file inside a data directory. */
export function sqliteFileIn(dataDir: string): string {
  return join(dataDir, SQLITE_FILE);
}

/** What this store has done since it was opened (exported as metrics by registerStoreMetrics). */
export interface StoreCounters {
  sessionsInserted: number;
  /** Saves of an id already stored (replays after a crash): acknowledged, nothing written. */
  sessionsReplayed: number;
  eventsAppended: number;
  prunedSessions: number;
  prunedEvents: number;
  prunedPayloads: number;
}

/** A batch from the sensor: samples, events and sessions committed in one transaction. */
export interface SessionBatch {
  readonly sessions: readonly SessionRecord[];
  readonly events?: readonly VigilEvent[];
  /** Raw payloads (capped and content-addressed here, as putPayload does). */
  readonly payloads?: readonly { readonly data: Uint8Array; readonly ts: number }[];
}

export class SqliteStore implements Store {
  readonly counters: StoreCounters = { sessionsInserted: 0, sessionsReplayed: 0, eventsAppended: 0, prunedSessions: 0, prunedEvents: 0, prunedPayloads: 0 };
  /** The Kysely instance over this database, for other areas' tables (kb, alerts) via withTables. */
  readonly kysely: Kysely<CoreDatabase>;
  /** Every write (sessions, events, samples) joins the next group-commit transaction. */
  private readonly units: GroupCommitter<WriteUnit, UnitResult>;
  /** Started on the first write: readers (`vigil sessions`) never start a thread. */
  private writer: Promise<UnitWriter> | undefined;
  private readonly clock: Clock;
  private readonly retention: RetentionRunner | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly opts: SqliteStoreOptions,
    sqlite: Database.Database,
  ) {
    this.kysely = new Kysely<CoreDatabase>({ dialect: immediateDialect(sqlite) });
    this.clock = opts.clock ?? systemClock;
    // Each batch is one transaction: all its units commit together or none does.
    this.units = new GroupCommitter<WriteUnit, UnitResult>(async (items) => (await this.writerNow()).commit(items), opts.maxBatch ?? 256);
    if (opts.retention && opts.background !== false) {
      this.retention = new RetentionRunner((now) => this.prune(now), { intervalMs: opts.pruneIntervalMs, clock: this.clock, logger: opts.logger });
    }
  }

  /** Open (creating if needed), migrate, and start background retention. */
  static async open(opts: SqliteStoreOptions): Promise<SqliteStore> {
    const store = new SqliteStore(opts, openDatabase(opts));
    try {
      await migrateToLatest(store.kysely as Kysely<unknown>);
    } catch (e) {
      await store.kysely.destroy();
      throw e;
    }
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

  /**
   * Samples, events and sessions in one group-commit unit (one transaction, one fsync for the lot);
   * resolves after the commit. If the unit fails, falls back to one write per item so that one bad
   * record fails alone, as with saveSessions.
   */
  async saveBatch(batch: SessionBatch): Promise<SaveResult[]> {
    batch.sessions.forEach(checkSessionRecord);
    this.assertOpen();
    const cap = this.maxPayloadBytes;
    const payloads = (batch.payloads ?? []).map((p) => payloadRow(p.data, p.ts, cap));
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
    // Hand freed pages back to the file system a few at a time (auto_vacuum = INCREMENTAL).
    if (r.sessions + r.events + r.payloads + r.statsRows > 0) await sql`pragma incremental_vacuum(256)`.execute(this.kysely);
    return r;
  }

  /** Writes submitted and not yet committed (units: a session, an event batch, a sample, a sensor batch). */
  get pendingWrites(): number {
    return this.units.pending;
  }

  async sizeBytes(): Promise<number> {
    const r = await sql<{ n: number }>`select (p.page_count - f.freelist_count) * s.page_size as n from pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s`.execute(this.kysely);
    return Number(r.rows[0]?.n ?? 0);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.retention?.stop();
      await this.units.flush();
      await (await this.writer?.catch(() => undefined))?.close();
      await this.kysely.destroy();
    })();
    return this.closing;
  }

  private writerNow(): Promise<UnitWriter> {
    const o = this.opts;
    // Opened after migrating (open() runs first), so the thread's connection finds the tables.
    this.writer ??= o.file === ':memory:' || o.writerThread === false ? Promise.resolve(inlineWriter(this.kysely)) : WorkerWriter.start({ file: o.file, synchronous: o.synchronous, busyTimeoutMs: o.busyTimeoutMs }, o.logger);
    return this.writer;
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

/** Open the store in a data directory (dataDir/vigil.db). */
export function openSqliteStore(opts: SqliteStoreOptions): Promise<SqliteStore> {
  return SqliteStore.open(opts);
}
