// One bounded retention pass over the core tables: by age, then by size, each step deleting at most
// `batch` rows in its own short transaction so that writers wait milliseconds, not minutes.

import { sql, type Kysely } from 'kysely';
import type { CoreDatabase } from './core-tables.js';
import { baseBucket } from './core-queries.js';
import type { PruneResult, RetentionPolicy } from './store.js';

/** An unreferenced payload younger than this is kept: the sensor stores a payload before the session that cites it. */
export const PAYLOAD_GRACE_MS = 3_600_000;

export interface PruneContext {
  readonly db: Kysely<CoreDatabase>;
  readonly policy: RetentionPolicy;
  readonly now: number;
  readonly batch: number;
  /** Live bytes of the store now (backend-specific measure). */
  sizeBytes(): Promise<number>;
}

async function deleteSessions(db: Kysely<CoreDatabase>, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('calls').where('session_id', 'in', ids).execute();
    await trx.deleteFrom('anomalies').where('session_id', 'in', ids).execute();
    await trx.deleteFrom('session_payloads').where('session_id', 'in', ids).execute();
    await trx.deleteFrom('sessions').where('id', 'in', ids).execute();
  });
  return ids.length;
}

async function oldestSessions(db: Kysely<CoreDatabase>, batch: number, before?: number): Promise<string[]> {
  let q = db.selectFrom('sessions').select('id');
  if (before !== undefined) q = q.where('start_ts', '<', before);
  return (await q.orderBy('start_ts').orderBy('id').limit(batch).execute()).map((r) => r.id);
}

async function deleteEvents(db: Kysely<CoreDatabase>, batch: number, before?: number): Promise<number> {
  let q = db.selectFrom('events').select('id');
  if (before !== undefined) q = q.where('ts', '<', before);
  const ids = (await q.orderBy('ts').orderBy('id').limit(batch).execute()).map((r) => r.id);
  if (ids.length > 0) await db.deleteFrom('events').where('id', 'in', ids).execute();
  return ids.length;
}

async function deleteStats(db: Kysely<CoreDatabase>, batch: number, beforeBucket: number): Promise<number> {
  const a = await sql`delete from port_sources where (bucket, port, src) in (select bucket, port, src from port_sources where bucket < ${beforeBucket} limit ${batch})`.execute(db);
  const b = await sql`delete from port_stats where (bucket, port) in (select bucket, port from port_stats where bucket < ${beforeBucket} limit ${batch})`.execute(db);
  // Hours wholly before the cutoff (an hour straddling it keeps its sum until it is wholly old).
  const c = await sql`delete from port_stats_hour where (bucket, port) in (select bucket, port from port_stats_hour where bucket + 3600 <= ${beforeBucket} limit ${batch})`.execute(db);
  return Number(a.numAffectedRows ?? 0n) + Number(b.numAffectedRows ?? 0n) + Number(c.numAffectedRows ?? 0n);
}

async function deletePayloads(db: Kysely<CoreDatabase>, batch: number, now: number, ageCutoff?: number): Promise<number> {
  const graceCutoff = now - PAYLOAD_GRACE_MS;
  const rows = await db
    .selectFrom('payload_samples')
    .select('sha256')
    .where((eb) => {
      const unreferenced = eb.and([eb('last_seen', '<', graceCutoff), eb.not(eb.exists(eb.selectFrom('session_payloads').select('sha256').whereRef('session_payloads.sha256', '=', 'payload_samples.sha256')))]);
      return ageCutoff === undefined ? unreferenced : eb.or([unreferenced, eb('last_seen', '<', ageCutoff)]);
    })
    .limit(batch)
    .execute();
  const shas = rows.map((r) => r.sha256);
  if (shas.length > 0) await db.deleteFrom('payload_samples').where('sha256', 'in', shas).execute();
  return shas.length;
}

async function rowsForExcess(db: Kysely<CoreDatabase>, size: number, excess: number): Promise<number> {
  const r = await db
    .selectNoFrom((eb) => [eb.selectFrom('sessions').select(eb.fn.countAll<number>().as('n')).as('s'), eb.selectFrom('events').select(eb.fn.countAll<number>().as('n')).as('e')])
    .executeTakeFirst();
  const rows = Number(r?.s ?? 0) + Number(r?.e ?? 0);
  if (rows === 0) return 1;
  return Math.max(1, Math.ceil(excess / (size / rows)));
}

export async function pruneCore(ctx: PruneContext): Promise<PruneResult> {
  const { db, policy, now, batch } = ctx;
  const cutoff = policy.maxAgeDays > 0 ? now - policy.maxAgeDays * 86_400_000 : undefined;
  let sessions = 0;
  let events = 0;
  let statsRows = 0;
  if (cutoff !== undefined) {
    sessions += await deleteSessions(db, await oldestSessions(db, batch, cutoff));
    events += await deleteEvents(db, batch, cutoff);
    statsRows += await deleteStats(db, batch, baseBucket(cutoff));
  }
  const maxBytes = policy.maxSizeMb * 1024 * 1024;
  let overSize = false;
  const size = maxBytes > 0 ? await ctx.sizeBytes() : 0;
  if (size > maxBytes && maxBytes > 0) {
    // Over the size bound the oldest raw data goes first (the small rollups stay for baselines),
    // about as many rows as the excess holds at the average row size, so pruning stops near the bound.
    const n = Math.min(batch, await rowsForExcess(db, size, size - maxBytes));
    const s = await deleteSessions(db, await oldestSessions(db, n));
    const e = await deleteEvents(db, n);
    sessions += s;
    events += e;
    overSize = s + e > 0; // nothing raw left to remove: stop instead of spinning
  }
  const payloads = await deletePayloads(db, batch, now, cutoff);
  const more = overSize || sessions >= batch || events >= batch || payloads >= batch || statsRows >= batch;
  return { sessions, events, payloads, statsRows, more };
}
