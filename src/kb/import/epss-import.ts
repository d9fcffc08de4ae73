// FIRST EPSS daily scores (epss_scores-YYYY-MM-DD.csv[.gz]) -> "epss" fragments, streamed through gunzip
// and csv-parse. Format per https://www.first.org/epss/data_stats: a "#model_version:...,score_date:..."
// comment line, then the header "cve,epss,percentile".

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import type { KbFragment } from '../../model/kb-records.js';
import { CVE_ID, ImportError } from './import-errors.js';
import { makeFragment } from './fragment-hash.js';

export interface EpssHeader {
  model?: string;
  scoreDate?: string;
}

/** Takes the leading "#..." line off the stream and parses it into `header`. */
class ModelLine extends Transform {
  private buf = '';
  private done = false;
  constructor(private readonly header: EpssHeader) { super(); }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.done) { cb(null, chunk); return; }
    this.buf += chunk.toString('utf8');
    const nl = this.buf.indexOf('\n');
    if (nl < 0 && this.buf.length < 4096) { cb(); return; }
    this.done = true;
    const first = nl < 0 ? this.buf : this.buf.slice(0, nl);
    if (!first.startsWith('#')) { cb(null, this.buf); return; }
    for (const kv of first.slice(1).trim().split(',')) {
      const i = kv.indexOf(':');
      if (kv.slice(0, i) === 'model_version') this.header.model = kv.slice(i + 1);
      if (kv.slice(0, i) === 'score_date') this.header.scoreDate = kv.slice(i + 1);
    }
    cb(null, this.buf.slice(nl + 1));
  }
  override _flush(cb: TransformCallback): void {
    cb(null, this.done ? undefined : this.buf);
  }
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally { await fh.close(); }
}

/** Streams EPSS rows in batches of `batchSize` fragments. The score date comes from the model line,
 * else from `fallbackDate` (e.g. the file name's date). */
export async function streamEpss(
  file: string,
  batchSize: number,
  onBatch: (batch: KbFragment[]) => Promise<void>,
  fallbackDate?: string,
): Promise<{ rows: number; header: EpssHeader }> {
  const header: EpssHeader = {};
  const gunzip = (await isGzip(file)) ? createGunzip() : undefined;
  const stages = [createReadStream(file), ...(gunzip ? [gunzip] : []), new ModelLine(header), parse({ columns: true, skip_empty_lines: true, trim: true })];
  // pipeline, not pipe: a damaged gzip or a read error must reach the loop below as a rejection of this
  // file; with pipe it is an 'error' event nobody listens to, and the whole process dies.
  const rows = pipeline(stages, () => { /* the error, if any, also ends the iteration below */ }) as unknown as Readable;
  let batch: KbFragment[] = [];
  let n = 0;
  try {
    for await (const row of rows as AsyncIterable<Record<string, string>>) {
      n++;
      const line = n + (header.model ? 2 : 1);
      const cve = row.cve;
      const score = Number(row.epss);
      const percentile = Number(row.percentile);
      if (!cve || !CVE_ID.test(cve)) throw new ImportError(file, `line ${line}`, 'a CVE id in column "cve"', cve);
      if (!(score >= 0 && score <= 1)) throw new ImportError(file, `line ${line}`, 'an "epss" probability in [0, 1]', row.epss);
      if (!(percentile >= 0 && percentile <= 1)) throw new ImportError(file, `line ${line}`, 'a "percentile" in [0, 1]', row.percentile);
      const date = (header.scoreDate ?? fallbackDate ?? '').slice(0, 10);
      batch.push(makeFragment(cve, 'epss', { epss: { score, percentile, date, model: header.model } }));
      if (batch.length >= batchSize) { await onBatch(batch); batch = []; }
    }
  } catch (e) {
    if (e instanceof ImportError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    // csv-parse reads ahead of this loop and knows the line it failed on (not counting the model line).
    const csvLine = (e as { lines?: unknown }).lines;
    const at = typeof csvLine === 'number' ? csvLine : n + 2; // else: the column header, the rows read, the next
    const line = `line ${at + (header.model ? 1 : 0)}`;
    // zlib errors carry an errno; bytesWritten is how far into the compressed file gunzip had read.
    if (gunzip && typeof (e as { errno?: unknown }).errno === 'number' && (e as { code?: string }).code?.startsWith('Z_')) {
      throw new ImportError(file, line, `an intact gzip stream (${msg} at compressed byte ${gunzip.bytesWritten})`);
    }
    throw new ImportError(file, line, `a well-formed EPSS CSV (${msg})`);
  }
  if (batch.length) await onBatch(batch);
  return { rows: n, header };
}
