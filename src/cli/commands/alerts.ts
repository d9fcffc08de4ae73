// `vigil alerts [--since] [--json]`: the alerts stored in the data directory's database, newest
// first, as a table or JSON lines; `--ack ID` acknowledges one.

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { rfc3339Micro } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { AlertQuery, AlertRecord } from '../../model/alert.js';
import type { Severity } from '../../model/anomaly.js';
import { parseTimeArg } from '../../server/time-param.js';
import { AlertSqliteStore } from '../../store/sqlite/alert-sqlite-store.js';
import { KbSqliteStore } from '../../store/sqlite/kb-sqlite-store.js';
import { openSqliteStore, sqliteFileIn } from '../../store/sqlite/sqlite-store.js';
import { resolveCveId } from '../../kb/cve-alias.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';
import { textTable } from '../text-table.js';

const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

interface Opts {
  since?: string; until?: string; json?: boolean; detector?: string; rule?: string; src?: string; cve?: string;
  minSeverity?: string; unacknowledged?: boolean; limit: string; ack?: string; by: string;
}

export function alertQuery(o: Opts, now: number): AlertQuery {
  const limit = Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--limit: expected 1..1000, got ${o.limit}`);
  if (o.minSeverity !== undefined && !SEVERITIES.includes(o.minSeverity as Severity)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--min-severity: one of ${SEVERITIES.join(', ')}`);
  return {
    limit,
    ...(o.since !== undefined ? { since: parseTimeArg(o.since, '--since', now) } : {}),
    ...(o.until !== undefined ? { until: parseTimeArg(o.until, '--until', now) } : {}),
    ...(o.detector !== undefined ? { detector: o.detector } : {}),
    ...(o.rule !== undefined ? { rule: o.rule } : {}),
    ...(o.src !== undefined ? { src: o.src } : {}),
    ...(o.cve !== undefined ? { cve: o.cve } : {}),
    ...(o.minSeverity !== undefined ? { minSeverity: o.minSeverity as Severity } : {}),
    ...(o.unacknowledged ? { acknowledged: false } : {}),
  };
}

const HEADER = ['TIME', 'ID', 'SEVERITY', 'DETECTOR/RULE', 'SOURCE', 'ACK', 'TITLE'];

/** One table row; the id is what `--ack` and GET /api/v1/alerts/{id} take. */
export function alertRow(a: AlertRecord): string[] {
  return [`${rfc3339Micro(a.ts).slice(0, 19)}Z`, a.id, a.severity, `${a.detector}/${a.rule}`, a.src ?? '-', a.acknowledged ? `by ${a.ackBy ?? '?'}` : '-', a.title];
}

export function register(program: Command): void {
  const cmd = program
    .command('alerts')
    .description('list stored alerts (newest first), or acknowledge one with --ack')
    .option('--since <time>', 'RFC 3339 time, epoch ms, or a duration before now (15m, 24h, 7d)')
    .option('--until <time>', 'same forms as --since')
    .option('--json', 'JSON lines instead of a table')
    .option('--detector <name>', 'exploit, trw, threshold, surge, growth')
    .option('--rule <name>', 'e.g. ms03_026_unc_server')
    .option('--src <addr>', 'source address, exact')
    .option('--cve <id>', 'a CVE id or an alias the knowledge base knows, e.g. CVE-2003-0352 or MS03-026')
    .option('--min-severity <level>', SEVERITIES.join('|'))
    .option('--unacknowledged', 'only alerts nobody acknowledged yet')
    .option('--limit <n>', 'at most n alerts (1..1000)', '100')
    .option('--ack <id>', 'acknowledge the alert with this id')
    .option('--by <name>', 'who acknowledges (with --ack)', process.env['USER'] ?? 'cli')
    .action(async (o: Opts & Record<string, unknown>) => {
      // The same --config / VIGIL_DATA_DIR / vigil.yaml resolution as `sessions` and `kb`, so every
      // command that reads the store reads the same one.
      const file = sqliteFileIn(configFromOptions(o).dataDir);
      if (!existsSync(file)) throw new AppError('VIGIL_ERR_NOT_FOUND', `no store at ${file} (start the node with \`vigil up\`, or pass --data-dir or --config)`);
      // the node's own store: alerts and the knowledge base (for --cve aliases) on one connection
      const db = await openSqliteStore({ file, synchronous: 'normal', background: false });
      const store = new AlertSqliteStore(db.kysely);
      try {
        if (o.ack !== undefined) {
          if (!(await store.acknowledge(o.ack, o.by, Date.now()))) throw new AppError('VIGIL_ERR_NOT_FOUND', `no alert ${o.ack}`);
          process.stdout.write(`acknowledged ${o.ack}\n`);
          return;
        }
        let q = alertQuery(o, Date.now());
        if (q.cve !== undefined) {
          const id = await resolveCveId(new KbSqliteStore(db.kysely), q.cve);
          if (id === undefined) throw new AppError('VIGIL_ERR_NOT_FOUND', `--cve: ${q.cve} is neither a CVE id nor an alias the knowledge base knows (see \`vigil kb search\`)`);
          q = { ...q, cve: id };
        }
        const alerts = await store.listAlerts(q);
        if (o.json) for (const a of alerts) process.stdout.write(`${JSON.stringify({ time: rfc3339Micro(a.ts), ...a })}\n`);
        else if (alerts.length === 0) process.stderr.write('no alerts\n');
        else process.stdout.write(textTable([HEADER, ...alerts.map(alertRow)]));
      } finally {
        await db.close();
      }
    });
  addConfigOptions(cmd, ['dataDir']);
}
