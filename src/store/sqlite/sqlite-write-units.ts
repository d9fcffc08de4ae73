// What the SQLite store writes in one group-commit transaction: units of payload samples, events
// and sessions (one unit per saveSession/appendEvents/putPayload/saveBatch call), committed together.

import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { SessionRecord } from '../../model/session.js';
import type { VigilEvent } from '../../model/event.js';
import type { CoreDatabase, PayloadSamplesTable } from '../core-tables.js';
import { insertEvents, insertSessions } from '../core-queries.js';
import type { SaveResult } from '../store.js';

/** One caller's write; every part commits in the same transaction as the rest of its batch. */
export interface WriteUnit {
  readonly payloads?: readonly PayloadSamplesTable[];
  readonly events?: readonly VigilEvent[];
  readonly sessions?: readonly SessionRecord[];
}

/** Per unit: one SaveResult per session, in the unit's order. */
export type UnitResult = SaveResult[];

/** A payload sample row: sha256 of the whole payload, the first `cap` bytes kept. */
export function payloadRow(data: Uint8Array, ts: number, cap: number): PayloadSamplesTable {
  const sha256 = createHash('sha256').update(data).digest('hex');
  const kept = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, cap));
  return { sha256, size: data.length, truncated: data.length > cap ? 1 : 0, data: kept, first_seen: ts, last_seen: ts };
}

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
