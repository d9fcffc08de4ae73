// `vigil kb import|sync|show|search`: the knowledge base in the node's data directory. Import shows a
// listr2 progress display (plain lines when not a TTY); --json prints the report for scripts.

import type { Command } from 'commander';
import { Listr } from 'listr2';
import { AppError } from '../../core/errors.js';
import { openSqliteStore, sqliteFileIn } from '../../store/sqlite/sqlite-store.js';
import { KbSqliteStore } from '../../store/sqlite/kb-sqlite-store.js';
import { KbImporter, type ImportReport } from '../../kb/import/kb-importer.js';
import { NvdSyncClient, NVD_STATE_KEY } from '../../kb/import/nvd-sync.js';
import { loadStarterData } from '../../kb/data/starter-data.js';
import { CsafSyncClient } from '../../kb/import/csaf-sync.js';
import type { KbVulnerabilityRecord, VulnQuery } from '../../model/kb-records.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';

type Opts = Record<string, unknown>;

/** The KB lives in the node's SQLite store (all migrations applied), so `vigil up` sees what we import. */
export async function withKb<T>(opts: Opts, fn: (kb: KbSqliteStore) => Promise<T>): Promise<T> {
  const config = configFromOptions(opts);
  const store = await openSqliteStore({ file: sqliteFileIn(config.dataDir), synchronous: 'normal', background: false });
  try {
    return await fn(new KbSqliteStore(store.kysely));
  } finally {
    await store.close();
  }
}

const print = (s: string): void => { process.stdout.write(s.endsWith('\n') ? s : s + '\n'); };

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * One sentence in plain words. Input records and stored entries are counted apart because they
 * differ: the store keeps one entry per vulnerability and source, so a KEV catalog or a CSAF document
 * (one record) can add many, an EPSS score adds an entry to a known CVE, and the starter data adds
 * entries without reading any file.
 */
export function importSummary(r: ImportReport, starter: boolean, failed: number): string {
  const formats = Object.entries(r.byFormat).map(([f, n]) => `${f} ${n}`).join(', ');
  const read = [starter ? 'the starter data' : '', r.files > 0 ? `${plural(r.records, 'record')} in ${plural(r.files, 'file')}${formats ? ` (${formats})` : ''}` : ''].filter(Boolean).join(' and ') || 'nothing';
  const outcome = `${r.inserted} new, ${r.updated} updated, ${r.unchanged} already up to date (entries per vulnerability and source)`;
  const problems = [r.rejected.length ? `${plural(r.rejected.length, 'file')} rejected` : '', failed ? `${plural(failed, 'path')} could not be read` : ''].filter(Boolean);
  return `imported ${read}: ${outcome}${problems.length ? `; ${problems.join(', ')}` : ''}`;
}

