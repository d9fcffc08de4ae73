// Opening the store's SQLite file: WAL journal, synchronous level and busy timeout per connection,
// and a Kysely dialect with immediate transactions (sqlite.org/wal.html, sqlite.org/pragma.html).

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Dialect } from 'kysely';
import { AppError } from '../../core/errors.js';
import { PRIVATE_DIR_MODE, ensurePrivateFile, tightenFile } from '../../core/private-files.js';

export interface OpenOptions {
  readonly file: string;
  readonly synchronous?: 'full' | 'normal';
  readonly busyTimeoutMs?: number;
}

/** The database, its WAL and its shared-memory index readable by the owner only. SQLite creates -wal
 * and -shm with the database file's mode, so the file is created 0600 before SQLite first opens it;
 * files left open by older versions are tightened. A missing directory is created 0700; an existing one
 * is left alone (the data directory's owner, the CLI, tightens that). */
export function preparePrivateDatabaseFile(file: string): void {
  if (file === ':memory:' || file === '') return;
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  ensurePrivateFile(file);
  for (const suffix of ['-wal', '-shm', '-journal']) tightenFile(file + suffix);
}

export function openDatabase(opts: OpenOptions): Database.Database {
  let db: Database.Database;
  try {
    preparePrivateDatabaseFile(opts.file);
    db = new Database(opts.file);
  } catch (e) {
    throw new AppError('VIGIL_ERR_STORE', `cannot open store ${opts.file}: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  // auto_vacuum takes effect only before the first table exists; incremental lets pruning give
  // space back to the file system in small steps instead of a blocking VACUUM.
  if ((db.pragma('page_count', { simple: true }) as number) === 0) db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  // Per connection: the writer thread's connection must carry the level the caller asked for.
  db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  return db;
}

/** Kysely's driver with BEGIN IMMEDIATE transactions. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Kysely's SQLite dialect whose transactions take the write lock at BEGIN. The store has two
 * connections (this one and the writer thread's); a deferred transaction that reads before it
 * writes fails with SQLITE_BUSY, without waiting, when the other connection committed in between,
 * where an immediate one waits (busy_timeout) instead (sqlite.org/lang_transaction.html).
 */
export function immediateDialect(database: Database.Database): Dialect {
  const dialect = new SqliteDialect({ database });
  dialect.createDriver = () => new ImmediateSqliteDriver({ database });
  return dialect;
}
