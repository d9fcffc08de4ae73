// SQLite implementation of the knowledge base's persistence (structurally the KbStorePort of src/kb):
// fragments upserted by content hash, merged records re-computed inside the same transaction.
// Runs on any Kysely<SQLite> (e.g. SqliteStore.kysely); batched statements keep bulk imports fast.

import { Kysely, SqliteDialect, type Transaction } from 'kysely';
import Database from 'better-sqlite3';
import type {
  AdvisoryRecord, ApplyStats, EpssPoint, KbFragment, KbVulnerabilityRecord, MergeFn, VulnQuery, VulnSummary,
} from '../../model/kb-records.js';
import { ADVISORY_REVISION_KEY, kbMigrations } from '../migrations/kb.js';
import { migrateToLatest } from '../migrate.js';
import { containsLiterally } from './like-pattern.js';
import { preparePrivateDatabaseFile } from './sqlite-open.js';

interface KbTables {
  kb_fragments: { vuln_id: string; source: string; hash: string; data: string };
  kb_vulns: {
    id: string; data: string; title: string | null; search_text: string; published: string | null; modified: string | null;
    cvss_max: number | null; epss: number | null; kev_added: string | null; products: string; cpes: string;
  };
  kb_state: { key: string; value: string };
  kb_inputs: { vuln_id: string; hash: string; fragments: number };
  kb_epss_history: { vuln_id: string; date: string; score: number; percentile: number; model: string | null };
  kb_advisories: {
    tracking_id: string; version: string; status: string; title: string; initial_release_date: string;
    current_release_date: string; tlp: string | null; document: string;
  };
}
type Db = Kysely<KbTables> | Transaction<KbTables>;

/** SQLite's default limit on bound parameters is 32766; stay well below it per statement. */
const ROWS_PER_STATEMENT = 500;
/** Rows an alias lookup reads before giving up: an alias is a rare token, a common word is not one. */
const ALIAS_CANDIDATES = 50;

const chunks = <T>(xs: readonly T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
};

export class KbSqliteStore {
  private readonly db: Kysely<KbTables>;
  private current: Transaction<KbTables> | undefined;

