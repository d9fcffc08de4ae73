// What the SQLite store writes in one group-commit transaction: units of payload samples, events
// and sessions (one unit per saveSession/appendEvents/putPayload/saveBatch call), committed together.
// Two implementations of the same writes: through Kysely (inline stores, the reference), and with
// statements prepared once on the writer thread's own connection (its hot path, see commitUnitsDirect).

import type Database from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { SessionRecord } from '../../model/session.js';
import type { VigilEvent } from '../../model/event.js';
import type { CoreDatabase, PayloadSamplesTable } from '../core-tables.js';
import { baseBucket, hourBucket, insertEvents, insertSessions } from '../core-queries.js';
import { toRows, type SessionRows } from '../session-rows.js';
import type { SaveResult } from '../store.js';

/** One caller's write; every part commits in the same transaction as the rest of its batch. */
export interface WriteUnit {
  readonly payloads?: readonly PayloadSamplesTable[];
  readonly events?: readonly VigilEvent[];
  readonly sessions?: readonly SessionRecord[];
}

/** Per unit: one SaveResult per session, in the unit's order. */
export type UnitResult = SaveResult[];


/** One statement per 100 samples; repeats of a digest keep the earliest first_seen and the
 * latest last_seen (SQLite's two-argument min/max; PostgreSQL would say least/greatest). */
async function upsertPayloads(trx: Transaction<CoreDatabase>, rows: readonly PayloadSamplesTable[]): Promise<void> {
  const bySha = new Map<string, PayloadSamplesTable>();
  for (const r of rows) {
    const prev = bySha.get(r.sha256);
    bySha.set(r.sha256, prev ? { ...prev, first_seen: Math.min(prev.first_seen, r.first_seen), last_seen: Math.max(prev.last_seen, r.last_seen) } : r);
  }
  // A structured clone (worker thread) turns Buffers into Uint8Arrays; better-sqlite3 binds Buffers.
  const unique = [...bySha.values()].map((r) => (Buffer.isBuffer(r.data) ? r : { ...r, data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.length) }));
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

/**
 * Commit many units in one transaction: samples first (a stored session never points at a sample
 * that is not there), then events in submission order, then sessions (idempotent on id). `db` runs
 * transactions with BEGIN IMMEDIATE (immediateDialect): this one reads known ids before writing.
 */
export function commitUnits(db: Kysely<CoreDatabase>, units: readonly WriteUnit[]): Promise<UnitResult[]> {
  return db.transaction().execute((trx) => writeUnits(trx, units));
}

async function writeUnits(trx: Transaction<CoreDatabase>, units: readonly WriteUnit[]): Promise<UnitResult[]> {
  const payloads = units.flatMap((u) => u.payloads ?? []);
  if (payloads.length > 0) await upsertPayloads(trx, payloads);
  const events = units.flatMap((u) => u.events ?? []);
  if (events.length > 0) await insertEvents(trx, events);
  const sessions = units.flatMap((u) => u.sessions ?? []);
  const saved = sessions.length > 0 ? await insertSessions(trx, sessions) : [];
  let at = 0;
  return units.map((u) => {
    const n = u.sessions?.length ?? 0;
    at += n;
    return saved.slice(at - n, at);
  });
}

// ---------------------------------------------------------------- writer thread: prepared once

/** Columns in the order the direct statements bind them (the core tables of migrations/core.ts). */
const SESSION_COLUMNS = ['id', 'sensor', 'proto', 'src', 'sport', 'dst', 'dport', 'start_ts', 'end_ts', 'bytes_in', 'bytes_out', 'first_bytes_hex', 'service', 'close_reason', 'limits_hit', 'payload_sha256', 'call_count', 'anomaly_count', 'transcript'] as const;
const CALL_COLUMNS = ['session_id', 'seq', 'ts', 'iface_uuid', 'opnum', 'operation', 'record'] as const;
const ANOMALY_COLUMNS = ['session_id', 'seq', 'call_seq', 'name', 'proto', 'detail', 'offset', 'call_id'] as const;
const SESSION_PAYLOAD_COLUMNS = ['session_id', 'seq', 'sha256'] as const;
const EVENT_COLUMNS = ['ts', 'type', 'source', 'src', 'dport', 'session', 'event_id', 'body'] as const;
const PAYLOAD_COLUMNS = ['sha256', 'size', 'truncated', 'data', 'first_seen', 'last_seen'] as const;

function insertSql(table: string, columns: readonly string[], tail = ''): string {
  return `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})${tail}`;
}

