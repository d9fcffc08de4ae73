// `vigil advisory new|edit|publish|validate|list|export`: our CSAF 2.0 advisories in the node's store.
// `validate FILE...` checks any CSAF document, ours or not, and prints per-test results (--json for scripts).

import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { AdvisoryService } from '../../kb/csaf/advisory-service.js';
import { EXCLUDED_TESTS, validateCsaf, type CsafValidation } from '../../kb/csaf/csaf-validator.js';
import { renderAdvisoryHtml } from '../../kb/csaf/csaf-render.js';
import type { CsafDocument, Tlp } from '../../kb/csaf/csaf-writer.js';
import { addConfigOptions } from '../config-flags.js';
import { withKb } from './kb.js';

type Opts = Record<string, unknown>;
const print = (s: string): void => { process.stdout.write(s.endsWith('\n') ? s : s + '\n'); };

function publisherOf(opts: Opts): { name: string; namespace: string } {
  const name = typeof opts.publisher === 'string' ? opts.publisher : 'Vigil';
  const namespace = typeof opts.namespace === 'string' ? opts.namespace : 'https://vigil.invalid';
  if (!/^https?:\/\//.test(namespace)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--namespace must be an http(s) URL, got ${namespace}`);
  return { name, namespace };
}

async function newAction(trackingId: string, opts: Opts): Promise<void> {
  const cves = String(opts.cve ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (cves.length === 0) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', '--cve: give at least one CVE id (comma-separated)');
  const tlp = String(opts.tlp ?? 'WHITE').toUpperCase();
  if (!['WHITE', 'GREEN', 'AMBER', 'RED'].includes(tlp)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--tlp: WHITE, GREEN, AMBER or RED, got ${tlp}`);
  const doc = await withKb(opts, (kb) => new AdvisoryService(kb).draft({
    trackingId, title: String(opts.title ?? trackingId), summary: String(opts.summary ?? `Vulnerabilities ${cves.join(', ')}.`),
    cves, publisher: publisherOf(opts), tlp: tlp as Tlp, baseUrl: opts.baseUrl as string | undefined,
  }));
  print(opts.json === true ? JSON.stringify(doc) : `draft ${trackingId} created (version ${doc.document.tracking.version}); publish with \`vigil advisory publish ${trackingId}\``);
}

async function editAction(trackingId: string, opts: Opts): Promise<void> {
  if (opts.title === undefined && opts.summary === undefined) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'nothing to change: give --title and/or --summary');
  const doc = await withKb(opts, (kb) => new AdvisoryService(kb).edit(trackingId, { title: opts.title as string | undefined, summary: opts.summary as string | undefined }, String(opts.message ?? 'Updated.')));
  print(opts.json === true ? JSON.stringify(doc) : `${trackingId} now version ${doc.document.tracking.version} (${doc.document.tracking.status})`);
}

async function publishAction(trackingId: string, opts: Opts): Promise<void> {
  const { doc, validation } = await withKb(opts, (kb) => new AdvisoryService(kb).publish(trackingId));
  if (typeof opts.out === 'string') exportDoc(doc, opts.out);
  print(opts.json === true ? JSON.stringify({ document: doc, warnings: validation.warningCount })
    : `${trackingId} published as version ${doc.document.tracking.version} (strict schema and all mandatory tests pass; ${validation.warningCount} optional warning(s))`);
}

function exportDoc(doc: CsafDocument, dir: string): void {
  const id = doc.document.tracking.id.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_');
  const file = join(dir, `${id}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  writeFileSync(join(dir, `${id}.html`), renderAdvisoryHtml(doc));
}

function formatValidation(file: string, v: CsafValidation): string {
  const lines = [`${file}: ${v.valid ? 'VALID' : 'INVALID'} (${v.errorCount} error(s), ${v.warningCount} warning(s))`];
  for (const t of v.tests) {
    const status = !t.isValid ? 'FAIL' : t.warnings.length || t.infos.length ? 'WARN' : 'ok';
    if (status === 'ok') continue;
    lines.push(`  ${status.padEnd(4)} ${t.group.padEnd(11)} ${t.id}`);
    for (const m of [...t.errors, ...t.warnings, ...t.infos].slice(0, 5)) lines.push(`         ${m.instancePath || '/'}: ${m.message}`);
  }
  return lines.join('\n');
}

async function validateAction(files: string[], opts: Opts): Promise<void> {
  const results = [];
  for (const file of files) {
    let doc: unknown;
    try { doc = JSON.parse(readFileSync(file, 'utf8')); } catch (e) {
      throw new AppError('VIGIL_ERR_BAD_FILE', `${file}: not readable JSON (${(e as Error).message})`);
    }
    const v = await validateCsaf(doc, { optional: true, informative: opts.informative === true });
    results.push({ file, ...v });
    if (opts.json !== true) print(formatValidation(file, v));
  }
  if (opts.json === true) print(JSON.stringify({ excluded: EXCLUDED_TESTS, results }));
  if (results.some((r) => !r.valid)) process.exitCode = 1;
}

async function listAction(opts: Opts): Promise<void> {
  const list = await withKb(opts, (kb) => kb.listAdvisories());
  if (opts.json === true) { print(JSON.stringify(list.map(({ document: _d, ...s }) => s))); return; }
  for (const a of list) print(`${a.trackingId}  v${a.version}  ${a.status.padEnd(7)}  ${a.currentReleaseDate}  ${a.title}`);
}

export function register(program: Command): void {
  const adv = program.command('advisory').description('CSAF 2.0 advisories: new, edit, publish, validate, list');
  const withData = (c: Command): Command => addConfigOptions(c, ['dataDir']);
  withData(adv.command('new <trackingId>').description('create a draft advisory from knowledge-base records')
    .requiredOption('--cve <ids>', 'comma-separated CVE ids (must be in the knowledge base)')
    .option('--title <text>').option('--summary <text>').option('--tlp <label>', 'WHITE, GREEN, AMBER or RED', 'WHITE')
    .option('--publisher <name>', 'publisher name', 'Vigil').option('--namespace <url>', 'publisher namespace URL')
    .option('--base-url <url>', 'public URL of the node serving /.well-known/csaf').option('--json')
    .action((id: string, opts: Opts) => newAction(id, opts)));
  withData(adv.command('edit <trackingId>').description('change title or summary; a published advisory gets a new version')
    .option('--title <text>').option('--summary <text>').option('-m, --message <text>', 'revision history summary').option('--json')
    .action((id: string, opts: Opts) => editAction(id, opts)));
  withData(adv.command('publish <trackingId>').description('publish (refused unless strict schema and all mandatory tests pass)')
    .option('--out <dir>', 'also write the JSON and HTML there').option('--json')
    .action((id: string, opts: Opts) => publishAction(id, opts)));
  adv.command('validate <files...>').description('validate any CSAF 2.0 document: strict schema, mandatory, optional (warnings)')
    .option('--informative', 'also run the informative tests (except those needing network or hunspell)').option('--json', 'results as JSON')
    .action((files: string[], opts: Opts) => validateAction(files, opts));
  withData(adv.command('list').description('our advisories').option('--json').action((opts: Opts) => listAction(opts)));
}
