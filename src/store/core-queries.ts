// Dialect-neutral Kysely queries over the core tables: session writes (idempotent, with stats
// rollups), session listing with keyset paging, events and port statistics. Backends wrap these.

import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { SessionRecord } from '../model/session.js';
import type { VigilEvent } from '../model/event.js';
import type { CoreDatabase, SessionsTable } from './core-tables.js';
import { decodeCursor, encodeCursor, pageSize } from './cursor.js';
import { recordFromRows, summaryFromRow, toRows } from './session-rows.js';
import { STATS_BASE_BUCKET_SECONDS, type EventQuery, type Page, type PortStatsBucket, type PortStatsQuery, type SaveResult, type SessionQuery, type SessionSummary } from './store.js';

type Db = Kysely<CoreDatabase> | Transaction<CoreDatabase>;

/** Rows per multi-row INSERT, under SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_CHUNK = 200;

async function insertChunked<T extends keyof CoreDatabase>(db: Db, table: T, rows: readonly Insertable<CoreDatabase[T]>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db.insertInto(table).values(rows.slice(i, i + INSERT_CHUNK) as never).execute();
  }
}

export function baseBucket(ts: number): number {
  return Math.floor(ts / 1000 / STATS_BASE_BUCKET_SECONDS) * STATS_BASE_BUCKET_SECONDS;
}

/**
 * Insert a batch of sessions inside the caller's transaction with a handful of multi-row statements
 * (not several per session: per-statement cost dominates SQLite writes). A known id, or a repeat
 * within the batch, changes nothing and reports inserted: false (a replay after a crash).
 */
export async function insertSessions(trx: Transaction<CoreDatabase>, records: readonly SessionRecord[]): Promise<SaveResult[]> {
  const known = new Set<string>();
  const ids = [...new Set(records.map((r) => r.id))];
  for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
    const rows = await trx.selectFrom('sessions').select('id').where('id', 'in', ids.slice(i, i + INSERT_CHUNK)).execute();
    for (const r of rows) known.add(r.id);
  }
  const fresh: SessionRecord[] = [];
  const results = records.map((r) => {
    if (known.has(r.id)) return { inserted: false };
    known.add(r.id);
    fresh.push(r);
    return { inserted: true };
  });
  if (fresh.length === 0) return results;
  const rows = fresh.map(toRows);
  await insertChunked(trx, 'sessions', rows.map((r) => r.session));
  await insertChunked(trx, 'calls', rows.flatMap((r) => r.calls));
  await insertChunked(trx, 'anomalies', rows.flatMap((r) => r.anomalies));
  await insertChunked(trx, 'session_payloads', rows.flatMap((r) => r.payloads));
  await addToPortStats(trx, fresh);
  return results;
}

/** The per-minute and per-hour port rollups and the distinct sources, for new sessions; the one
 * rollup write of every backend. Rows go in key order: concurrent writers (a PostgreSQL hub's
 * transactions) then take their row locks in the same order and never deadlock. */