async function importAction(paths: string[], opts: Opts): Promise<void> {
  if (paths.length === 0 && opts.starter !== true) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'give files or directories to import, or --starter');
  const json = opts.json === true;
  const batchSize = opts.batch === undefined ? undefined : Number(opts.batch);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 100_000)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--batch: expected an integer from 1 to 100000, got ${JSON.stringify(opts.batch)}`);
  const failures: { path: string; message: string }[] = [];
  const report = await withKb(opts, async (kb) => {
    const total = KbImporter.emptyReport();
    const renderer = json ? 'silent' : process.stdout.isTTY ? 'default' : 'simple';
    // listr2's option type narrows to one renderer; the three used here are all built in.
    const tasks = new Listr<{ total: ImportReport }>([], { renderer: renderer as 'default', exitOnError: false });
    if (opts.starter === true) {
      tasks.add({ title: 'starter data (2003 DCOM story and worm cases)', task: async () => {
        const s = await loadStarterData(kb);
        total.inserted += s.inserted; total.updated += s.updated; total.unchanged += s.unchanged;
      } });
    }
    // Task titles only name the work; the counts are said once, in the summary below.
    for (const p of paths) {
      tasks.add({ title: `import ${p}`, task: async (_ctx, task) => {
        const importer = new KbImporter(kb, { batchSize, onProgress: (pr) => { task.output = `${pr.records} records, ${pr.filesDone} files (${pr.file})`; } });
        let r: ImportReport;
        try {
          r = await importer.importPath(p);
        } catch (e) {
          // listr2 with exitOnError: false swallows the error after showing FAILED; keep it for the exit code
          failures.push({ path: p, message: e instanceof Error ? e.message : String(e) });
          throw e;
        }
        for (const k of ['files', 'records', 'inserted', 'updated', 'unchanged'] as const) total[k] += r[k];
        for (const [f, n] of Object.entries(r.byFormat)) total.byFormat[f as keyof ImportReport['byFormat']] = (total.byFormat[f as keyof ImportReport['byFormat']] ?? 0) + n;
        total.rejected.push(...r.rejected);
      } });
    }
    await tasks.run({ total });
    return total;
  });
  if (json) print(JSON.stringify({ ...report, failed: failures }));
  else {
    for (const r of report.rejected) process.stderr.write(`rejected: ${r.message}\n`);
    for (const f of failures) process.stderr.write(`vigil: cannot import ${f.path}: ${f.message}\n`);
    print(importSummary(report, opts.starter === true, failures.length));
  }
  if (report.rejected.length > 0 || failures.length > 0) process.exitCode = 1;
}

async function syncAction(opts: Opts): Promise<void> {
  if (typeof opts.csaf === 'string') {
    const r = await withKb(opts, (kb) => new CsafSyncClient(kb).sync(opts.csaf as string));
    for (const x of r.rejected) process.stderr.write(`rejected: ${x.message}\n`);
    print(opts.json === true ? JSON.stringify(r) : `csaf sync: ${r.documents} document(s) from ${r.feeds} feed(s), ${r.skipped} already seen; ${r.inserted} new, ${r.updated} changed, ${r.rejected.length} rejected`);
    if (r.rejected.length) process.exitCode = 1;
    return;
  }
  const r = await withKb(opts, async (kb) => {
    const client = new NvdSyncClient(kb, {
      apiKey: typeof opts.apiKey === 'string' ? opts.apiKey : process.env.NVD_API_KEY,
      baseUrl: typeof opts.url === 'string' ? opts.url : undefined,
      initialStart: typeof opts.since === 'string' ? new Date(opts.since).toISOString() : undefined,
      onPage: (p) => { if (opts.json !== true) process.stderr.write(`nvd: ${p.window[0]}..${p.window[1]} ${p.startIndex}/${p.totalResults}\n`); },
    });
    if (typeof opts.since === 'string' && Number.isNaN(Date.parse(opts.since))) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--since: not a date: ${opts.since}`);
    if (typeof opts.since === 'string') await kb.setKbState(NVD_STATE_KEY, new Date(opts.since).toISOString());
    return client.sync();
  });
  print(opts.json === true ? JSON.stringify(r) : `nvd sync up to ${r.until}: ${r.records} record(s) in ${r.requests} request(s); ${r.inserted} new, ${r.updated} changed, ${r.unchanged} unchanged`);
}

export function formatVulnerability(v: KbVulnerabilityRecord): string {
  const lines = [`${v.id}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}${v.title ? `: ${v.title}` : ''}`];
  if (v.description) lines.push(v.description);
  if (v.published) lines.push(`published ${v.published}`);
  for (const c of v.cvss) lines.push(`CVSS ${c.version} ${c.baseScore} ${c.severity ?? ''} ${c.vector} [${c.source ?? ''}]`);
  if (v.kev) lines.push(`CISA KEV since ${v.kev.dateAdded}${v.kev.dueDate ? `, due ${v.kev.dueDate}` : ''}`);
  if (v.epss) lines.push(`EPSS ${v.epss.score} (percentile ${v.epss.percentile}, ${v.epss.date})`);
  if (v.ports?.length) lines.push(`ports ${v.ports.join(', ')}`);
  for (const m of v.remedies) lines.push(`remedy ${m.category}${m.id ? ` ${m.id}` : ''}${m.url ? ` ${m.url}` : ''}`);
  for (const t of v.timeline) lines.push(`${t.date}  ${t.kind}${t.note ? `: ${t.note}` : ''}`);
  lines.push(`sources: ${v.sources.join(', ')}`);
  return lines.join('\n');
}

