// All schema migrations, one set per area (each file owned by its module's tables). Names carry a
// numeric prefix per area so they sort; the migrator allows areas to grow independently.

import type { Migration } from 'kysely';
import { coreMigrations } from './core.js';
import { kbMigrations } from './kb.js';
import { alertMigrations } from './alerts.js';
import { exposureMigrations } from './exposure.js';
import { commentMigrations } from './comments.js';
import { userMigrations } from './users.js';

export const allMigrations: Record<string, Migration> = {
  ...coreMigrations,
  ...kbMigrations,
  ...alertMigrations,
  ...exposureMigrations,
  ...commentMigrations,
  ...userMigrations,
};
