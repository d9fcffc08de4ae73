// SQLite persistence of alerts (structurally the AlertRepository of src/detect/alert-store-port.ts),
// on any Kysely over SQLite, e.g. SqliteStore.kysely; schema in migrations/alerts.ts (0200_).

import { Kysely } from 'kysely';
import type { Alert, AlertQuery, AlertRecord } from '../../model/alert.js';
import type { Severity } from '../../model/anomaly.js';
import { allMigrations } from '../migrations/index.js';
import { migrateToLatest } from '../migrate.js';
import { immediateDialect, openDatabase } from './sqlite-open.js';
import { containsLiterally } from './like-pattern.js';

interface AlertTables {
  alerts: {
    id: string; ts: number; detector: string; rule: string; severity: string; severity_rank: number; title: string;
    cves: string; src: string | null; dport: number | null; session: string | null; dedup_key: string; record: string;
    ack_by: string | null; ack_at: number | null;
    assignee: string | null; assigned_by: string | null; assigned_at: number | null; escalated_by: string | null; escalated_at: number | null;
  };
}

const RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export class AlertSqliteStore {
  private readonly db: Kysely<AlertTables>;

  /**
   * On the node's own database: `new AlertSqliteStore(sqliteStore.kysely)` (SqliteStore runs every
   * area's migrations, 0200_alerts included). Any Kysely over SQLite is accepted, whatever its table
   * typing, because Kysely's database type parameter is invariant.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<AlertTables>;
  }

  /**
   * Open the alerts of a database file directly (tests, `vigil alerts` on a data dir). Runs every
   * area's migrations: the file is usually the node's vigil.db, and Kysely refuses a migration set
   * that lacks migrations already applied there. Opened like the store's own connections (WAL,
   * busy timeout, BEGIN IMMEDIATE): a running node's writer thread may hold the write lock, and a
   * deferred transaction that reads first would fail with SQLITE_BUSY instead of waiting.
   */
  static async open(file: string): Promise<AlertSqliteStore & { close(): Promise<void> }> {
    const db = new Kysely<unknown>({ dialect: immediateDialect(openDatabase({ file })) });
    await migrateToLatest(db, allMigrations);
    const store = new AlertSqliteStore(db);
    return Object.assign(store, { close: () => db.destroy() });
  }

  async saveAlert(a: Alert): Promise<void> {
    await this.db
      .insertInto('alerts')
      .values({
        id: a.id, ts: a.ts, detector: a.detector, rule: a.rule, severity: a.severity, severity_rank: RANK[a.severity] ?? 0,
        title: a.title, cves: ` ${a.cves.join(' ')} `, src: a.src ?? null, dport: a.dport ?? null, session: a.session ?? null,
        dedup_key: a.dedupKey, record: JSON.stringify(a), ack_by: null, ack_at: null, assignee: null, assigned_by: null, assigned_at: null, escalated_by: null, escalated_at: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async listAlerts(q: AlertQuery = {}): Promise<AlertRecord[]> {
    let sel = this.db.selectFrom('alerts').select(HANDLING);
    if (q.since !== undefined) sel = sel.where('ts', '>=', q.since);
    if (q.until !== undefined) sel = sel.where('ts', '<', q.until);
    if (q.detector !== undefined) sel = sel.where('detector', '=', q.detector);
    if (q.rule !== undefined) sel = sel.where('rule', '=', q.rule);
    if (q.src !== undefined) sel = sel.where('src', '=', q.src);
    if (q.cve !== undefined) sel = sel.where(containsLiterally('cves', ` ${q.cve} `));
    if (q.minSeverity !== undefined) sel = sel.where('severity_rank', '>=', RANK[q.minSeverity]);
    if (q.acknowledged !== undefined) sel = sel.where('ack_at', q.acknowledged ? 'is not' : 'is', null);
    if (q.assignee !== undefined) sel = q.assignee === '' ? sel.where('assignee', 'is', null) : sel.where('assignee', '=', q.assignee);
    if (q.escalated !== undefined) sel = sel.where('escalated_at', q.escalated ? 'is not' : 'is', null);
    const rows = await sel.orderBy('ts', 'desc').orderBy('id', 'desc').limit(Math.min(Math.max(q.limit ?? 100, 1), 1000)).execute();
    return rows.map(toRecord);
  }

  /** Alerts per detector and rule (the dashboard's overview), most first; one grouped query, not a list scan. */
  async ruleCounts(q: { acknowledged?: boolean; since?: number } = {}): Promise<{ detector: string; rule: string; count: number; maxSeverity: Severity; lastTs: number }[]> {
    let sel = this.db.selectFrom('alerts').select((eb) => [
      'detector', 'rule', eb.fn.countAll<number>().as('n'), eb.fn.max('severity_rank').as('rank'), eb.fn.max('ts').as('last'),
    ]);
    if (q.since !== undefined) sel = sel.where('ts', '>=', q.since);
    if (q.acknowledged !== undefined) sel = sel.where('ack_at', q.acknowledged ? 'is not' : 'is', null);
    const rows = await sel.groupBy(['detector', 'rule']).orderBy('n', 'desc').limit(200).execute();
    const byRank = Object.fromEntries(Object.entries(RANK).map(([k, v]) => [v, k])) as Record<number, Severity>;
    return rows.map((r) => ({ detector: r.detector, rule: r.rule, count: Number(r.n), maxSeverity: byRank[Number(r.rank)] ?? 'info', lastTs: Number(r.last) }));
  }

  async getAlert(id: string): Promise<AlertRecord | undefined> {
    const row = await this.db.selectFrom('alerts').select(HANDLING).where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async acknowledge(id: string, by: string, at: number): Promise<boolean> {
    await this.db.updateTable('alerts').set({ ack_by: by, ack_at: at }).where('id', '=', id).where('ack_at', 'is', null).execute();
    return (await this.getAlert(id)) !== undefined;
  }

  async assign(id: string, assignee: string | undefined, by: string, at: number): Promise<boolean> {
    const r = await this.db.updateTable('alerts').set({ assignee: assignee ?? null, assigned_by: by, assigned_at: at }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async escalate(id: string, by: string, at: number): Promise<boolean> {
    const r = await this.db.updateTable('alerts').set({ escalated_by: by, escalated_at: at }).where('id', '=', id).where('escalated_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

/** The columns an AlertRecord is read from: the alert and its handling. */
const HANDLING = ['record', 'ack_by', 'ack_at', 'assignee', 'assigned_by', 'assigned_at', 'escalated_by', 'escalated_at'] as const;

function toRecord(row: Pick<AlertTables['alerts'], (typeof HANDLING)[number]>): AlertRecord {
  const a = JSON.parse(row.record) as Alert;
  return {
    ...a, acknowledged: row.ack_at !== null, ...(row.ack_by !== null ? { ackBy: row.ack_by } : {}), ...(row.ack_at !== null ? { ackAt: row.ack_at } : {}),
    ...(row.assignee !== null ? { assignee: row.assignee } : {}),
    ...(row.assigned_by !== null ? { assignedBy: row.assigned_by } : {}), ...(row.assigned_at !== null ? { assignedAt: row.assigned_at } : {}),
    ...(row.escalated_by !== null ? { escalatedBy: row.escalated_by } : {}), ...(row.escalated_at !== null ? { escalatedAt: row.escalated_at } : {}),
  };
}