export async function addToPortStats(trx: Transaction<CoreDatabase>, fresh: readonly SessionRecord[]): Promise<void> {
  const counts = new Map<string, { bucket: number; port: number; count: number }>();
  const sources = new Map<string, { bucket: number; port: number; src: string }>();
  for (const r of fresh) {
    const bucket = baseBucket(r.startTs);
    const key = `${bucket}:${r.dport}`;
    const c = counts.get(key) ?? { bucket, port: r.dport, count: 0 };
    c.count++;
    counts.set(key, c);
    sources.set(`${key}:${r.src}`, { bucket, port: r.dport, src: r.src });
  }
  const list = [...counts.values()].sort((a, b) => a.bucket - b.bucket || a.port - b.port);
  for (let i = 0; i < list.length; i += INSERT_CHUNK) {
    await trx
      .insertInto('port_stats')
      .values(list.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(['bucket', 'port']).doUpdateSet({ count: sql<number>`port_stats.count + excluded.count` }))
      .execute();
  }
  const hours = new Map<string, { bucket: number; port: number; count: number }>();
  for (const c of list) {
    const bucket = hourBucket(c.bucket);
    const key = `${bucket}:${c.port}`;
    const h = hours.get(key) ?? { bucket, port: c.port, count: 0 };
    h.count += c.count;
    hours.set(key, h);
  }
  const hourList = [...hours.values()].sort((a, b) => a.bucket - b.bucket || a.port - b.port);
  for (let i = 0; i < hourList.length; i += INSERT_CHUNK) {
    await trx
      .insertInto('port_stats_hour')
      .values(hourList.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(['bucket', 'port']).doUpdateSet({ count: sql<number>`port_stats_hour.count + excluded.count` }))
      .execute();
  }
  const src = [...sources.values()].sort((a, b) => a.bucket - b.bucket || a.port - b.port || (a.src < b.src ? -1 : a.src > b.src ? 1 : 0));
  for (let i = 0; i < src.length; i += INSERT_CHUNK) {
    await trx.insertInto('port_sources').values(src.slice(i, i + INSERT_CHUNK)).onConflict((oc) => oc.doNothing()).execute();
  }
}

export async function selectSession(db: Db, id: string): Promise<SessionRecord | undefined> {
  const s = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) return undefined;
  const calls = await db.selectFrom('calls').selectAll().where('session_id', '=', id).orderBy('seq').execute();
  const anomalies = await db.selectFrom('anomalies').selectAll().where('session_id', '=', id).orderBy('seq').execute();
  return recordFromRows(s, calls, anomalies);
}

export async function selectSessions(db: Db, q: SessionQuery = {}): Promise<Page<SessionSummary>> {
  const limit = pageSize(q.limit, 100, 1000);
  const desc = (q.order ?? 'desc') === 'desc';
  let query = db.selectFrom('sessions').selectAll();
  if (q.port !== undefined) query = query.where('dport', '=', q.port);
  if (q.source !== undefined) query = query.where('src', '=', q.source);
  if (q.since !== undefined) query = query.where('start_ts', '>=', q.since);
  if (q.until !== undefined) query = query.where('start_ts', '<', q.until);
  if (q.hasAnomaly !== undefined) query = query.where('anomaly_count', q.hasAnomaly ? '>' : '=', 0);
  if (q.cursor !== undefined) {
    const c = decodeCursor<string>(q.cursor, 'string');
    const cmp = desc ? '<' : '>';
    query = query.where((eb) => eb.or([eb('start_ts', cmp, c.ts), eb.and([eb('start_ts', '=', c.ts), eb('id', cmp, c.id)])]));
  }
  const dir = desc ? 'desc' : 'asc';
  const rows = await query.orderBy('start_ts', dir).orderBy('id', dir).limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const own = await sessionAnomalies(db, page);
  const items = page.map((s) => summaryFromRow(s, own.get(s.id) ?? []));
  const last = page[page.length - 1];
  return rows.length > limit && last ? { items, nextCursor: encodeCursor(Number(last.start_ts), last.id) } : { items };
}

async function sessionAnomalies(db: Db, page: readonly SessionsTable[]) {
  const ids = page.filter((s) => Number(s.anomaly_count) > 0).map((s) => s.id);
  const out = new Map<string, CoreDatabase['anomalies'][]>();
  if (ids.length === 0) return out;
  const rows = await db.selectFrom('anomalies').selectAll().where('session_id', 'in', ids).where('call_seq', 'is', null).orderBy('session_id').orderBy('seq').execute();
  for (const a of rows) {
    const list = out.get(a.session_id) ?? [];
    list.push(a);
    out.set(a.session_id, list);
  }
  return out;
}

