// What the PostgreSQL store writes in one group-commit transaction: payload samples, events and
// sessions, in that order. Sessions are claimed with INSERT ... ON CONFLICT DO NOTHING RETURNING
// (PostgreSQL docs, "INSERT", ON CONFLICT), so that two hubs saving the same id never both win.

import { sql, type Transaction } from 'kysely';
import type { SessionRecord } from '../../model/session.js';
import type { VigilEvent } from '../../model/event.js';
import type { CoreDatabase, PayloadSamplesTable } from '../core-tables.js';
import { addToPortStats, insertEvents } from '../core-queries.js';
import { toRows } from '../session-rows.js';
import type { SaveResult } from '../store.js';

/** One caller's write (a saveSession, appendEvents, putPayload or saveBatch). */
export interface PgWriteUnit {
  readonly payloads?: readonly PayloadSamplesTable[];
  readonly events?: readonly VigilEvent[];
  readonly sessions?: readonly SessionRecord[];
}

/** Bound parameters per multi-row INSERT, under PostgreSQL's limit of 65,535: few big statements
 * cost the server less than many small ones (each is parsed and planned on its own). */
const MAX_PARAMS = 30_000;

function chunks<T extends object>(rows: readonly T[]): T[][] {
  if (rows.length === 0) return [];
  const per = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]).length));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += per) out.push(rows.slice(i, i + per));
  return out;
}

async function upsertPayloads(trx: Transaction<CoreDatabase>, rows: readonly PayloadSamplesTable[]): Promise<void> {
  const bySha = new Map<string, PayloadSamplesTable>();
  for (const r of rows) {
    const prev = bySha.get(r.sha256);
    bySha.set(r.sha256, prev ? { ...prev, first_seen: Math.min(prev.first_seen, r.first_seen), last_seen: Math.max(prev.last_seen, r.last_seen) } : r);
  }
  // Sorted by key so that two transactions lock rows in the same order (no deadlock between hubs).
  const unique = [...bySha.values()].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
  for (const part of chunks(unique)) {
    await trx
      .insertInto('payload_samples')
      .values(part)
      .onConflict((oc) =>
        oc.column('sha256').doUpdateSet({
          first_seen: sql<number>`least(payload_samples.first_seen, excluded.first_seen)`,
          last_seen: sql<number>`greatest(payload_samples.last_seen, excluded.last_seen)`,
        }),
      )
      .execute();
  }
}

/** Insert the sessions whose id is new; a known id or a repeat in the batch reports inserted: false. */
async function insertSessionsPg(trx: Transaction<CoreDatabase>, records: readonly SessionRecord[]): Promise<SaveResult[]> {
  const firsts = new Map<string, SessionRecord>();
  for (const r of records) if (!firsts.has(r.id)) firsts.set(r.id, r);
  const rows = new Map([...firsts.values()].map((r) => [r.id, toRows(r)]));
  const won = new Set<string>();
  for (const part of chunks([...rows.values()].map((r) => r.session))) {
    const got = await trx.insertInto('sessions').values(part).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
    for (const g of got) won.add(g.id);
  }
  const fresh = [...won].map((id) => rows.get(id)!);
  for (const part of chunks(fresh.flatMap((r) => r.calls))) await trx.insertInto('calls').values(part).execute();
  for (const part of chunks(fresh.flatMap((r) => r.anomalies))) await trx.insertInto('anomalies').values(part).execute();
  for (const part of chunks(fresh.flatMap((r) => r.payloads))) await trx.insertInto('session_payloads').values(part).execute();
  await addToPortStats(trx, [...won].map((id) => firsts.get(id)!));
  const claimed = new Set<string>();
  return records.map((r) => {
    if (!won.has(r.id) || claimed.has(r.id)) return { inserted: false };
    claimed.add(r.id);
    return { inserted: true };
  });
}

/** All units of one group commit in the caller's transaction; one result list per unit. */
export async function writePgUnits(trx: Transaction<CoreDatabase>, units: readonly PgWriteUnit[]): Promise<SaveResult[][]> {
  const payloads = units.flatMap((u) => u.payloads ?? []);
  if (payloads.length > 0) await upsertPayloads(trx, payloads);
  const events = units.flatMap((u) => u.events ?? []);
  if (events.length > 0) await insertEvents(trx, events);
  const sessions = units.flatMap((u) => u.sessions ?? []);
  const saved = sessions.length > 0 ? await insertSessionsPg(trx, sessions) : [];
  let at = 0;
  return units.map((u) => {
    const n = u.sessions?.length ?? 0;
    const part = saved.slice(at, at + n);
    at += n;
    return part;
  });
}
