// Imports knowledge-base files into a KbStorePort: detects the format (CVE JSON 5, NVD API 2.0 page or
// cve object, CISA KEV, CSAF 2.0, EPSS CSV), streams big inputs, applies fragments in transactions
// (a whole file or a batch of tree files at once, so nothing partial is kept) and reports progress.

import { readFile, stat, open } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, basename } from 'node:path';
import type { ApplyStats, EpssPoint, KbFragment } from '../../model/kb-records.js';
import type { KbStorePort } from '../kb-store-port.js';
import { mergeForStore } from '../merge-record.js';
import { Checker, ImportError, ptr } from './import-errors.js';
import { normalizeCve5 } from './cve5-normalize.js';
import { normalizeNvdCve } from './nvd-normalize.js';
import { normalizeKevEntry } from './kev-import.js';
import { normalizeCsaf } from './csaf-normalize.js';
import { validateCsaf } from '../csaf/csaf-validator.js';
import { streamEpss } from './epss-import.js';
import { streamTopLevelArray } from './json-stream.js';
import { sha1hex } from './fragment-hash.js';

export type KbFormat = 'cve5' | 'nvd-page' | 'nvd-cve' | 'kev' | 'csaf' | 'epss';

/** Files up to this size are parsed whole (CVE records, CSAF documents); larger ones must be a
 * streamable format (NVD page, KEV catalog, EPSS). Named so the bound is visible and testable. */
export const WHOLE_FILE_LIMIT = 8 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;

export interface ImportProgress {
  readonly file: string;
  readonly format?: KbFormat;
  readonly records: number;
  readonly filesDone: number;
}

export interface ImportReport {
  files: number;
  records: number;
  inserted: number;
  updated: number;
  unchanged: number;
  byFormat: Partial<Record<KbFormat, number>>;
  rejected: { file: string; message: string; pointer?: string; expected?: string }[];
}

export interface ImporterOptions {
  /** Records per transaction when importing a tree of CVE files. */
  readonly batchSize?: number;
  readonly onProgress?: (p: ImportProgress) => void;
  /** Override of WHOLE_FILE_LIMIT (tests use a small one to exercise the streaming path). */
  readonly wholeFileLimit?: number;
}

/** Transactions are what the importer needs beyond the port: one file, all or nothing. */
export interface KbImportStore extends KbStorePort {
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Optional: raw-input hashes already imported (hash -> fragment count), so re-imports skip parsing. */
  knownInputs?(hashes: readonly string[]): Promise<Map<string, number>>;
  rememberInputs?(inputs: readonly { hash: string; vulnId: string; fragments: number }[]): Promise<void>;
  /** Optional: keep every EPSS day, not just the latest score on the record. */
  appendEpssHistory?(points: readonly (EpssPoint & { vulnId: string })[]): Promise<void>;
}

/** Classifies a parsed JSON document by its distinguishing top-level members. */
export function classifyDocument(doc: unknown): KbFormat | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const o = doc as Record<string, unknown>;
  if (o.dataType === 'CVE_RECORD') return 'cve5';
  if (typeof o.catalogVersion === 'string' && Array.isArray(o.vulnerabilities)) return 'kev';
  if (Array.isArray(o.vulnerabilities) && ('resultsPerPage' in o || o.format === 'NVD_CVE')) return 'nvd-page';
  if (typeof o.id === 'string' && 'sourceIdentifier' in o && 'published' in o) return 'nvd-cve';
  const d = o.document as Record<string, unknown> | undefined;
  if (d && typeof d === 'object' && 'csaf_version' in d) return 'csaf';
  return undefined;
}

/** For a file too big to parse whole: the streamable formats announce themselves near the top. */
function classifyHead(head: string): KbFormat | undefined {
  if (/"catalogVersion"\s*:/.test(head) && /"vulnerabilities"\s*:/.test(head)) return 'kev';
  if (/"resultsPerPage"\s*:|"format"\s*:\s*"NVD_CVE"/.test(head)) return 'nvd-page';
  return undefined;
}

const EXPECTED_FORMAT = 'a CVE JSON 5 record, an NVD CVE API 2.0 page or cve object, the CISA KEV catalog, a CSAF 2.0 document or an EPSS CSV';