/** A row's values in column order; a missing value binds NULL, as Kysely's SQLite compiler does. */
function values(row: object, columns: readonly string[]): unknown[] {
  const r = row as Record<string, unknown>;
  const out = new Array<unknown>(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = r[columns[i]] ?? null;
  return out;
}

/**
 * The writer thread's statements, prepared once on its connection. Kysely compiles and SQLite
 * prepares every statement of every batch afresh (one multi-row INSERT per table, whose text
 * changes with the batch size, so no statement cache would hit); single-row statements prepared
 * once and run per row inside the batch's transaction do the same writes for a fraction of the CPU.
 */
export class DirectWriter {
  private readonly session: Database.Statement;
  private readonly call: Database.Statement;
  private readonly anomaly: Database.Statement;
  private readonly sessionPayload: Database.Statement;
  private readonly event: Database.Statement;
  private readonly payload: Database.Statement;
  private readonly portCount: Database.Statement;
  private readonly portSource: Database.Statement;
  private readonly portHourCount: Database.Statement;
  private readonly commit: (units: readonly WriteUnit[]) => UnitResult[];

  constructor(db: Database.Database) {
    // A known id inserts nothing (changes 0): the idempotence check and the insert in one statement.
    this.session = db.prepare(insertSql('sessions', SESSION_COLUMNS, ' on conflict ("id") do nothing'));
    this.call = db.prepare(insertSql('calls', CALL_COLUMNS));
    this.anomaly = db.prepare(insertSql('anomalies', ANOMALY_COLUMNS));
    this.sessionPayload = db.prepare(insertSql('session_payloads', SESSION_PAYLOAD_COLUMNS));
    // A known event id (a redelivered fleet message) inserts nothing; NULL ids never conflict.
    this.event = db.prepare(insertSql('events', EVENT_COLUMNS, ' on conflict ("event_id") do nothing'));
    this.payload = db.prepare(insertSql('payload_samples', PAYLOAD_COLUMNS,
      ' on conflict ("sha256") do update set "first_seen" = min("payload_samples"."first_seen", "excluded"."first_seen"), "last_seen" = max("payload_samples"."last_seen", "excluded"."last_seen")'));
    this.portCount = db.prepare('insert into "port_stats" ("bucket", "port", "count") values (?, ?, ?) on conflict ("bucket", "port") do update set "count" = "port_stats"."count" + "excluded"."count"');
    this.portSource = db.prepare('insert into "port_sources" ("bucket", "port", "src") values (?, ?, ?) on conflict do nothing');
    this.portHourCount = db.prepare('insert into "port_stats_hour" ("bucket", "port", "count") values (?, ?, ?) on conflict ("bucket", "port") do update set "count" = "port_stats_hour"."count" + "excluded"."count"');
    // BEGIN IMMEDIATE, as immediateDialect does for the Kysely path.
    const tx = db.transaction((units: readonly WriteUnit[]) => this.write(units));
    this.commit = (units) => tx.immediate(units);
  }

  /** commitUnits' writes, in the same order and with the same results, in one transaction. */
  commitUnits(units: readonly WriteUnit[]): UnitResult[] {
    return this.commit(units);
  }

  private write(units: readonly WriteUnit[]): UnitResult[] {
    const payloads = units.flatMap((u) => u.payloads ?? []);
    if (payloads.length > 0) this.writePayloads(payloads);
    for (const u of units) for (const e of u.events ?? []) this.writeEvent(e);
    const fresh: SessionRecord[] = [];
    const rows: SessionRows[] = [];
    const results = units.map((u) =>
      (u.sessions ?? []).map((r) => {
        const row = toRows(r);
        // A known id, or a repeat within the batch, changes nothing (a replay after a crash).
        if (this.session.run(values(row.session, SESSION_COLUMNS)).changes === 0) return { inserted: false };
        fresh.push(r);
        rows.push(row);
        return { inserted: true };
      }),
    );
    if (fresh.length > 0) this.writeSessionParts(fresh, rows);
    return results;
  }

  private writePayloads(rows: readonly PayloadSamplesTable[]): void {
    for (const r of rows) {
      // A structured clone (worker thread) turns Buffers into Uint8Arrays; better-sqlite3 binds Buffers.
      const data = Buffer.isBuffer(r.data) ? r.data : Buffer.from(r.data.buffer, r.data.byteOffset, r.data.length);
      this.payload.run(r.sha256, r.size, r.truncated, data, r.first_seen, r.last_seen);
    }
  }

  private writeEvent(e: VigilEvent): void {
    this.event.run(e.ts, e.type, e.source, e.src ?? null, e.dport ?? null, e.session ?? null, e.id ?? null, JSON.stringify(e));
  }

  /** After the sessions rows, as insertSessions orders them: calls, anomalies, sample links, rollups. */
  private writeSessionParts(fresh: readonly SessionRecord[], rows: readonly SessionRows[]): void {
    for (const r of rows) for (const c of r.calls) this.call.run(values(c, CALL_COLUMNS));
    for (const r of rows) for (const a of r.anomalies) this.anomaly.run(values(a, ANOMALY_COLUMNS));
    for (const r of rows) for (const p of r.payloads) this.sessionPayload.run(values(p, SESSION_PAYLOAD_COLUMNS));
    const counts = new Map<string, { bucket: number; port: number; count: number }>();
    const sources = new Map<string, { bucket: number; port: number; src: string }>();
    for (const r of fresh) {
      const bucket = baseBucket(r.startTs);
      const key = `${bucket}:${r.dport}`;
      const c = counts.get(key);
      if (c) c.count++;
      else counts.set(key, { bucket, port: r.dport, count: 1 });
      sources.set(`${key}:${r.src}`, { bucket, port: r.dport, src: r.src });
    }
    const hours = new Map<string, { bucket: number; port: number; count: number }>();
    for (const c of counts.values()) {
      this.portCount.run(c.bucket, c.port, c.count);
      const bucket = hourBucket(c.bucket);
      const h = hours.get(`${bucket}:${c.port}`);
      if (h) h.count += c.count;
      else hours.set(`${bucket}:${c.port}`, { bucket, port: c.port, count: c.count });
    }
    for (const h of hours.values()) this.portHourCount.run(h.bucket, h.port, h.count);
    for (const s of sources.values()) this.portSource.run(s.bucket, s.port, s.src);
  }
}
