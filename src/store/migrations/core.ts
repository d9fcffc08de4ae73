// Schema migrations for the core tables (names start with  so areas sort apart).
import type { Migration } from 'kysely';

export const coreMigrations: Record<string, Migration> = {};