/** A CSAF document enters the KB only if it passes the strict schema and every mandatory test (the
 * ones that make a document invalid); the first failure becomes the error with its JSON pointer. */
export async function assertCsafValid(doc: unknown, file: string): Promise<void> {
  const v = await validateCsaf(doc, { optional: false });
  if (v.valid) return;
  const t = v.tests.find((x) => !x.isValid);
  const e = t?.errors[0];
  throw new ImportError(file, e?.instancePath ?? '', `a valid CSAF 2.0 document (${t?.id === 'schema' ? 'strict schema' : `mandatory test ${t?.id}`}: ${e?.message ?? 'failed'})`);
}

async function readHead(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(b, 0, HEAD_BYTES, 0);
    return b.subarray(0, bytesRead);
  } finally { await fh.close(); }
}

const add = (r: ImportReport, s: ApplyStats): void => { r.inserted += s.inserted; r.updated += s.updated; r.unchanged += s.unchanged; };

export class KbImporter {
  private readonly batchSize: number;
  private readonly wholeLimit: number;
  constructor(private readonly store: KbImportStore, private readonly opts: ImporterOptions = {}) {
    this.batchSize = opts.batchSize ?? 1000;
    this.wholeLimit = opts.wholeFileLimit ?? WHOLE_FILE_LIMIT;
  }

  static emptyReport(): ImportReport {
    return { files: 0, records: 0, inserted: 0, updated: 0, unchanged: 0, byFormat: {}, rejected: [] };
  }

  /** A file or a directory tree (e.g. a cvelistV5 checkout). Rejected files are listed, not thrown. */
  async importPath(path: string): Promise<ImportReport> {
    const report = KbImporter.emptyReport();
    if ((await stat(path)).isDirectory()) await this.importTree(path, report);
    else await this.importOne(path, report);
    return report;
  }

  private reject(report: ImportReport, file: string, e: unknown): void {
    if (e instanceof ImportError) report.rejected.push({ file, message: e.message, pointer: e.pointer, expected: e.expected });
    else report.rejected.push({ file, message: e instanceof Error ? e.message : String(e) });
  }

  private async importOne(file: string, report: ImportReport): Promise<void> {
    // Counted apart and added only once the transaction committed: a rolled-back file adds nothing.
    const part = KbImporter.emptyReport();
    try {
      const format = await this.store.transaction(() => this.importFile(file, part));
      add(report, part);
      report.records += part.records;
      report.files++;
      report.byFormat[format] = (report.byFormat[format] ?? 0) + part.records;
      this.opts.onProgress?.({ file, format, records: report.records, filesDone: report.files });
    } catch (e) {
      this.reject(report, file, e);
    }
  }