  // Any Kysely over SQLite: the node's store passes its Kysely<CoreDatabase>; we use only our tables.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>) {
    this.db = db as unknown as Kysely<KbTables>;
  }

  /** A standalone KB database (tests, benchmarks, `vigil kb` without a running node). */
  static async open(file: string): Promise<KbSqliteStore> {
    preparePrivateDatabaseFile(file);
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    // Bulk imports write megabytes per transaction: checkpoint every ~40 MB of WAL instead of 4 MB, so
    // that commits do not stall on a checkpoint's fsync each time.
    sqlite.pragma('wal_autocheckpoint = 10000');
    // A 64 MiB page cache keeps the B-tree interior pages of the growing indexes resident during bulk imports.
    sqlite.pragma('cache_size = -65536');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(db, kbMigrations);
    return new KbSqliteStore(db);
  }

  async close(): Promise<void> { await this.db.destroy(); }

  private get q(): Db { return this.current ?? this.db; }

  /** Runs `fn` in one transaction; nested calls join the outer one. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.current) return fn();
    return this.db.transaction().execute(async (trx) => {
      this.current = trx;
      try { return await fn(); } finally { this.current = undefined; }
    });
  }

  async applyFragments(fragments: readonly KbFragment[], merge: MergeFn): Promise<ApplyStats> {
    return this.transaction(() => this.applyInTransaction(fragments, merge));
  }

  private async applyInTransaction(fragmentsIn: readonly KbFragment[], merge: MergeFn): Promise<ApplyStats> {
    // The last fragment for a (vuln, source) within one call wins, as it would across calls.
    const byKey = new Map<string, KbFragment>();
    for (const f of fragmentsIn) byKey.set(`${f.vulnId}\0${f.source}`, f);
    const fragments = [...byKey.values()];
    const ids = [...new Set(fragments.map((f) => f.vulnId))];
    const existing = new Map<string, string>();
    for (const part of chunks(ids, ROWS_PER_STATEMENT)) {
      const rows = await this.q.selectFrom('kb_fragments').select(['vuln_id', 'source', 'hash']).where('vuln_id', 'in', part).execute();
      for (const r of rows) existing.set(`${r.vuln_id}\0${r.source}`, r.hash);
    }
    let inserted = 0;
    let updated = 0;
    const changed = fragments.filter((f) => {
      const h = existing.get(`${f.vulnId}\0${f.source}`);
      if (h === undefined) inserted++;
      else if (h !== f.hash) updated++;
      return h !== f.hash;
    });
    for (const part of chunks(changed, ROWS_PER_STATEMENT / 4)) {
      await this.q.insertInto('kb_fragments')
        .values(part.map((f) => ({ vuln_id: f.vulnId, source: f.source, hash: f.hash, data: f.json ?? JSON.stringify(f.data) })))
        .onConflict((oc) => oc.columns(['vuln_id', 'source']).doUpdateSet({ hash: (eb) => eb.ref('excluded.hash'), data: (eb) => eb.ref('excluded.data') }))
        .execute();
    }
    // A vulnerability whose stored sources all arrive in this call can be merged from memory; only the
    // others need their stored fragments read back (the common case of a first import reads nothing).
    const inCall = new Map<string, KbFragment[]>();
    for (const f of fragments) inCall.set(f.vulnId, [...(inCall.get(f.vulnId) ?? []), f]);
    const storedOnly = new Set<string>();
    for (const key of existing.keys()) if (!byKey.has(key)) storedOnly.add(key.slice(0, key.indexOf('\0')));
    const changedIds = [...new Set(changed.map((f) => f.vulnId))];
    await this.remerge(changedIds.filter((id) => storedOnly.has(id)), merge);
    await this.writeMerged(changedIds.filter((id) => !storedOnly.has(id)).map((id) => [id, inCall.get(id) ?? []]), merge);
    const changes = changed.map((f) => ({ vulnId: f.vulnId, source: f.source, kind: existing.has(`${f.vulnId}\0${f.source}`) ? ('updated' as const) : ('inserted' as const) }));
    return { inserted, updated, unchanged: fragments.length - changed.length, changes };
  }

  private async remerge(ids: readonly string[], merge: MergeFn): Promise<void> {
    for (const part of chunks(ids, ROWS_PER_STATEMENT)) {
      const rows = await this.q.selectFrom('kb_fragments').selectAll().where('vuln_id', 'in', part).execute();
      const grouped = new Map<string, KbFragment[]>();
      for (const r of rows) {
        const list = grouped.get(r.vuln_id) ?? [];
        list.push({ vulnId: r.vuln_id, source: r.source, hash: r.hash, data: JSON.parse(r.data) });
        grouped.set(r.vuln_id, list);
      }
      await this.writeMerged([...grouped], merge);
    }
  }

  private async writeMerged(grouped: readonly [string, KbFragment[]][], merge: MergeFn): Promise<void> {
    const values = grouped.map(([id, frags]) => {
      const { record, keys } = merge(id, frags);
      return {
        id, data: JSON.stringify(record), title: keys.title ?? null, search_text: keys.text, published: keys.published ?? null,
        modified: keys.modified ?? null, cvss_max: keys.cvssMax ?? null, epss: keys.epss ?? null, kev_added: keys.kevAdded ?? null,
        products: ` ${keys.products.join(' ')} `, cpes: keys.cpes.join(' '),
      };
    });
    for (const v of chunks(values, ROWS_PER_STATEMENT / 12)) {
      await this.q.insertInto('kb_vulns').values(v).onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
        data: eb.ref('excluded.data'), title: eb.ref('excluded.title'), search_text: eb.ref('excluded.search_text'),
        published: eb.ref('excluded.published'), modified: eb.ref('excluded.modified'), cvss_max: eb.ref('excluded.cvss_max'),
        epss: eb.ref('excluded.epss'), kev_added: eb.ref('excluded.kev_added'), products: eb.ref('excluded.products'), cpes: eb.ref('excluded.cpes'),
      }))).execute();
    }
  }

  /** Which raw-input hashes are already imported, with their fragment counts. */
  async knownInputs(hashes: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const part of chunks(hashes, ROWS_PER_STATEMENT)) {
      const rows = await this.q.selectFrom('kb_inputs').select(['hash', 'fragments']).where('hash', 'in', part).execute();
      for (const r of rows) out.set(r.hash, r.fragments);
    }
    return out;
  }

  /** Records inputs as imported, one per vulnerability: a newer input replaces the older one, so that
   * re-importing the older file later counts as a change again. */
  async rememberInputs(inputs: readonly { hash: string; vulnId: string; fragments: number }[]): Promise<void> {
    for (const part of chunks(inputs, ROWS_PER_STATEMENT / 3)) {
      await this.q.insertInto('kb_inputs').values(part.map((i) => ({ vuln_id: i.vulnId, hash: i.hash, fragments: i.fragments })))
        .onConflict((oc) => oc.column('vuln_id').doUpdateSet((eb) => ({ hash: eb.ref('excluded.hash'), fragments: eb.ref('excluded.fragments') }))).execute();
    }
  }

  /** Adds EPSS points; a (CVE, date) already stored is replaced (a corrected file wins). */
  async appendEpssHistory(points: readonly (EpssPoint & { vulnId: string })[]): Promise<void> {
    for (const part of chunks(points, ROWS_PER_STATEMENT / 5)) {
      await this.q.insertInto('kb_epss_history')
        .values(part.map((p) => ({ vuln_id: p.vulnId, date: p.date, score: p.score, percentile: p.percentile, model: p.model ?? null })))
        .onConflict((oc) => oc.columns(['vuln_id', 'date']).doUpdateSet((eb) => ({ score: eb.ref('excluded.score'), percentile: eb.ref('excluded.percentile'), model: eb.ref('excluded.model') })))
        .execute();
    }
  }

  async getEpssHistory(id: string): Promise<EpssPoint[]> {
    const rows = await this.q.selectFrom('kb_epss_history').select(['date', 'score', 'percentile', 'model']).where('vuln_id', '=', id).orderBy('date').execute();
    return rows.map((r) => (r.model === null ? { date: r.date, score: r.score, percentile: r.percentile } : { date: r.date, score: r.score, percentile: r.percentile, model: r.model }));
  }

  async getVulnerability(id: string): Promise<KbVulnerabilityRecord | undefined> {
    const r = await this.q.selectFrom('kb_vulns').select('data').where('id', '=', id.toUpperCase()).executeTakeFirst();
    if (r) return JSON.parse(r.data) as KbVulnerabilityRecord;
    // An alias (e.g. "MS03-026") finds the record that lists it. search_text also holds title and
    // description words, so the LIKE only narrows the candidates and the aliases decide.
    const wanted = id.toUpperCase();
    const candidates = await this.q.selectFrom('kb_vulns').select('data').where(containsLiterally('search_text', ` ${id} `)).limit(ALIAS_CANDIDATES).execute();
    for (const c of candidates) {
      const r = JSON.parse(c.data) as KbVulnerabilityRecord;
      if (r.aliases?.some((a) => a.toUpperCase() === wanted)) return r;
    }
    return undefined;
  }

  async getFragments(id: string): Promise<KbFragment[]> {
    const rows = await this.q.selectFrom('kb_fragments').selectAll().where('vuln_id', '=', id).orderBy('source').execute();
    return rows.map((r) => ({ vulnId: r.vuln_id, source: r.source, hash: r.hash, data: JSON.parse(r.data) }));
  }

  async searchVulns(qy: VulnQuery): Promise<{ total: number; items: VulnSummary[] }> {
    let q = this.q.selectFrom('kb_vulns');
    if (qy.id) q = q.where('id', '=', qy.id.toUpperCase());
    if (qy.text) q = q.where(containsLiterally('search_text', qy.text));
    const tok = (s: string): string => s.trim().toLowerCase().replace(/\s+/g, '_');
    if (qy.vendor && qy.product) q = q.where(containsLiterally('products', ` ${tok(qy.vendor)}:${tok(qy.product)} `));
    else if (qy.vendor) q = q.where(containsLiterally('products', ` ${tok(qy.vendor)}:`));
    else if (qy.product) q = q.where(containsLiterally('products', `:${tok(qy.product)} `));
    if (qy.cpeVendorProduct) q = q.where(containsLiterally('products', ` ${qy.cpeVendorProduct} `));
    if (qy.kev !== undefined) q = q.where('kev_added', qy.kev ? 'is not' : 'is', null);
    if (qy.epssAbove !== undefined) q = q.where('epss', '>', qy.epssAbove);
    if (qy.cvssAbove !== undefined) q = q.where('cvss_max', '>', qy.cvssAbove);
    if (qy.publishedFrom) q = q.where('published', '>=', qy.publishedFrom);
    if (qy.publishedTo) q = q.where('published', '<', qy.publishedTo);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await q.select(['id', 'title', 'published', 'cvss_max', 'epss', 'kev_added'])
      .orderBy('published', 'desc').orderBy('id').limit(Math.min(qy.limit ?? 100, 1000)).offset(qy.offset ?? 0).execute();
    const items = rows.map((r) => {
      const s: Record<string, unknown> = { id: r.id, title: r.title ?? undefined, published: r.published ?? undefined, cvssMax: r.cvss_max ?? undefined, epss: r.epss ?? undefined, kevAdded: r.kev_added ?? undefined };
      for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
      return s as unknown as VulnSummary;
    });
    return { total, items };
  }

  async getKbState(key: string): Promise<string | undefined> {
    return (await this.q.selectFrom('kb_state').select('value').where('key', '=', key).executeTakeFirst())?.value;
  }

  async setKbState(key: string, value: string): Promise<void> {
    await this.q.insertInto('kb_state').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }

  async putAdvisory(a: AdvisoryRecord): Promise<void> {
    const row = {
      tracking_id: a.trackingId, version: a.version, status: a.status, title: a.title, initial_release_date: a.initialReleaseDate,
      current_release_date: a.currentReleaseDate, tlp: a.tlp ?? null, document: JSON.stringify(a.document),
    };
    const { tracking_id: _id, ...rest } = row;
    await this.q.insertInto('kb_advisories').values(row).onConflict((oc) => oc.column('tracking_id').doUpdateSet(rest)).execute();
  }

  async getAdvisory(trackingId: string): Promise<AdvisoryRecord | undefined> {
    const r = await this.q.selectFrom('kb_advisories').selectAll().where('tracking_id', '=', trackingId).executeTakeFirst();
    return r ? toAdvisory(r) : undefined;
  }

  async listAdvisories(): Promise<AdvisoryRecord[]> {
    const rows = await this.q.selectFrom('kb_advisories').selectAll().orderBy('current_release_date', 'desc').execute();
    return rows.map(toAdvisory);
  }

  async advisoryRevision(): Promise<string> {
    return (await this.getKbState(ADVISORY_REVISION_KEY)) ?? '0';
  }
}

function toAdvisory(r: KbTables['kb_advisories']): AdvisoryRecord {
  return {
    trackingId: r.tracking_id, version: r.version, status: r.status as AdvisoryRecord['status'], title: r.title,
    initialReleaseDate: r.initial_release_date, currentReleaseDate: r.current_release_date, tlp: r.tlp ?? undefined,
    document: JSON.parse(r.document),
  };
}