async function showAction(id: string, opts: Opts): Promise<void> {
  const v = await withKb(opts, (kb) => kb.getVulnerability(id));
  if (!v) throw new AppError('VIGIL_ERR_NOT_FOUND', `no vulnerability ${id} in the knowledge base`);
  print(opts.json === true ? JSON.stringify(v) : formatVulnerability(v));
}

function num(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${name}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}

async function searchAction(text: string | undefined, opts: Opts): Promise<void> {
  const q: VulnQuery = {
    text, vendor: opts.vendor as string | undefined, product: opts.product as string | undefined,
    kev: opts.kev === true ? true : undefined, epssAbove: num(opts.epssAbove, '--epss-above'), cvssAbove: num(opts.cvssAbove, '--cvss-above'),
    publishedFrom: opts.from as string | undefined, publishedTo: opts.to as string | undefined, limit: num(opts.limit, '--limit') ?? 50,
  };
  const r = await withKb(opts, (kb) => kb.searchVulns(q));
  if (opts.json === true) { print(JSON.stringify(r)); return; }
  for (const i of r.items) print(`${i.id}  ${i.published?.slice(0, 10) ?? '-'}  cvss ${i.cvssMax?.toFixed(1) ?? '-'}  ${i.kevAdded ? 'KEV ' : ''}${i.title ?? ''}`);
  print(`${r.items.length} of ${r.total}`);
}

export function register(program: Command): void {
  const kb = program.command('kb').description('vulnerability knowledge base: import, sync, show, search');
  const imp = kb.command('import [paths...]')
    .description('import CVE JSON 5 files or trees, NVD API 2.0 pages, the CISA KEV catalog, CSAF 2.0 documents, EPSS CSV(.gz)')
    .option('--starter', 'also load the starter data (2003 DCOM story, worm cases)')
    .option('--batch <n>', 'records per transaction for CVE trees', '1000')
    .option('--json', 'print the import report as JSON')
    .action((paths: string[], opts: Opts) => importAction(paths, opts));
  addConfigOptions(imp, ['dataDir']);
  const sync = kb.command('sync').description('incremental sync from the NVD CVE API 2.0 (rate-limited), or --csaf from a CSAF provider (needs network)')
    .option('--csaf <url>', 'a CSAF provider-metadata.json URL: sync its TLP:WHITE ROLIE feeds instead of NVD')
    .option('--since <date>', 'start of the first window (later syncs continue from the stored watermark)')
    .option('--api-key <key>', 'NVD API key (env NVD_API_KEY): 50 instead of 5 requests per 30 s')
    .option('--url <url>', 'API base URL (a mirror)')
    .option('--json', 'print the sync report as JSON')
    .action((opts: Opts) => syncAction(opts));
  addConfigOptions(sync, ['dataDir']);
  const show = kb.command('show <id>').description('one vulnerability by CVE id or alias (MS03-026)').option('--json', 'the merged record as JSON')
    .action((id: string, opts: Opts) => showAction(id, opts));
  addConfigOptions(show, ['dataDir']);
  const search = kb.command('search').argument('[text]', 'words to find in the id, aliases, title or description').description('search by text, vendor/product, KEV, EPSS, CVSS, published range; newest published first')
    .option('--vendor <v>', 'only this vendor (CPE or CNA name, e.g. microsoft)')
    .option('--product <p>', 'only this product (CPE or CNA name, e.g. windows_xp)')
    .option('--kev', 'only known exploited (in the CISA KEV catalog)')
    .option('--epss-above <p>', 'only EPSS probability above p (0..1)')
    .option('--cvss-above <s>', 'only CVSS base score above s (0..10), scored by the newest CVSS version the record has')
    .option('--from <date>', 'published on or after (YYYY-MM-DD)')
    .option('--to <date>', 'published before (YYYY-MM-DD)')
    .option('-n, --limit <n>', 'at most this many', '50')
    .option('--json', 'the result as one JSON object {items, total}')
    .action((text: string | undefined, opts: Opts) => searchAction(text, opts));
  addConfigOptions(search, ['dataDir']);
}
