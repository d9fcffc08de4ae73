// The embedded Store: SQLite through better-sqlite3 12 and Kysely 0.28 (SqliteDialect), WAL,
// group commit, background retention. Durability follows SQLite's WAL rules (sqlite.org/wal.html).

import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Transaction } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SessionRecord } from '../../model/session.js';
import type { VigilEvent } from '../../model/event.js';
import type { CoreDatabase, PayloadSamplesTable } from '../core-tables.js';
import { insertEvents, insertSessions, selectEvents, selectPortStats, selectSession, selectSessions } from '../core-queries.js';
import { pruneCore } from '../core-prune.js';
import { GroupCommitter } from '../group-commit.js';
import { migrateToLatest } from '../migrate.js';
import { RetentionRunner } from '../retention.js';
import { checkSessionRecord } from '../session-rows.js';
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
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** The store file inside a data directory. */
export function sqliteFileIn(dataDir: string): string {
  return join(dataDir, SQLITE_FILE);
}

function openDatabase(opts: SqliteStoreOptions): Database.Database {
  if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(opts.file);
  } catch (e) {
    throw new AppError('VIGIL_ERR_STORE', `cannot open store ${opts.file}: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  // auto_vacuum takes effect only before the first table exists; incremental lets pruning give
  // space back to the file system in small steps instead of a blocking VACUUM.
  if ((db.pragma('page_count', { simple: true }) as number) === 0) db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  return db;
}

/** One statement for a batch of samples; repeats of a digest keep the earliest first_seen and the
 * latest last_seen (SQLite's two-argument min/max; PostgreSQL would say least/greatest). */
async function upsertPayloads(trx: Transaction<CoreDatabase>, rows: readonly PayloadSamplesTable[]): Promise<void> {
  const bySha = new Map<string, PayloadSamplesTable>();
  for (const r of rows) {
    const prev = bySha.get(r.sha256);
    bySha.set(r.sha256, prev ? { ...prev, first_seen: Math.min(prev.first_seen, r.first_seen), last_seen: Math.max(prev.last_seen, r.last_seen) } : r);
  }
  const unique = [...bySha.values()];
  for (let i = 0; i < unique.length; i += 100) {
    await trx
      .insertInto('payload_samples')
      .values(unique.slice(i, i + 100))
      .onConflict((oc) =>
        oc.column('sha256').doUpdateSet({
          first_seen: sql<number>`min(payload_samples.first_seen, excluded.first_seen)`,
          last_seen: sql<number>`max(payload_samples.last_seen, excluded.last_seen)`,
        }),
      )
      .execute();
  }
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

export class SqliteStore implements Store {
  readonly counters: StoreCounters = { sessionsInserted: 0, sessionsReplayed: 0, eventsAppended: 0, prunedSessions: 0, prunedEvents: 0, prunedPayloads: 0 };
  /** The Kysely instance over this database, for other areas' tables (kb, alerts) via withTables. */
  readonly kysely: Kysely<CoreDatabase>;
  private readonly sessions: GroupCommitter<SessionRecord, SaveResult>;
  private readonly events: GroupCommitter<readonly VigilEvent[], void>;
  private readonly payloads: GroupCommitter<PayloadSamplesTable, void>;
  private readonly clock: Clock;
  private readonly retention: RetentionRunner | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly opts: SqliteStoreOptions,
    sqlite: Database.Database,
  ) {
    this.kysely = new Kysely<CoreDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
    this.clock = opts.clock ?? systemClock;
    // Each group-commit batch is one transaction: all its items commit together or none does.
    const trx =
      <T, R>(fn: (t: Transaction<CoreDatabase>, items: readonly T[]) => Promise<R[]>) =>
      (items: readonly T[]) =>
        this.kysely.transaction().execute((t) => fn(t, items));
    this.sessions = new GroupCommitter<SessionRecord, SaveResult>(
      trx((t, items: readonly SessionRecord[]) => insertSessions(t, items)),
      opts.maxBatch ?? 256,
    );
    this.events = new GroupCommitter<readonly VigilEvent[], void>(
      trx(async (t, batches: readonly (readonly VigilEvent[])[]) => {
        for (const b of batches) await insertEvents(t, b);
        return batches.map(() => undefined);
      }),
      64,
    );
    // Payloads too: the sensor stores one per shell session, and one fsync each would cap the rate.
    this.payloads = new GroupCommitter<PayloadSamplesTable, void>(
      trx(async (t, rows: readonly PayloadSamplesTable[]) => {
        await upsertPayloads(t, rows);
        return rows.map(() => undefined);
      }),
      256,
    );
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
    const r = await this.sessions.submit(record);
    if (r.inserted) this.counters.sessionsInserted++;
    else this.counters.sessionsReplayed++;
    return r;
  }

  async saveSessions(records: readonly SessionRecord[]): Promise<SaveResult[]> {
    records.forEach(checkSessionRecord);
    this.assertOpen();
    return Promise.all(records.map((r) => this.saveSession(r)));
  }

  getSession(id: string): Promise<SessionRecord | undefined> {
    return selectSession(this.kysely, id);
  }

  listSessions(query?: SessionQuery): Promise<Page<SessionSummary>> {
    return selectSessions(this.kysely, query);
  }

  async putPayload(data: Uint8Array, ts: number = this.clock.now()): Promise<{ sha256: string; size: number; truncated: boolean }> {
    this.assertOpen();
    const sha256 = createHash('sha256').update(data).digest('hex');
    const cap = this.opts.maxPayloadBytes ?? 65_536;
    const truncated = data.length > cap;
    const kept = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, cap));
    await this.payloads.submit({ sha256, size: data.length, truncated: truncated ? 1 : 0, data: kept, first_seen: ts, last_seen: ts });
    return { sha256, size: data.length, truncated };
  }

  async getPayload(sha256: string): Promise<PayloadSample | undefined> {
    const r = await this.kysely.selectFrom('payload_samples').selectAll().where('sha256', '=', sha256.toLowerCase()).executeTakeFirst();
    if (!r) return undefined;
    return { sha256: r.sha256, size: Number(r.size), data: new Uint8Array(r.data), truncated: Number(r.truncated) === 1, firstSeen: Number(r.first_seen) };
  }

  async appendEvents(events: readonly VigilEvent[]): Promise<void> {
    this.assertOpen();
    if (events.length === 0) return;
    await this.events.submit(events);
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

  /** Writes submitted and not yet committed (sessions and event batches). */
  get pendingWrites(): number {
    return this.sessions.pending + this.events.pending + this.payloads.pending;
  }

  async sizeBytes(): Promise<number> {
    const r = await sql<{ n: number }>`select (p.page_count - f.freelist_count) * s.page_size as n from pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s`.execute(this.kysely);
    return Number(r.rows[0]?.n ?? 0);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.retention?.stop();
      await this.payloads.flush();
      await this.sessions.flush();
      await this.events.flush();
      await this.kysely.destroy();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError('VIGIL_ERR_STORE', 'store is closed');
  }
}

/** Open the store in a data directory (dataDir/vigil.db). */
export function openSqliteStore(opts: SqliteStoreOptions): Promise<SqliteStore> {
  return SqliteStore.open(opts);
}
