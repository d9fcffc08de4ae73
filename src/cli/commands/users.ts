// `vigil users add|list|passwd|remove`: the dashboard's users and roles (admin, analyst, viewer) in the
// node's store. Passwords are generated and printed once (stdout, alone, so scripts can capture them).

import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { UserService } from '../../server/users.js';
import { openSqliteStore, sqliteFileIn } from '../../store/sqlite/sqlite-store.js';
import { UserSqliteStore } from '../../store/sqlite/user-sqlite-store.js';
import { USER_ROLES, type UserRole } from '../../store/users.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';
import { textTable } from '../text-table.js';

async function withUsers<T>(opts: Record<string, unknown>, fn: (users: UserService) => Promise<T>): Promise<T> {
  // The node's own store (created if absent, as `vigil up` would), so users can exist before the first start.
  const config = configFromOptions(opts);
  const db = await openSqliteStore({ file: sqliteFileIn(config.dataDir), synchronous: 'normal', background: false });
  try {
    return await fn(new UserService(new UserSqliteStore(db.kysely), systemClock));
  } finally {
    await db.close();
  }
}

export function register(program: Command): void {
  const users = program.command('users').description('dashboard users and roles (admin, analyst, viewer)');
  const add = users.command('add <name>')
    .description('create a user with a generated password, printed once')
    .option('--role <role>', USER_ROLES.join('|'), 'analyst')
    .action(async (name: string, o: Record<string, unknown>) => {
      const password = await withUsers(o, (u) => u.add(name, o.role as UserRole));
      process.stdout.write(`${password}\n`);
      process.stderr.write(`vigil: user ${name} (${String(o.role)}) created; the password above is shown once\n`);
    });
  const list = users.command('list')
    .description('the users and their roles')
    .option('--json', 'JSON lines')
    .action(async (o: Record<string, unknown>) => {
      const all = await withUsers(o, (u) => u.list());
      if (o.json === true) for (const u of all) process.stdout.write(`${JSON.stringify({ name: u.name, role: u.role, createdAt: new Date(u.createdAt).toISOString(), updatedAt: new Date(u.updatedAt).toISOString() })}\n`);
      else process.stdout.write(textTable([['NAME', 'ROLE', 'CREATED'], ...all.map((u) => [u.name, u.role, new Date(u.createdAt).toISOString()])]));
    });
  const passwd = users.command('passwd <name>')
    .description('replace a user\'s password with a generated one, printed once')
    .action(async (name: string, o: Record<string, unknown>) => {
      process.stdout.write(`${await withUsers(o, (u) => u.resetPassword(name))}\n`);
    });
  const remove = users.command('remove <name>')
    .description('delete a user (signed-in sessions end at their next expiry)')
    .action(async (name: string, o: Record<string, unknown>) => {
      await withUsers(o, (u) => u.remove(name));
      process.stderr.write(`vigil: user ${name} removed\n`);
    });
  for (const c of [add, list, passwd, remove]) addConfigOptions(c, ['dataDir']);
}
