// Schema migrations for the knowledge-base tables: per-source fragments (with content hashes for
// idempotent re-import), merged vulnerabilities with search columns, advisories, small state. Names 0100_.

import { sql, type Kysely, type Migration } from 'kysely';

/** kb_state key of the advisories' revision (see up0103). */
export const ADVISORY_REVISION_KEY = 'advisories_revision';

async function up0100(db: Kysely<unknown>): Promise<void> {
  // WITHOUT ROWID would suit the composite key, but Kysely's builder cannot say it; the primary key
  // index serves the (vuln_id, source) lookups either way.
  await db.schema.createTable('kb_fragments').ifNotExists()
    .addColumn('vuln_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('kb_fragments_pk', ['vuln_id', 'source'])
    .execute();
  await db.schema.createTable('kb_vulns').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('published', 'text')
    .addColumn('modified', 'text')
    .addColumn('cvss_max', 'real')
    .addColumn('epss', 'real')
    .addColumn('kev_added', 'text')
    .addColumn('products', 'text', (c) => c.notNull())
    .addColumn('cpes', 'text', (c) => c.notNull())
    .execute();
  for (const col of ['published', 'cvss_max', 'epss', 'kev_added'] as const) {
    await db.schema.createIndex(`kb_vulns_${col}`).ifNotExists().on('kb_vulns').column(col).execute();
  }
  await db.schema.createTable('kb_state').ifNotExists()
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('kb_advisories').ifNotExists()
    .addColumn('tracking_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('initial_release_date', 'text', (c) => c.notNull())
    .addColumn('current_release_date', 'text', (c) => c.notNull())
    .addColumn('tlp', 'text')
    .addColumn('document', 'text', (c) => c.notNull())
    .execute();
}

async function down0100(db: Kysely<unknown>): Promise<void> {
  for (const t of ['kb_advisories', 'kb_state', 'kb_vulns', 'kb_fragments']) await db.schema.dropTable(t).ifExists().execute();
}

/** Raw-input hashes of imported CVE files, so a re-import can skip parsing what it already holds. */
async function up0101(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('kb_inputs').ifNotExists()
    .addColumn('vuln_id', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('fragments', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_inputs_hash').ifNotExists().on('kb_inputs').column('hash').execute();
}

/** EPSS score history: one row per CVE and score date, so daily imports build a time series. */
async function up0102(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('kb_epss_history').ifNotExists()
    .addColumn('vuln_id', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('percentile', 'real', (c) => c.notNull())
    .addColumn('model', 'text')
    .addPrimaryKeyConstraint('kb_epss_history_pk', ['vuln_id', 'date'])
    .execute();
}

/** A revision of the advisories table, bumped by triggers on every write from any connection: `vigil
 * advisory publish` runs in its own process while the node serves the CSAF directory from a cache, and
 * one key lookup tells that cache whether it is stale. */
const ADVISORY_TRIGGERS = { insert: 'kb_advisories_rev_insert', update: 'kb_advisories_rev_update', delete: 'kb_advisories_rev_delete' } as const;

async function up0103(db: Kysely<unknown>): Promise<void> {
  await sql`insert into kb_state (key, value) values (${ADVISORY_REVISION_KEY}, '0') on conflict (key) do nothing`.execute(db);
  for (const [event, name] of Object.entries(ADVISORY_TRIGGERS)) {
    await sql.raw(`create trigger if not exists ${name} after ${event} on kb_advisories begin
      update kb_state set value = cast(value as integer) + 1 where key = '${ADVISORY_REVISION_KEY}'; end`).execute(db);
  }
}

async function down0103(db: Kysely<unknown>): Promise<void> {
  for (const name of Object.values(ADVISORY_TRIGGERS)) await sql.raw(`drop trigger if exists ${name}`).execute(db);
  await sql`delete from kb_state where key = ${ADVISORY_REVISION_KEY}`.execute(db);
}

export const kbMigrations: Record<string, Migration> = {
  '0100_kb_tables': { up: up0100, down: down0100 },
  '0101_kb_inputs': { up: up0101, down: async (db) => { await db.schema.dropTable('kb_inputs').ifExists().execute(); } },
  '0102_kb_epss_history': { up: up0102, down: async (db) => { await db.schema.dropTable('kb_epss_history').ifExists().execute(); } },
  '0103_kb_advisory_revision': { up: up0103, down: down0103 },
};
