// Schema migrations for dashboard users (this area's numbering starts at 0600_): name, role and the
// scrypt hash of the password.
import { sql, type Kysely, type Migration } from 'kysely';

async function up0600(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'double precision', (c) => c.notNull())
    .addColumn('updated_at', 'double precision', (c) => c.notNull())
    .execute();
}

async function down0600(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS users`.execute(db);
}

export const userMigrations: Record<string, Migration> = {
  '0600_users': { up: up0600, down: down0600 },
};
