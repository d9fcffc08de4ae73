// The one entry for inventory files: size check, format (given or sniffed from the first bytes), and
// the importer for it. A file is parsed completely before anything is stored, so a bad file is
// refused with its path and position and leaves nothing behind.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { AppError } from '../../core/errors.js';
import type { AssetObservation } from '../asset-observation.js';
import type { ImportLimits } from '../exposure-limits.js';
import { parseCsvInventory } from './csv-inventory.js';
import { parseMasscanJson, parseMasscanList } from './masscan.js';
import { parseNaabu } from './naabu.js';
import { parseNmapXml } from './nmap-xml.js';
import { parseOsquery } from './osquery.js';

export const IMPORT_FORMATS = ['nmap', 'masscan-json', 'masscan-list', 'naabu', 'osquery', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportFileOptions {
  readonly format?: ImportFormat;
  /** The host osqueryi rows describe (they do not say themselves). */
  readonly host?: string;
  readonly now: number;
}

/** Tell the format from the first bytes of a file. */
export function sniffFormat(head: string, file: string): ImportFormat {
  const t = head.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('<')) return 'nmap';
  if (t.startsWith('#masscan') || /^(open|banner) (tcp|udp|sctp) \d+ /.test(t)) return 'masscan-list';
  if (t.startsWith('[')) return /"ports"\s*:/.test(t) && /"ip"\s*:/.test(t) ? 'masscan-json' : 'osquery';
  if (t.startsWith('{')) return /"(hostIdentifier|snapshot|columns|diffResults)"\s*:/.test(t.split('\n')[0] ?? '') ? 'osquery' : 'naabu';
  const header = (t.split('\n')[0] ?? '').toLowerCase();
  if (header.includes(',') && /\b(address|ip|hostname|host|mac)\b/.test(header)) return 'csv';
  throw new AppError('VIGIL_ERR_BAD_FILE', `${file}: cannot tell the format (pass --format ${IMPORT_FORMATS.join('|')})`);
}

export async function importFile(file: string, limits: ImportLimits, opts: ImportFileOptions): Promise<{ format: ImportFormat; observations: AssetObservation[] }> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new AppError('VIGIL_ERR_BAD_FILE', `${file}: not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('VIGIL_ERR_BAD_FILE', `${file}: cannot read: ${(e as Error).message}`);
  }
  if (size > limits.maxFileBytes) throw new AppError('VIGIL_ERR_LIMIT', `${file}: ${size} bytes exceeds maxFileBytes (${limits.maxFileBytes})`);
  const head = await readHead(file);
  const format = opts.format ?? sniffFormat(head, file);
  // Whole-document JSON (a masscan -oJ or osqueryi array) is parsed in memory: bounded more tightly.
  const wholeJson = format === 'masscan-json' || (format === 'osquery' && head.trimStart().startsWith('['));
  if (wholeJson && size > limits.maxJsonDocumentBytes) {
    throw new AppError('VIGIL_ERR_LIMIT', `${file}: ${size} bytes of ${format} JSON exceeds maxJsonDocumentBytes (${limits.maxJsonDocumentBytes})`);
  }
  const chunks = (): AsyncIterable<string> => readChunks(file, limits.maxFileBytes);
  switch (format) {
    case 'nmap':
      return { format, observations: await parseNmapXml(chunks(), file, limits, opts.now) };
    case 'masscan-json': {
      let text = '';
      for await (const c of chunks()) text += c;
      return { format, observations: parseMasscanJson(text, file, limits, opts.now) };
    }
    case 'masscan-list':
      return { format, observations: await parseMasscanList(chunks(), file, limits, opts.now) };
    case 'naabu':
      return { format, observations: await parseNaabu(chunks(), file, limits, opts.now) };
    case 'osquery':
      return { format, observations: await parseOsquery(chunks(), file, limits, opts.now, opts.host !== undefined ? { host: opts.host } : {}) };
    case 'csv':
      return { format, observations: await parseCsvInventory(chunks(), file, limits, opts.now) };
  }
}

async function readHead(file: string): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** UTF-8 text chunks of a file, stopping at `max` bytes even if it grew since stat. */
async function* readChunks(file: string, max: number): AsyncGenerator<string> {
  let total = 0;
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const b of stream as AsyncIterable<Buffer>) {
      total += b.length;
      if (total > max) throw new AppError('VIGIL_ERR_LIMIT', `${file}: grew past maxFileBytes (${max}) while being read`);
      yield decodeChunk(decoder, b, file, total - b.length);
    }
    const tail = decodeChunk(decoder, undefined, file, total);
    if (tail !== '') yield tail;
  } finally {
    stream.destroy();
  }
}

function decodeChunk(d: InstanceType<typeof TextDecoder>, b: Buffer | undefined, file: string, offset: number): string {
  try {
    return b ? d.decode(b, { stream: true }) : d.decode();
  } catch {
    throw new AppError('VIGIL_ERR_BAD_FILE', `${file}: not UTF-8 text (near byte ${offset})`);
  }
}
