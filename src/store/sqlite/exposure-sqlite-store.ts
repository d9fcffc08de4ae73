// SQLite persistence of assets and findings (structurally the ExposureStore of
// src/exposure/exposure-store-port.ts), on any Kysely over SQLite; schema in migrations/exposure.ts (0300_).

import { Kysely, sql } from 'kysely';
import type { Asset, AssetFact, AssetQuery, CompromiseMark, FactKind, Finding, FindingQuery, FindingStatus } from '../../model/asset.js';
import { allMigrations } from '../migrations/index.js';
import { migrateToLatest } from '../migrate.js';
import { immediateDialect, openDatabase } from './sqlite-open.js';

interface ExposureTables {
  exposure_assets: { id: string; first_seen: number; last_seen: number; compromised: string | null };
  exposure_facts: {
    asset_id: string; kind: string; value: string; source: string; origin: string | null; detail: string | null; first_seen: number; last_seen: number;
  };
  exposure_findings: {
    id: string; asset_id: string; vuln_id: string; status: string; owner: string | null; due_date: string; priority: number; updated_at: number; record: string;
  };
}

/** Rows per multi-row statement: SQLite allows 32,766 bound parameters; a row binds at most 9. */
const ROWS_PER_STATEMENT = 500;
const STATUSES: readonly FindingStatus[] = ['open', 'fixed', 'risk-accepted', 'false-positive', 'reopened'];
const clampLimit = (n: number | undefined, dflt: number, max: number): number => Math.min(Math.max(n ?? dflt, 1), max);

export class ExposureSqliteStore {
  private readonly db: Kysely<ExposureTables>;

  /** On the node's own database: `new ExposureSqliteStore(sqliteStore.kysely)`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<ExposureTables>;
  }

  /** Open a database file directly (tests; commands on a data directory). Runs every area's migrations. */
  static async open(file: string): Promise<ExposureSqliteStore & { close(): Promise<void> }> {
    const db = new Kysely<unknown>({ dialect: immediateDialect(openDatabase({ file })) });
    await migrateToLatest(db, allMigrations);
    const store = new ExposureSqliteStore(db);
    return Object.assign(store, { close: () => db.destroy() });
  }

  async findAssetIds(keys: { addresses: readonly string[]; macs: readonly string[]; names: readonly string[] }): Promise<string[]> {
    const pairs: [string, string][] = [
      ...keys.macs.map((v): [string, string] => ['mac', v]),
      ...keys.addresses.map((v): [string, string] => ['address', v]),
      ...keys.names.map((v): [string, string] => ['name', v]),
    ];
    if (pairs.length === 0) return [];
    const rows = await this.db.selectFrom('exposure_facts as f').innerJoin('exposure_assets as a', 'a.id', 'f.asset_id')
      .select(['a.id', 'a.first_seen', 'f.kind'])
      .where((eb) => eb.or(pairs.map(([k, v]) => eb.and([eb('f.kind', '=', k), eb('f.value', '=', v)]))))
      .execute();
    // Preference: a MAC match, then an address, then a name; within one kind, the oldest asset.
    const RANK: Readonly<Record<string, number>> = { mac: 0, address: 1, name: 2 };
    const best = new Map<string, { rank: number; first: number }>();
    for (const r of rows) {
      const rank = RANK[r.kind] ?? 3;
      const b = best.get(r.id);
      if (!b || rank < b.rank) best.set(r.id, { rank, first: r.first_seen });
    }
    return [...best.entries()].sort(([x, a], [y, b]) => a.rank - b.rank || a.first - b.first || x.localeCompare(y)).map(([id]) => id);
  }

  async getAsset(id: string): Promise<Asset | undefined> {
    const row = await this.db.selectFrom('exposure_assets').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const facts = await this.db.selectFrom('exposure_facts').selectAll().where('asset_id', '=', id).orderBy('kind').orderBy('value').orderBy('source').execute();
    return toAsset(row, facts);
  }

