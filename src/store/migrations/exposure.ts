// Schema migrations for the exposure tables (this area's numbering starts at 0300_): assets with
// their facts (one row per kind, value and source, for provenance and identity lookups) and findings
// (the record as JSON plus the columns lists filter and sort on).

import { sql, type Kysely, type Migration } from 'kysely';

async function up0300(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('exposure_assets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('first_seen', 'double precision', (c) => c.notNull())
    .addColumn('last_seen', 'double precision', (c) => c.notNull())
    .addColumn('compromised', 'text')
    .execute();
  await db.schema.createTable('exposure_facts')
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('origin', 'text')
    .addColumn('detail', 'text')
    .addColumn('first_seen', 'double precision', (c) => c.notNull())
    .addColumn('last_seen', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('exposure_facts_pk', ['asset_id', 'kind', 'value', 'source'])
    .execute();
  // Identity lookups (an address, MAC or name -> its asset) and owner/tag filters.
  await db.schema.createIndex('exposure_facts_kind_value').on('exposure_facts').columns(['kind', 'value']).execute();
  await db.schema.createTable('exposure_findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('vuln_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('priority', 'real', (c) => c.notNull())
    .addColumn('updated_at', 'double precision', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('exposure_findings_asset_vuln').unique().on('exposure_findings').columns(['asset_id', 'vuln_id']).execute();
  await db.schema.createIndex('exposure_findings_status_due').on('exposure_findings').columns(['status', 'due_date']).execute();
  await db.schema.createIndex('exposure_findings_owner').on('exposure_findings').column('owner').execute();
}

/** "Assets with an open (or overdue) finding": one seek per asset. Without it the planner answered
 * the per-asset EXISTS from the status/due index and walked every open finding for each asset.
 * And finding lists in their order, so that a page does not sort every finding. */
async function up0301(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('exposure_findings_asset_status_due').on('exposure_findings').columns(['asset_id', 'status', 'due_date']).execute();
  // finding lists in their order (priority, due date, id): a page is an index walk to its limit
  await db.schema.createIndex('exposure_findings_order').on('exposure_findings').columns(['priority desc', 'due_date', 'id']).execute();
  // a vulnerability's findings (its page, the feed watcher's "open findings of this CVE")
  await db.schema.createIndex('exposure_findings_vuln_status_due').on('exposure_findings').columns(['vuln_id', 'status', 'due_date']).execute();
}

async function down0301(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('exposure_findings_vuln_status_due').ifExists().execute();
  await db.schema.dropIndex('exposure_findings_order').ifExists().execute();
  await db.schema.dropIndex('exposure_findings_asset_status_due').ifExists().execute();
}

async function down0300(db: Kysely<unknown>): Promise<void> {
  for (const t of ['exposure_findings', 'exposure_facts', 'exposure_assets']) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
}

export const exposureMigrations: Record<string, Migration> = {
  '0300_exposure': { up: up0300, down: down0300 },
  '0301_exposure_findings_by_asset': { up: up0301, down: down0301 },
};
