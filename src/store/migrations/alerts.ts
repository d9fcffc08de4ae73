// Schema migrations for the alerts table (this area's numbering starts at 0200_): alerts raised by
// the detectors with their evidence as JSON, and acknowledgement state.
import { sql, type Kysely, type Migration } from 'kysely';

async function up0200(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ts', 'double precision', (c) => c.notNull())
    .addColumn('detector', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('severity_rank', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    // Space-delimited with a leading and trailing space, so `LIKE '% CVE-x %'` matches one CVE exactly.
    .addColumn('cves', 'text', (c) => c.notNull())
    .addColumn('src', 'text')
    .addColumn('dport', 'integer')
    .addColumn('session', 'text')
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('ack_by', 'text')
    .addColumn('ack_at', 'double precision')
    .execute();
  await db.schema.createIndex('alerts_ts').on('alerts').columns(['ts', 'id']).execute();
  await db.schema.createIndex('alerts_src_ts').on('alerts').columns(['src', 'ts']).execute();
  await db.schema.createIndex('alerts_rule_ts').on('alerts').columns(['rule', 'ts']).execute();
}

async function down0200(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS alerts`.execute(db);
}

// The dashboard's open alerts per detector and rule (AlertSqliteStore.ruleCounts) read from this index
// alone: the open ones in (detector, rule) order with the columns the counts need.
async function up0201(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('alerts_ack_rule').on('alerts').columns(['ack_at', 'detector', 'rule', 'severity_rank', 'ts']).execute();
}

async function down0201(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS alerts_ack_rule`.execute(db);
}

// Alert handling beyond acknowledgement: who handles it, and whether it was escalated.
async function up0202(db: Kysely<unknown>): Promise<void> {
  for (const [name, type] of [['assignee', 'text'], ['assigned_by', 'text'], ['assigned_at', 'double precision'], ['escalated_by', 'text'], ['escalated_at', 'double precision']] as const) {
    await db.schema.alterTable('alerts').addColumn(name, type).execute();
  }
}

async function down0202(db: Kysely<unknown>): Promise<void> {
  for (const name of ['escalated_at', 'escalated_by', 'assigned_at', 'assigned_by', 'assignee']) await db.schema.alterTable('alerts').dropColumn(name).execute();
}

export const alertMigrations: Record<string, Migration> = {
  '0200_alerts': { up: up0200, down: down0200 },
  '0201_alerts_ack_rule_index': { up: up0201, down: down0201 },
  '0202_alerts_assign_escalate': { up: up0202, down: down0202 },
};
