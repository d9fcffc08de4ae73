// SQLite persistence of dashboard users (the UserRepository of ../users.ts) on the node's database;
// schema in migrations/users.ts (0600_).

import type { Kysely } from 'kysely';
import type { UserRecord, UserRepository, UserRole } from '../users.js';

interface UserTables {
  users: { name: string; role: string; password_hash: string; created_at: number; updated_at: number };
}

type Row = UserTables['users'];

export class UserSqliteStore implements UserRepository {
  private readonly db: Kysely<UserTables>;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<UserTables>;
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('name').execute()).map(toRecord);
  }

  async addUser(u: UserRecord): Promise<boolean> {
    const r = await this.db.insertInto('users')
      .values({ name: u.name, role: u.role, password_hash: u.passwordHash, created_at: u.createdAt, updated_at: u.updatedAt })
      .onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async updateUser(name: string, change: { passwordHash?: string; role?: UserRole; updatedAt: number }): Promise<boolean> {
    const r = await this.db.updateTable('users').set({
      updated_at: change.updatedAt, ...(change.passwordHash !== undefined ? { password_hash: change.passwordHash } : {}), ...(change.role !== undefined ? { role: change.role } : {}),
    }).where('name', '=', name).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async removeUser(name: string): Promise<boolean> {
    const r = await this.db.deleteFrom('users').where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

function toRecord(r: Row): UserRecord {
  return { name: r.name, role: r.role as UserRole, passwordHash: r.password_hash, createdAt: r.created_at, updatedAt: r.updated_at };
}