export async function insertEvents(trx: Transaction<CoreDatabase>, events: readonly VigilEvent[]): Promise<void> {
  const rows = events.map((e) => ({ ts: e.ts, type: e.type, source: e.source, src: e.src, dport: e.dport, session: e.session ?? null, event_id: e.id ?? null, body: JSON.stringify(e) }));
  // An event whose id is stored already (a redelivered fleet message) inserts nothing.
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx.insertInto('events').values(rows.slice(i, i + INSERT_CHUNK)).onConflict((oc) => oc.column('event_id').doNothing()).execute();
  }
}

export async function selectEvents(db: Db, q: EventQuery = {}): Promise<Page<VigilEvent>> {
  const limit = pageSize(q.limit, 1000, 10_000);
  let query = db.selectFrom('events').select(['id', 'ts', 'body']);
  if (q.since !== undefined) query = query.where('ts', '>=', q.since);
  if (q.until !== undefined) query = query.where('ts', '<', q.until);
  if (q.port !== undefined) query = query.where('dport', '=', q.port);
  if (q.source !== undefined) query = query.where('src', '=', q.source);
  if (q.type !== undefined) query = query.where('type', '=', q.type);
  if (q.cursor !== undefined) {
    const c = decodeCursor<number>(q.cursor, 'number');
    query = query.where((eb) => eb.or([eb('ts', '>', c.ts), eb.and([eb('ts', '=', c.ts), eb('id', '>', c.id)])]));
  }
  const rows = await query.orderBy('ts').orderBy('id').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const items = page.map((r) => JSON.parse(r.body) as VigilEvent);
  const last = page[page.length - 1];
  return rows.length > limit && last ? { items, nextCursor: encodeCursor(Number(last.ts), Number(last.id)) } : { items };
}

/** Sum base-bucket rollups into buckets of `bucketSeconds` aligned from the epoch. */
/** Start (epoch seconds) of the hour holding a base bucket. */
export function hourBucket(baseBucketSeconds: number): number {
  return Math.floor(baseBucketSeconds / 3600) * 3600;
}

export async function selectPortStats(db: Db, q: PortStatsQuery, now: number): Promise<PortStatsBucket[]> {
  const width = q.bucketSeconds ?? 3600;
  const until = q.until ?? now;
  const since = q.since ?? until - 86_400_000;
  const lo = baseBucket(since);
  const hi = Math.ceil(until / 1000);
  const b = sql<number>`(bucket / ${sql.lit(width)}) * ${sql.lit(width)}`;
  const ports = q.ports && q.ports.length > 0 ? q.ports : undefined;
  // Whole hours in, whole-hour buckets out: the hourly rollup gives the same sums from 60 times fewer rows.
  const hourly = width % 3600 === 0 && since % 3_600_000 === 0 && until % 3_600_000 === 0;
  let counts = db.selectFrom(hourly ? 'port_stats_hour' : 'port_stats').select([b.as('b'), 'port', sql<number>`sum(count)`.as('n')]).where('bucket', '>=', lo).where('bucket', '<', hi);
  let sources = db.selectFrom('port_sources').select([b.as('b'), 'port', sql<number>`count(distinct src)`.as('u')]).where('bucket', '>=', lo).where('bucket', '<', hi);
  if (ports) {
    counts = counts.where('port', 'in', ports);
    sources = sources.where('port', 'in', ports);
  }
  const [c, s] = await Promise.all([counts.groupBy(['b', 'port']).execute(), q.withSources === false ? Promise.resolve([]) : sources.groupBy(['b', 'port']).execute()]);
  const uniq = new Map(s.map((r) => [`${r.b}:${r.port}`, Number(r.u)]));
  return c
    .map((r) => ({ bucketStart: Number(r.b) * 1000, port: Number(r.port), count: Number(r.n), uniqueSources: uniq.get(`${r.b}:${r.port}`) ?? 0 }))
    .sort((x, y) => x.bucketStart - y.bucketStart || x.port - y.port);
}
