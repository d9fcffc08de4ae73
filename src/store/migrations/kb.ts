// Schema migrations for the kb tables (names start with  so areas sort apart).
import type { Migration } from 'kysely';

export const kbMigrations: Record<string, Migration> = {};