  async listAssets(q: AssetQuery = {}): Promise<{ total: number; items: Asset[] }> {
    let sel = this.db.selectFrom('exposure_assets as a');
    const hasFact = (kind: string, value: string) => sql<boolean>`exists (select 1 from exposure_facts f where f.asset_id = a.id and f.kind = ${kind} and f.value = ${value})`;
    if (q.match !== undefined) {
      const v = q.match.trim();
      sel = sel.where((eb) => eb.or([hasFact('address', v), hasFact('name', v.toLowerCase()), hasFact('mac', v.toLowerCase())]));
    }
    if (q.owner !== undefined) sel = sel.where(hasFact('owner', q.owner));
    if (q.tag !== undefined) sel = sel.where(hasFact('tag', q.tag));
    if (q.compromised !== undefined) sel = sel.where('a.compromised', q.compromised ? 'is not' : 'is', null);
    if (q.service !== undefined) sel = sel.where(hasFact('service', q.service));
    if (q.findingStatus !== undefined && q.findingStatus.length > 0) {
      const statuses = q.findingStatus;
      sel = sel.where(sql<boolean>`exists (select 1 from exposure_findings x indexed by exposure_findings_asset_status_due where x.asset_id = a.id and x.status in (${sql.join(statuses)}))`);
    }
    if (q.overdueOn !== undefined) {
      // one seek per asset (migration 0301): left to itself the planner took the status/due index
      // here and walked every overdue finding for each asset (10 s for 2,000 assets)
      sel = sel.where(sql<boolean>`exists (select 1 from exposure_findings x indexed by exposure_findings_asset_status_due where x.asset_id = a.id and x.status in ('open', 'reopened') and x.due_date < ${q.overdueOn})`);
    }
    const total = Number((await sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await sel.selectAll('a').orderBy('a.first_seen').orderBy('a.id').limit(clampLimit(q.limit, 100, 10_000)).offset(Math.max(q.offset ?? 0, 0)).execute();
    if (rows.length === 0) return { total, items: [] };
    const facts = await this.db.selectFrom('exposure_facts').selectAll().where('asset_id', 'in', rows.map((r) => r.id)).orderBy('kind').orderBy('value').orderBy('source').execute();
    const byAsset = new Map<string, ExposureTables['exposure_facts'][]>();
    for (const f of facts) byAsset.set(f.asset_id, [...(byAsset.get(f.asset_id) ?? []), f]);
    return { total, items: rows.map((r) => toAsset(r, byAsset.get(r.id) ?? [])) };
  }

  async getFinding(id: string): Promise<Finding | undefined> {
    const row = await this.db.selectFrom('exposure_findings').select('record').where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse(row.record) as Finding) : undefined;
  }

  async listFindings(q: FindingQuery = {}): Promise<{ total: number; items: Finding[] }> {
    // Two shapes of the same filter. Counting takes the status/due index. A page walks
    // exposure_findings_order (migration 0301) to its limit instead of sorting every finding with
    // its record: `+status`, `+due_date` (SQLite's unary plus) keep the planner off the status index,
    // which it would otherwise prefer and then sort (95 ms against 1 ms for 60,000 findings).
    // An asset's or a vulnerability's findings have their own index and are few to sort; an owner's
    // are many (a twentieth of 60,000 in the bench: 108 ms sorted, 65 ms walked).
    const walkOrder = q.assetId === undefined && q.vulnId === undefined;
    const filtered = (forPage: boolean, overdueFirst?: 'overdue' | 'rest') => {
      const st = forPage && walkOrder ? sql.raw('+status') : sql.raw('status');
      const due = forPage && walkOrder ? sql.raw('+due_date') : sql.raw('due_date');
      let sel = this.db.selectFrom('exposure_findings');
      if (q.status !== undefined && q.status.length > 0) sel = sel.where(sql<boolean>`${st} in (${sql.join([...q.status])})`);
      if (q.owner !== undefined) sel = sel.where('owner', '=', q.owner);
      if (q.assetId !== undefined) sel = sel.where('asset_id', '=', q.assetId);
      if (q.vulnId !== undefined) sel = sel.where('vuln_id', '=', q.vulnId);
      if (q.overdueOn !== undefined) sel = sel.where(sql<boolean>`${st} in ('open', 'reopened') and ${due} < ${q.overdueOn}`);
      if (overdueFirst !== undefined && q.overdueFirstOn !== undefined) {
        const overdue = sql<boolean>`(${st} in ('open', 'reopened') and ${due} < ${q.overdueFirstOn})`;
        sel = sel.where(overdueFirst === 'overdue' ? overdue : sql<boolean>`not ${overdue}`);
      }
      return sel;
    };
    const count = async (overdueFirst?: 'overdue'): Promise<number> =>
      Number((await filtered(false, overdueFirst).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const page = async (limit: number, offset: number, overdueFirst?: 'overdue' | 'rest'): Promise<Finding[]> => limit <= 0 ? [] : (await filtered(true, overdueFirst).select('record')
      .orderBy('priority', 'desc').orderBy('due_date').orderBy('id').limit(limit).offset(offset).execute()).map((r) => JSON.parse(r.record) as Finding);
    const limit = clampLimit(q.limit, 100, 10_000);
    const offset = Math.max(q.offset ?? 0, 0);
    const total = await count();
    if (q.overdueFirstOn === undefined) return { total, items: await page(limit, offset) };
    // overdue first: the overdue part, then the rest, each in priority order (one ORDER BY on a
    // CASE would sort them all)
    const nOverdue = await count('overdue');
    const first = offset < nOverdue ? await page(limit, offset, 'overdue') : [];
    const rest = await page(limit - first.length, Math.max(0, offset - nOverdue), 'rest');
    return { total, items: [...first, ...rest] };
  }

  /** Assets (facts replaced whole) and findings in one transaction, in multi-row statements (each
   * statement is prepared anew, and preparing dominated a 10,000-host import done row by row). */
  async commit(batch: { readonly assets: readonly Asset[]; readonly findings: readonly Finding[] }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < batch.assets.length; i += ROWS_PER_STATEMENT) {
        const chunk = batch.assets.slice(i, i + ROWS_PER_STATEMENT);
        await trx.insertInto('exposure_assets')
          .values(chunk.map((a) => ({ id: a.id, first_seen: a.firstSeen, last_seen: a.lastSeen, compromised: a.compromised ? JSON.stringify(a.compromised) : null })))
          .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
            first_seen: eb.ref('excluded.first_seen'), last_seen: eb.ref('excluded.last_seen'), compromised: eb.ref('excluded.compromised'),
          }))).execute();
        await trx.deleteFrom('exposure_facts').where('asset_id', 'in', chunk.map((a) => a.id)).execute();
      }
      const facts = batch.assets.flatMap((a) => a.facts.map((f) => ({
        asset_id: a.id, kind: f.kind, value: f.value, source: f.source, origin: f.origin ?? null,
        detail: f.detail ? JSON.stringify(f.detail) : null, first_seen: f.firstSeen, last_seen: f.lastSeen,
      })));
      for (let i = 0; i < facts.length; i += ROWS_PER_STATEMENT) await trx.insertInto('exposure_facts').values(facts.slice(i, i + ROWS_PER_STATEMENT)).execute();
      for (let i = 0; i < batch.findings.length; i += ROWS_PER_STATEMENT) {
        const rows = batch.findings.slice(i, i + ROWS_PER_STATEMENT).map((f) => ({
          id: f.id, asset_id: f.assetId, vuln_id: f.vulnId, status: f.status, owner: f.owner ?? null, due_date: f.dueDate,
          priority: f.priority.score, updated_at: f.updatedAt, record: JSON.stringify(f),
        }));
        await trx.insertInto('exposure_findings').values(rows).onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'), owner: eb.ref('excluded.owner'), due_date: eb.ref('excluded.due_date'),
          priority: eb.ref('excluded.priority'), updated_at: eb.ref('excluded.updated_at'), record: eb.ref('excluded.record'),
        }))).execute();
      }
    });
  }

  async assetCpes(max: number): Promise<{ assetId: string; cpe: string }[]> {
    const rows = await this.db.selectFrom('exposure_facts').select(['asset_id', 'value']).distinct().where('kind', '=', 'cpe')
      .orderBy('asset_id').orderBy('value').limit(max).execute();
    return rows.map((r) => ({ assetId: r.asset_id, cpe: r.value }));
  }

  async findingCounts(today: string): Promise<{ byStatus: Record<FindingStatus, number>; overdue: number }> {
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<FindingStatus, number>;
    const rows = await this.db.selectFrom('exposure_findings').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    for (const r of rows) if (r.status in byStatus) byStatus[r.status as FindingStatus] = Number(r.n);
    const overdue = await this.db.selectFrom('exposure_findings').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['open', 'reopened']).where('due_date', '<', today).executeTakeFirstOrThrow();
    return { byStatus, overdue: Number(overdue.n) };
  }
}

function toAsset(row: ExposureTables['exposure_assets'], facts: readonly ExposureTables['exposure_facts'][]): Asset {
  return {
    id: row.id, firstSeen: row.first_seen, lastSeen: row.last_seen,
    facts: facts.map((f): AssetFact => ({
      kind: f.kind as FactKind, value: f.value, source: f.source, firstSeen: f.first_seen, lastSeen: f.last_seen,
      ...(f.origin !== null ? { origin: f.origin } : {}),
      ...(f.detail !== null ? { detail: JSON.parse(f.detail) as Record<string, string | number> } : {}),
    })),
    ...(row.compromised !== null ? { compromised: JSON.parse(row.compromised) as CompromiseMark } : {}),
  };
}
