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

/** Bring the schema up to date; returns the names of migrations applied by this call. */
export async function migrateToLatest(db: Kysely<unknown>, migrations: Record<string, Migration> = allMigrations): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(migrations), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('VIGIL_ERR_STORE', `schema migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
