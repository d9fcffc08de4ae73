// Reads a log file (Zeek conn.log TSV/JSON, Suricata EVE, Vigil event lines) as a stream of events:
// the format from the first line, good, bad and skipped records counted, each bad one reported with
// file and line. read-events.ts is the entry that also takes captures.

import { AppError } from '../core/errors.js';
import type { VigilEvent } from '../model/event.js';
import { parseEventLine } from './event-jsonl-reader.js';
import { isLineError, type IngestOptions, type IngestStats, type LineResult } from './ingest-types.js';
import { readLines } from './line-source.js';
import { parseEveLine } from './suricata-eve-reader.js';
import { applyTsvHeader, newTsvHeader, parseJsonConnLine, parseTsvConnLine } from './zeek-conn-reader.js';

export type LogFormat = 'zeek-tsv' | 'zeek-json' | 'eve' | 'events';

/** Decide the format from the first non-empty line. */
export function sniffLogFormat(firstLine: string): LogFormat | undefined {
  if (firstLine.startsWith('#separator') || firstLine.startsWith('#fields')) return 'zeek-tsv';
  if (!firstLine.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(firstLine) as Record<string, unknown>;
    if ('event_type' in o) return 'eve';
    if ('id.orig_h' in o) return 'zeek-json';
    if ('type' in o && 'src' in o) return 'events';
  } catch {
    return undefined;
  }
  return undefined;
}

/** Stream the events of one log file; `stats` is filled in as it goes. */
export async function* readLogEvents(path: string, stats: IngestStats | undefined, opts: IngestOptions = {}, format?: LogFormat): AsyncGenerator<VigilEvent> {
  const st: IngestStats = stats ?? { file: path, format: format ?? '?', records: 0, events: 0, bad: 0, skipped: 0 };
  let fmt = format;
  const tsv = newTsvHeader();
  for await (const { text, no } of readLines(path, opts.onProgress)) {
    if (text.length === 0) continue;
    if (fmt === undefined) {
      fmt = sniffLogFormat(text);
      if (fmt === undefined) throw new AppError('VIGIL_ERR_BAD_FILE', `${path}:${no}: not a Zeek conn.log, Suricata EVE or Vigil events file`, { path, line: no });
      (st as { format: string }).format = fmt;
    }
    let r: LineResult;
    if (text.charCodeAt(0) === 35 /* # */ && fmt === 'zeek-tsv') {
      const problem = applyTsvHeader(tsv, text);
      if (problem === undefined) continue;
      r = { error: problem };
    } else {
      st.records++;
      r = fmt === 'zeek-tsv' ? parseTsvConnLine(tsv, text) : fmt === 'zeek-json' ? parseJsonConnLine(text) : fmt === 'eve' ? parseEveLine(text) : parseEventLine(text);
    }
    if (isLineError(r)) {
      st.bad++;
      opts.onProblem?.({ file: path, line: no, message: r.error });
    } else if (r === undefined) st.skipped++;
    else {
      st.events++;
      yield r;
    }
  }
}
