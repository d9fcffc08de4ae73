// `vigil assets list|show|import`: the asset inventory in the data directory's store. `import` reads
// nmap XML, masscan, naabu, osquery and CSV files into it (all or nothing) and updates the findings.

import type { Command } from 'commander';
import { rfc3339Micro } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { assetView } from '../../exposure/asset-merge.js';
import { IMPORT_FORMATS, type ImportFormat } from '../../exposure/import/import-file.js';
import type { Asset, AssetQuery } from '../../model/asset.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';
import { openExposure } from '../exposure-wiring.js';
import { exposedFromFindings } from '../../outbreak/outbreak-presets.js';
import { textTable } from '../text-table.js';

const day = (ms: number): string => rfc3339Micro(ms).slice(0, 10);

function limitOf(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--limit: expected 1..10000, got ${s}`);
  return n;
}

export function assetRow(a: Asset): string[] {
  const v = assetView(a);
  return [
    a.id, v.addresses.join(' ') || '-', v.names.join(' ') || '-', v.os ?? '-', v.services.join(' ').slice(0, 60) || '-',
    v.owner ?? '-', v.compromised ? `yes (${v.compromised.rule})` : '-', `${day(a.firstSeen)}..${day(a.lastSeen)}`, v.sources.join(','),
  ];
}
const HEADER = ['ID', 'ADDRESSES', 'NAMES', 'OS', 'SERVICES', 'OWNER', 'COMPROMISED', 'SEEN', 'SOURCES'];

export function register(program: Command): void {
  const assets = program.command('assets').description('the asset inventory: list, show one, import inventories (nmap, masscan, naabu, osquery, CSV)');

  const list = assets.command('list').description('list assets (oldest first)')
    .option('--match <text>', 'an address, host name or MAC, exact')
    .option('--owner <name>', 'only assets of this owner')
    .option('--tag <tag>', 'only assets with this tag')
    .option('--compromised', 'only assets a sensor or log alert came from')
    .option('--limit <n>', 'at most n assets (1..10000)', '100')
    .option('--json', 'JSON lines (the asset flattened, with its facts and their provenance)')
    .option('--exposed-to <cve>', 'print the IPv4 addresses of assets with an unfixed finding for this CVE, one per line (`vigil simulate --preset today --exposed FILE` reads them)')
    .action(async (o: Record<string, unknown>) => {
      if (typeof o['exposedTo'] === 'string') return printExposed(o, o['exposedTo']);
      const q: AssetQuery = {
        limit: limitOf(o['limit'] as string),
        ...(typeof o['match'] === 'string' ? { match: o['match'] } : {}),
        ...(typeof o['owner'] === 'string' ? { owner: o['owner'] } : {}),
        ...(typeof o['tag'] === 'string' ? { tag: o['tag'] } : {}),
        ...(o['compromised'] ? { compromised: true } : {}),
      };
      const h = await openExposure(configFromOptions(o), { create: false });
      try {
        const { items, total } = await h.store.listAssets(q);
        if (o['json']) for (const a of items) process.stdout.write(`${JSON.stringify({ ...assetView(a), facts: a.facts })}\n`);
        else if (items.length === 0) process.stderr.write('no assets\n');
        else {
          process.stdout.write(textTable([HEADER, ...items.map(assetRow)]));
          if (total > items.length) process.stderr.write(`${items.length} of ${total} assets (raise --limit)\n`);
        }
      } finally {
        await h.close();
      }
    });
  addConfigOptions(list, ['dataDir']);

  const show = assets.command('show').description('one asset with every fact and where it came from')
    .argument('<asset>', 'asset id, address, host name or MAC')
    .option('--json', 'JSON')
    .action(async (key: string, o: Record<string, unknown>) => {
      const h = await openExposure(configFromOptions(o), { create: false });
      try {
        const a = (await h.store.getAsset(key)) ?? (await h.store.listAssets({ match: key, limit: 2 })).items[0];
        if (!a) throw new AppError('VIGIL_ERR_NOT_FOUND', `no asset ${key}`);
        const findings = (await h.store.listFindings({ assetId: a.id, limit: 1000 })).items;
        if (o['json']) {
          process.stdout.write(`${JSON.stringify({ ...assetView(a), facts: a.facts, findings }, null, 2)}\n`);
          return;
        }
        const v = assetView(a);
        process.stdout.write(`asset ${a.id}  first seen ${rfc3339Micro(a.firstSeen)}  last seen ${rfc3339Micro(a.lastSeen)}\n`);
        if (v.compromised) process.stdout.write(`PROBABLY COMPROMISED: alert ${v.compromised.alertId} (${v.compromised.rule}, ${v.compromised.severity}) from ${v.compromised.address} at ${rfc3339Micro(v.compromised.ts)}\n`);
        process.stdout.write(`\n${textTable([['KIND', 'VALUE', 'SOURCE', 'FIRST', 'LAST', 'DETAIL'], ...a.facts.map((f) => [
          f.kind, f.value, f.source, day(f.firstSeen), day(f.lastSeen), f.detail ? Object.entries(f.detail).map(([k, x]) => `${k}=${x}`).join(' ') : '',
        ])])}`);
        if (findings.length > 0) {
          process.stdout.write(`\n${textTable([['FINDING', 'PRIO', 'STATUS', 'DUE', 'CVE', 'TITLE'], ...findings.map((f) => [f.id, f.priority.label, f.status, f.dueDate, f.vulnId, f.title ?? ''])])}`);
        }
      } finally {
        await h.close();
      }
    });
  addConfigOptions(show, ['dataDir']);

  const imp = assets.command('import').description('import inventory files into assets (all files or none) and update findings')
    .argument('<file...>', 'nmap XML, masscan -oJ/-oL, naabu JSON lines, osquery results, CSV')
    .option('--format <format>', `${IMPORT_FORMATS.join('|')} (default: told from the content)`)
    .option('--host <name>', 'host the rows describe, for osqueryi output that does not say')
    .option('--json', 'the summary as JSON')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const format = o['format'];
      if (format !== undefined && !IMPORT_FORMATS.includes(format as ImportFormat)) {
        throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--format: one of ${IMPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
      }
      const h = await openExposure(configFromOptions(o), { create: true });
      try {
        const s = await h.service.importFiles(files.map((path) => ({
          path, ...(format !== undefined ? { format: format as ImportFormat } : {}), ...(typeof o['host'] === 'string' ? { host: o['host'] } : {}),
        })));
        if (o['json']) process.stdout.write(`${JSON.stringify(s)}\n`);
        else {
          for (const f of s.files) process.stdout.write(`${f.path}: ${f.format}, ${f.hosts} host(s)\n`);
          process.stdout.write(`assets: ${s.assetsCreated} new, ${s.assetsUpdated} updated; findings: ${s.findingsOpened} opened, ${s.findingsFixed} fixed, ${s.findingsReopened} reopened, ${s.findingsUpdated} updated\n`);
        }
      } finally {
        await h.close();
      }
    });
  addConfigOptions(imp, ['dataDir']);
}

/** The exposed population of a CVE, as outbreak's "today" preset takes it (exposedFromFindings). */
async function printExposed(o: Record<string, unknown>, cve: string): Promise<void> {
  const h = await openExposure(configFromOptions(o), { create: false });
  try {
    const findings = (await h.store.listFindings({ vulnId: cve.toUpperCase(), status: ['open', 'reopened', 'risk-accepted'], limit: 10_000 })).items;
    const assets = [];
    for (const id of new Set(findings.map((f) => f.assetId))) {
      const a = await h.store.getAsset(id);
      if (a) assets.push(assetView(a));
    }
    for (const n of exposedFromFindings(assets, findings, cve.toUpperCase())) process.stdout.write(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}\n`);
  } finally {
    await h.close();
  }
}
