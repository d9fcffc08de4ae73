// `vigil share export`: stored alerts as STIX 2.1 (one bundle), ECS JSON lines, CEF lines, RFC 5424
// syslog lines with CEF, or Suricata EVE alert lines; `vigil share pull`: a partner's TAXII 2.1
// collection as a STIX bundle, following its pages.

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { parseTimeArg } from '../../server/time-param.js';
import { TaxiiClient } from '../../share/taxii/taxii-client.js';
import { AlertSqliteStore } from '../../store/sqlite/alert-sqlite-store.js';
import { openSqliteStore, sqliteFileIn } from '../../store/sqlite/sqlite-store.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';
import { EXPORT_FORMATS, exportAlerts, exportSessions, readAllAlerts, type ExportFormat } from '../share/share-export.js';
import { sensorName, stixOptions } from '../share-services.js';

export function register(program: Command): void {
  const share = program.command('share').description('share alerts: STIX 2.1 / TAXII 2.1 and SIEM formats (ECS, CEF, syslog, EVE)');
  const exp = share
    .command('export')
    .description('write stored alerts to stdout in a sharing or SIEM format (oldest first)')
    .requiredOption('--format <format>', EXPORT_FORMATS.join('|'))
    .option('--since <time>', 'RFC 3339 time, epoch ms, or a duration before now (15m, 24h, 7d)')
    .option('--until <time>', 'same forms as --since')
    .option('--sessions', 'sensor sessions instead of alerts (ecs: network events, eve: flow records)')
    .action(async (o: { format: string; since?: string; until?: string; sessions?: boolean } & Record<string, unknown>) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--format: one of ${EXPORT_FORMATS.join(', ')}`);
      if (o.sessions && o.format !== 'ecs' && o.format !== 'eve') throw new AppError('VIGIL_ERR_BAD_ARGUMENT', '--sessions: with --format ecs or eve');
      const config = configFromOptions(o);
      const file = sqliteFileIn(config.dataDir);
      if (!existsSync(file)) throw new AppError('VIGIL_ERR_NOT_FOUND', `no store at ${file} (start the node with \`vigil up\`, or pass --data-dir or --config)`);
      const now = Date.now();
      const db = await openSqliteStore({ file, synchronous: 'normal', background: false });
      const range = {
        ...(o.since !== undefined ? { since: parseTimeArg(o.since, '--since', now) } : {}),
        ...(o.until !== undefined ? { until: parseTimeArg(o.until, '--until', now) } : {}),
      };
      try {
        if (o.sessions) {
          for await (const line of exportSessions(db, range, o.format as 'ecs' | 'eve', sensorName(config))) process.stdout.write(line);
          return;
        }
        const alerts = await readAllAlerts(new AlertSqliteStore(db.kysely), range);
        for (const chunk of exportAlerts(alerts, o.format as ExportFormat, { stix: stixOptions(config), observer: sensorName(config), sensorAddress: config.http.host })) {
          process.stdout.write(chunk);
        }
      } finally {
        await db.close();
      }
    });
  addConfigOptions(exp, ['dataDir']);
  share
    .command('pull')
    .description("print a partner's TAXII 2.1 collection as a STIX bundle (all pages)")
    .requiredOption('--url <url>', 'the collection URL, .../collections/<id>/')
    .option('--token <token>', 'bearer token (or VIGIL_TAXII_TOKEN)')
    .option('--user <name>', 'HTTP Basic user name (password from VIGIL_TAXII_PASSWORD)')
    .option('--added-after <time>', 'only objects added after this RFC 3339 time')
    .action(async (o: { url: string; token?: string; user?: string; addedAfter?: string }) => {
      const token = o.token ?? process.env.VIGIL_TAXII_TOKEN;
      const auth = o.user !== undefined ? { username: o.user, password: process.env.VIGIL_TAXII_PASSWORD ?? '' } : token ? { token } : undefined;
      const client = new TaxiiClient({ collectionUrl: o.url, ...(auth ? { auth } : {}) });
      const r = await client.pull({ ...(o.addedAfter ? { addedAfter: o.addedAfter } : {}) });
      process.stdout.write(`${JSON.stringify({ type: 'bundle', id: `bundle--${randomUUID()}`, objects: r.objects })}\n`);
      if (r.lastAdded) process.stderr.write(`last added: ${r.lastAdded} (pass as --added-after next time)\n`);
    });
}
