// Streaming line reader over a file with line numbers and byte progress; no whole-file reads, so a
// multi-gigabyte Zeek or Suricata log costs one buffer of memory.

import { createReadStream, statSync } from 'node:fs';
import { AppError } from '../core/errors.js';

export interface Line {
  readonly text: string;
  readonly no: number;
}

const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

/** Yield the lines of `path` (without the newline, CR stripped), numbered from 1. */
export async function* readLines(path: string, onProgress?: (read: number, total: number) => void): AsyncGenerator<Line> {
  let total: number;
  try {
    total = statSync(path).size;
  } catch (e) {
    throw new AppError('VIGIL_ERR_BAD_FILE', `${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path }, { cause: e });
  }
  let rest = '';
  let no = 0;
  let read = 0;
  let nextReport = PROGRESS_EVERY_BYTES;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const s = rest + (chunk as string);
    read += (chunk as string).length;
    let start = 0;
    for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', start)) {
      const end = nl > start && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { text: s.slice(start, end), no: ++no };
      start = nl + 1;
    }
    rest = s.slice(start);
    if (onProgress && read >= nextReport) {
      onProgress(Math.min(read, total), total);
      nextReport = read + PROGRESS_EVERY_BYTES;
    }
  }
  if (rest.length > 0) yield { text: rest.endsWith('\r') ? rest.slice(0, -1) : rest, no: ++no };
  onProgress?.(total, total);
}