  /** One file inside the caller's transaction; returns its format. */
  private async importFile(file: string, report: ImportReport): Promise<KbFormat> {
    const head = await readHead(file);
    const size = (await stat(file)).size;
    const c = new Checker(file);
    const apply = async (frags: KbFragment[], records: number): Promise<void> => {
      add(report, await this.store.applyFragments(frags, mergeForStore));
      report.records += records;
    };
    const text = head.subarray(0, 64).toString('latin1');
    if ((head[0] === 0x1f && head[1] === 0x8b) || /^(#model_version|cve,epss)/.test(text)) {
      const date = /(\d{4}-\d{2}-\d{2})/.exec(basename(file))?.[1];
      await streamEpss(file, this.batchSize, async (b) => {
        await apply(b, b.length);
        await this.store.appendEpssHistory?.(b.map((f) => ({ vulnId: f.vulnId, ...(f.data.epss as EpssPoint) })));
      }, date);
      return 'epss';
    }
    if (size > this.wholeLimit) return this.importStreamed(file, head.toString('utf8'), c, apply);
    let doc: unknown;
    try { doc = JSON.parse(await readFile(file, 'utf8')); } catch (e) {
      throw new ImportError(file, '', `well-formed JSON (${(e as Error).message})`);
    }
    const format = classifyDocument(doc);
    const o = doc as Record<string, unknown>;
    switch (format) {
      case 'cve5': await apply(normalizeCve5(doc, c), 1); break;
      case 'nvd-cve': await apply([normalizeNvdCve(doc, c)], 1); break;
      case 'csaf': { await assertCsafValid(doc, file); const f = normalizeCsaf(doc, c); await apply(f, f.length); break; }
      case 'kev': {
        const f = (o.vulnerabilities as unknown[]).map((v, i) => normalizeKevEntry(v, c, ptr('vulnerabilities', i)));
        await apply(f, f.length);
        break;
      }
      case 'nvd-page': {
        const f = (o.vulnerabilities as unknown[]).map((v, i) => normalizeNvdCve(c.obj(v, ptr('vulnerabilities', i)).cve, c, ptr('vulnerabilities', i, 'cve')));
        await apply(f, f.length);
        break;
      }
      default: throw new ImportError(file, '', EXPECTED_FORMAT);
    }
    return format;
  }

  private async importStreamed(file: string, head: string, c: Checker, apply: (f: KbFragment[], n: number) => Promise<void>): Promise<KbFormat> {
    const format = classifyHead(head);
    if (!format) throw new ImportError(file, '', `${EXPECTED_FORMAT} (files over ${this.wholeLimit} bytes must be an NVD page or the KEV catalog)`);
    let batch: KbFragment[] = [];
    await streamTopLevelArray(file, 'vulnerabilities', async ({ index, value }) => {
      const p = ptr('vulnerabilities', index);
      batch.push(format === 'kev' ? normalizeKevEntry(value, c, p) : normalizeNvdCve(c.obj(value, p).cve, c, p + ptr('cve')));
      if (batch.length >= this.batchSize) { const b = batch; batch = []; await apply(b, b.length); }
    });
    if (batch.length) await apply(batch, batch.length);
    return format;
  }

  /** Walks a tree in name order. CVE records are batched `batchSize` per transaction (files read
   * synchronously: one thread-pool round trip per small file costs more than the read); a file whose
   * raw bytes were imported before is counted unchanged without parsing. Any other file is imported on
   * its own. A bad file is rejected whole and the walk goes on. */
  private async importTree(root: string, report: ImportReport): Promise<void> {
    let pending: { file: string; text: string; hash: string }[] = [];
    for (const file of walk(root)) {
      if (!/\.(json|csv|gz)$/i.test(file)) continue;
      if (!file.endsWith('.json') || statSync(file).size > this.wholeLimit) { await this.importOne(file, report); continue; }
      const text = readFileSync(file, 'utf8');
      pending.push({ file, text, hash: sha1hex(text) });
      if (pending.length >= this.batchSize) { await this.flushTree(root, pending, report); pending = []; }
    }
    await this.flushTree(root, pending, report);
  }

  private async flushTree(root: string, pending: readonly { file: string; text: string; hash: string }[], report: ImportReport): Promise<void> {
    if (!pending.length) return;
    const known = (await this.store.knownInputs?.(pending.map((p) => p.hash))) ?? new Map<string, number>();
    const fragments: KbFragment[] = [];
    const inputs: { hash: string; vulnId: string; fragments: number }[] = [];
    let records = 0;
    for (const p of pending) {
      const seen = known.get(p.hash);
      if (seen !== undefined) { report.unchanged += seen; records++; continue; }
      let doc: unknown;
      try { doc = JSON.parse(p.text); } catch (e) {
        this.reject(report, p.file, new ImportError(p.file, '', `well-formed JSON (${(e as Error).message})`));
        continue;
      }
      if (classifyDocument(doc) !== 'cve5') { await this.importOne(p.file, report); continue; }
      try {
        const f = normalizeCve5(doc, new Checker(p.file));
        fragments.push(...f);
        inputs.push({ hash: p.hash, vulnId: f[0].vulnId, fragments: f.length });
        records++;
      } catch (e) { this.reject(report, p.file, e); }
    }
    if (fragments.length) {
      add(report, await this.store.transaction(async () => {
        const s = await this.store.applyFragments(fragments, mergeForStore);
        await this.store.rememberInputs?.(inputs);
        return s;
      }));
    }
    report.records += records;
    report.files += records;
    report.byFormat.cve5 = (report.byFormat.cve5 ?? 0) + records;
    this.opts.onProgress?.({ file: root, format: 'cve5', records: report.records, filesDone: report.files });
  }
}

function* walk(dir: string): Generator<string> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}
