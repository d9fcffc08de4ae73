// Runs every area's migrations (migrations/index.ts) with Kysely's Migrator. Unordered migrations
// are allowed because areas (core 0001_, kb, alerts) number their sets independently.

import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { AppError } from '../core/errors.js';
import { allMigrations } from './migrations/index.js';

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/**
 * Bring the schema up to date; returns the names of migrations applied by this call. `extra` is
 * always run together with every area's migrations: all areas share one database file (vigil.db),
 * and Kysely refuses a migration set that lacks a migration already applied to the file, so an
 * area opening the file with only its own set would fail once another area had migrated it.
 */
export async function migrateToLatest(db: Kysely<unknown>, extra: Record<string, Migration> = {}): Promise<string[]> {
  const migrations = { ...allMigrations, ...extra };
  const migrator = new Migrator({ db, provider: new StaticProvider(migrations), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('VIGIL_ERR_STORE', `schema migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
