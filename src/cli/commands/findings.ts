// `vigil findings [--overdue] [--status] [--owner] [--json|--csv]`: findings in priority order, and
// `vigil findings set ID --status S --owner O --note T`: a person's decision, kept in the history.

import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { findingRow, findingsCsv, type FindingRow } from '../../exposure/finding-export.js';
import { isoDay } from '../../exposure/finding-policy.js';
import { FINDING_STATUSES } from '../../exposure/finding-engine.js';
import type { FindingQuery, FindingStatus } from '../../model/asset.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';
import { openExposure } from '../exposure-wiring.js';
import { textTable } from '../text-table.js';

function statusOf(s: string, flag: string): FindingStatus {
  if (!FINDING_STATUSES.includes(s as FindingStatus)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${flag}: one of ${FINDING_STATUSES.join(', ')}, got ${JSON.stringify(s)}`);
  return s as FindingStatus;
}

export function findingQuery(o: Record<string, unknown>, today: string): FindingQuery {
  const limit = Number(o['limit']);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--limit: expected 1..10000, got ${String(o['limit'])}`);
  if (o['json'] && o['csv']) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', '--json and --csv: choose one');
  const status = typeof o['status'] === 'string' ? o['status'].split(',').map((s) => statusOf(s.trim(), '--status')) : undefined;
  return {
    limit,
    ...(status ? { status } : {}),
    ...(typeof o['owner'] === 'string' ? { owner: o['owner'] } : {}),
    ...(typeof o['cve'] === 'string' ? { vulnId: o['cve'].toUpperCase() } : {}),
    ...(o['overdue'] ? { overdueOn: today } : {}),
  };
}

const HEADER = ['ID', 'PRIO', 'STATUS', 'DUE', 'SEV', 'CVE', 'ASSET', 'OWNER', 'TITLE'];
const row = (r: FindingRow): string[] => [
  r.id, `${r.priority.label} ${r.priority.score}`, r.status, `${r.dueDate}${r.overdue ? ' OVERDUE' : ''}`, r.severity, r.vulnId, r.asset, r.owner ?? '-', r.title ?? '',
];

export function register(program: Command): void {
  // One command with an optional `set ID`: `findings --owner X` filters and `findings set ID --owner X`
  // assigns. (A commander subcommand would not see --owner/--status: its parent, which has the same
  // flags, takes them first unless the whole program parsed options positionally.)
  const findings = program.command('findings').description('findings (asset x vulnerability) by priority; `findings set ID --status S --owner O --note T` records a decision')
    .argument('[set]', '"set" to change one finding')
    .argument('[id]', 'finding id (with set)')
    .option('--status <status>', `list: comma-separated filter; set: the new status (${FINDING_STATUSES.join(', ')})`)
    .option('--owner <name>', 'list: only findings of this owner; set: who fixes it')
    .option('--note <text>', 'set: why (kept in the history)')
    .option('--by <name>', 'set: who decides', process.env['USER'] ?? 'cli')
    .option('--cve <id>', 'only findings of this CVE')
    .option('--overdue', 'only open or reopened findings past their due date')
    .option('--limit <n>', 'at most n findings (1..10000)', '1000')
    .option('--json', 'JSON lines')
    .option('--csv', 'CSV (RFC 4180) for spreadsheets and ticket imports')
    .action(async (verb: string | undefined, id: string | undefined, o: Record<string, unknown>) => {
      if (verb === undefined) return list(o);
      if (verb !== 'set') throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `findings: unknown action ${JSON.stringify(verb)} (did you mean \`findings set ID\`?)`);
      if (id === undefined) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'findings set: the finding id is missing');
      return setOne(id, o);
    });
  addConfigOptions(findings, ['dataDir']);
}

async function list(o: Record<string, unknown>): Promise<void> {
  for (const flag of ['note'] as const) if (o[flag] !== undefined) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--${flag}: only with \`findings set ID\``);
  const today = isoDay(Date.now());
  const q = findingQuery(o, today);
  const h = await openExposure(configFromOptions(o), { create: false });
  try {
    const { items, total } = await h.store.listFindings(q);
    const rows = await Promise.all(items.map(async (f) => findingRow(f, await h.assetLabel(f.assetId), today)));
    if (o['csv']) process.stdout.write(findingsCsv(rows));
    else if (o['json']) for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
    else if (rows.length === 0) process.stderr.write('no findings\n');
    else {
      process.stdout.write(textTable([HEADER, ...rows.map(row)]));
      if (total > rows.length) process.stderr.write(`${rows.length} of ${total} findings (raise --limit)\n`);
    }
  } finally {
    await h.close();
  }
}

async function setOne(id: string, o: Record<string, unknown>): Promise<void> {
  for (const flag of ['overdue', 'cve', 'csv'] as const) if (o[flag] !== undefined) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--${flag}: not with \`findings set\``);
  const status = typeof o['status'] === 'string' ? statusOf(o['status'], '--status') : undefined;
  if (status === undefined && o['owner'] === undefined && o['note'] === undefined) {
    throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'findings set: give at least one of --status, --owner, --note');
  }
  if (typeof o['note'] === 'string' && o['note'].length > 2000) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', '--note: at most 2000 characters');
  const h = await openExposure(configFromOptions(o), { create: false });
  try {
    const f = await h.service.updateFinding(id, {
      by: String(o['by']),
      ...(status ? { status } : {}),
      ...(typeof o['owner'] === 'string' ? { owner: o['owner'] } : {}),
      ...(typeof o['note'] === 'string' ? { note: o['note'] } : {}),
    });
    if (o['json']) process.stdout.write(`${JSON.stringify(f)}\n`);
    else process.stdout.write(`${f.id}: ${f.status}, owner ${f.owner ?? '-'}, due ${f.dueDate}\n`);
  } finally {
    await h.close();
  }
}
