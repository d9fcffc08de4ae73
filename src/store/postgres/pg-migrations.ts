// Schema migrations of the core tables on PostgreSQL: the same tables, columns and indexes as
// migrations/core.ts (SQLite), with PostgreSQL's types where SQLite's differ (bytea, bigserial).

import { sql, type Kysely, type Migration } from 'kysely';
import { Migrator } from 'kysely';
import { AppError } from '../../core/errors.js';
import { eventIdMigration } from '../migrations/core.js';

// Kysely's builder would emit `blob` and `autoincrement`, which PostgreSQL does not know, so the
// two tables that need them are spelled here; the rest follows core.ts column for column.
async function up0001(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sensor', 'text', (c) => c.notNull())
    .addColumn('proto', 'text', (c) => c.notNull())
    .addColumn('src', 'text', (c) => c.notNull())
    .addColumn('sport', 'integer', (c) => c.notNull())
    .addColumn('dst', 'text', (c) => c.notNull())
    .addColumn('dport', 'integer', (c) => c.notNull())
    .addColumn('start_ts', 'double precision', (c) => c.notNull())
    .addColumn('end_ts', 'double precision')
    .addColumn('bytes_in', 'bigint', (c) => c.notNull())
    .addColumn('bytes_out', 'bigint', (c) => c.notNull())
    .addColumn('first_bytes_hex', 'text')
    .addColumn('service', 'text')
    .addColumn('close_reason', 'text')
    .addColumn('limits_hit', 'text', (c) => c.notNull())
    .addColumn('payload_sha256', 'text')
    .addColumn('call_count', 'integer', (c) => c.notNull())
    .addColumn('anomaly_count', 'integer', (c) => c.notNull())
    .addColumn('transcript', 'text')
    .execute();
  await db.schema.createIndex('sessions_start').on('sessions').columns(['start_ts', 'id']).execute();
  await db.schema.createIndex('sessions_port_start').on('sessions').columns(['dport', 'start_ts']).execute();
  await db.schema.createIndex('sessions_src_start').on('sessions').columns(['src', 'start_ts']).execute();

  await db.schema
    .createTable('calls')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('ts', 'double precision', (c) => c.notNull())
    .addColumn('iface_uuid', 'text')
    .addColumn('opnum', 'integer', (c) => c.notNull())
    .addColumn('operation', 'text')
    .addColumn('record', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('calls_pk', ['session_id', 'seq'])
    .execute();
  await db.schema.createIndex('calls_iface_opnum').on('calls').columns(['iface_uuid', 'opnum']).execute();

  await db.schema
    .createTable('anomalies')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('call_seq', 'integer')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('proto', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('offset', 'integer')
    .addColumn('call_id', 'bigint')
    .addPrimaryKeyConstraint('anomalies_pk', ['session_id', 'seq'])
    .execute();
  await db.schema.createIndex('anomalies_name').on('anomalies').column('name').execute();

  await db.schema
    .createTable('session_payloads')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_payloads_pk', ['session_id', 'seq'])
    .execute();
  await db.schema.createIndex('session_payloads_sha').on('session_payloads').column('sha256').execute();

  await db.schema
    .createTable('payload_samples')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('truncated', 'integer', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addColumn('first_seen', 'double precision', (c) => c.notNull())
    .addColumn('last_seen', 'double precision', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payload_samples_last_seen').on('payload_samples').column('last_seen').execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('ts', 'double precision', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('src', 'text', (c) => c.notNull())
    .addColumn('dport', 'integer', (c) => c.notNull())
    .addColumn('session', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_ts').on('events').columns(['ts', 'id']).execute();
  await db.schema.createIndex('events_port_ts').on('events').columns(['dport', 'ts']).execute();
  await db.schema.createIndex('events_src_ts').on('events').columns(['src', 'ts']).execute();

  await db.schema
    .createTable('port_stats')
    .addColumn('bucket', 'bigint', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('port_stats_pk', ['bucket', 'port'])
    .execute();
  await db.schema
    .createTable('port_sources')
    .addColumn('bucket', 'bigint', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('src', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('port_sources_pk', ['bucket', 'port', 'src'])
    .execute();
}

async function down0001(db: Kysely<unknown>): Promise<void> {
  for (const t of ['port_sources', 'port_stats', 'events', 'payload_samples', 'session_payloads', 'anomalies', 'calls', 'sessions']) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
}

// The hourly port rollup (SQLite's 0003), read for ranges of whole hours and kept by the same writes.
async function up0003(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('port_stats_hour')
    .addColumn('bucket', 'bigint', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('port_stats_hour_pk', ['bucket', 'port'])
    .execute();
  await sql`insert into port_stats_hour (bucket, port, count) select (bucket / 3600) * 3600, port, sum(count) from port_stats group by 1, 2`.execute(db);
}

async function down0003(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists port_stats_hour`.execute(db);
}

/** Same names as SQLite's core set (0002 is folded into 0001 here: PostgreSQL started later). */
export const pgCoreMigrations: Record<string, Migration> = {
  '0001_core_sessions_events_stats': { up: up0001, down: down0001 },
  '0003_core_port_stats_hour': { up: up0003, down: down0003 },
  '0004_core_event_id': eventIdMigration,
};

export async function migratePostgres(db: Kysely<unknown>, extra: Record<string, Migration> = {}): Promise<string[]> {
  const migrations = { ...pgCoreMigrations, ...extra };
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('VIGIL_ERR_STORE', `schema migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
