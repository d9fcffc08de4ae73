// Schema migrations for discussion threads (this area's numbering starts at 0500_): one row per comment,
// found by its subject (alert, vuln, advisory, finding) and that subject's id.
import { sql, type Kysely, type Migration } from 'kysely';

async function up0500(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('ts', 'double precision', (c) => c.notNull())
    .addColumn('edited_at', 'double precision')
    .execute();
  await db.schema.createIndex('comments_subject_ts').on('comments').columns(['subject', 'subject_id', 'ts']).execute();
}

async function down0500(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS comments`.execute(db);
}

export const commentMigrations: Record<string, Migration> = {
  '0500_comments': { up: up0500, down: down0500 },
};
