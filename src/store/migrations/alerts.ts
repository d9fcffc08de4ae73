// Schema migrations for the alerts tables (names start with  so areas sort apart).
import type { Migration } from 'kysely';

export const alertMigrations: Record<string, Migration> = {};
