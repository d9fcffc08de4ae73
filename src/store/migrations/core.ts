// Schema migrations for the core tables: sessions with calls, anomalies and payload links, payload
// samples, events, and per-port statistics rollups. Names start with 0001_ (this area's numbering).

import { sql, type Kysely, type Migration } from 'kysely';

// Timestamps are ms since epoch as double precision (sub-ms from pcap replays survives); JSON
// columns are text. Indexes follow the queries: time ranges, per port, per source, keyset paging.
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
    .addColumn('bytes_in', 'integer', (c) => c.notNull())
    .addColumn('bytes_out', 'integer', (c) => c.notNull())
    .addColumn('first_bytes_hex', 'text')
    .addColumn('service', 'text')
    .addColumn('close_reason', 'text')
    .addColumn('limits_hit', 'text', (c) => c.notNull())
    .addColumn('payload_sha256', 'text')
    .addColumn('call_count', 'integer', (c) => c.notNull())
    .addColumn('anomaly_count', 'integer', (c) => c.notNull())
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

  // Session-level anomalies have call_seq NULL; call-level ones point at their call.
  await db.schema
    .createTable('anomalies')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('call_seq', 'integer')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('proto', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('offset', 'integer')
    .addColumn('call_id', 'integer')
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
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('truncated', 'integer', (c) => c.notNull())
    .addColumn('data', 'blob', (c) => c.notNull())
    .addColumn('first_seen', 'double precision', (c) => c.notNull())
    .addColumn('last_seen', 'double precision', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payload_samples_last_seen').on('payload_samples').column('last_seen').execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
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

  // Rollups at the base bucket (seconds since epoch, floored to STATS_BASE_BUCKET_SECONDS); they
  // outlive size-based pruning of raw sessions so baselines for surge detection stay long.
  await db.schema
    .createTable('port_stats')
    .addColumn('bucket', 'integer', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('port_stats_pk', ['bucket', 'port'])
    .execute();
  await db.schema
    .createTable('port_sources')
    .addColumn('bucket', 'integer', (c) => c.notNull())
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

// Hourly connection counts per port beside the minute rollup, maintained by the same writes: a 7-day
// or 30-day series (the dashboard's overview, surge baselines) sums 168 or 720 rows per port instead of
// 10,080 or 43,200. Backfilled from the minute rollup.
async function up0003(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('port_stats_hour')
    .addColumn('bucket', 'integer', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('port_stats_hour_pk', ['bucket', 'port'])
    .execute();
  await sql`insert into port_stats_hour (bucket, port, count) select (bucket / 3600) * 3600, port, sum(count) from port_stats group by 1, 2`.execute(db);
}

async function down0003(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists port_stats_hour`.execute(db);
}

// A shell session's transcript (model Transcript) as JSON text; NULL for sessions without one
// (every RPC session). A column, not a table: it lives and is pruned with its session row.
async function up0002(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('transcript', 'text').execute();
}

async function down0002(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('transcript').execute();
}

// A producer's stable event id (a fleet sensor's `<session>:<type>:<n>`), unique where present:
// an events message redelivered to the hub after a crash inserts nothing twice. NULL (events from
// logs and captures) never conflicts. The same statements on PostgreSQL (pg-migrations.ts).
async function up0004(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('event_id', 'text').execute();
  await db.schema.createIndex('events_event_id').on('events').column('event_id').unique().execute();
}

async function down0004(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists events_event_id`.execute(db);
  await db.schema.alterTable('events').dropColumn('event_id').execute();
}

export const eventIdMigration: Migration = { up: up0004, down: down0004 };

export const coreMigrations: Record<string, Migration> = {
  '0001_core_sessions_events_stats': { up: up0001, down: down0001 },
  '0002_core_session_transcript': { up: up0002, down: down0002 },
  '0003_core_port_stats_hour': { up: up0003, down: down0003 },
  '0004_core_event_id': eventIdMigration,
};
