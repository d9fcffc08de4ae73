// The one entry for offline inputs: sniffs a file's format (pcap/pcapng by their magic numbers, logs by
// their first line) and reads it as the events a sensor emits, whatever the format.

import { closeSync, openSync, readSync } from 'node:fs';
import { AppError } from '../core/errors.js';
import type { VigilEvent } from '../model/event.js';
import { captureEvents, type CaptureEventOptions } from './capture/capture-events.js';
import type { IngestOptions, IngestStats } from './ingest-types.js';
import { readConnBatches, type ConnReadStats } from './conn-batch-reader.js';
import { eachConnRecord } from './conn-batch.js';
import { readLogEvents, sniffLogFormat, type LogFormat } from './log-ingest.js';
import type { ConnRecordHandler } from './zeek-conn-scanner.js';

export type InputFormat = 'pcap' | 'pcapng' | LogFormat;

/** First four bytes of a pcap file (either byte order, micro- or nanosecond) and of a pcapng section header block. */
const CAPTURE_MAGICS = new Map<string, InputFormat>([
  ['a1b2c3d4', 'pcap'], ['d4c3b2a1', 'pcap'], ['a1b23c4d', 'pcap'], ['4d3cb2a1', 'pcap'], ['0a0d0d0a', 'pcapng'],
]);
/** How much of a file the sniffer reads: a log's first line must fit in it. */
const HEAD_BYTES = 4096;

/** The format of the file at `path`, or undefined when it is none we read; throws VIGIL_ERR_BAD_FILE when it cannot be read. */
export function detectInputFormat(path: string): InputFormat | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new AppError('VIGIL_ERR_BAD_FILE', `${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path }, { cause: e });
  }
  const head = Buffer.alloc(HEAD_BYTES);
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } catch (e) {
    throw new AppError('VIGIL_ERR_BAD_FILE', `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path }, { cause: e });
  } finally {
    closeSync(fd);
  }
  if (n >= 4) {
    const capture = CAPTURE_MAGICS.get(head.toString('hex', 0, 4));
    if (capture !== undefined) return capture;
  }
  const first = head.toString('latin1', 0, n).split('\n').find((l) => l.replace(/\r$/, '').length > 0);
  return first === undefined ? undefined : sniffLogFormat(first.replace(/\r$/, ''));
}

export interface ReadEventsOptions extends IngestOptions, CaptureEventOptions {}

/**
 * Stream the events of one file of any supported format; `stats` is filled in as it goes. `format`:
 * what detectInputFormat() said, when the caller asked already. A log whose format is not known
 * from its first 4 KiB is sniffed again by its reader, which reports the problem with its line.
 */
export async function* readEvents(path: string, stats: IngestStats, opts: ReadEventsOptions = {}, format = detectInputFormat(path)): AsyncGenerator<VigilEvent> {
  if (format === 'pcap' || format === 'pcapng') {
    // a capture is decoded whole (its events come out of order, sorted at the end)
    const c = captureEvents(path, opts);
    Object.assign(stats, { format: c.stats.format, records: c.stats.records, events: c.stats.events });
    yield* c.events;
    return;
  }
  yield* readLogEvents(path, stats, opts, format);
}

/** Where feedFile() delivers a file: every event, and Zeek TSV conn.log records on their own road
 * when the receiver takes them that way. */
export interface EventReceiver {
  event(ev: VigilEvent): void;
  /** A conn.log record as scalars, parsed on a reader thread with no event object built (the same
   * records, bad lines and verdicts as `event`: test/cli/replay-conn-fast.test.ts). */
  readonly conn?: ConnRecordHandler;
}

export interface FeedOptions extends ReadEventsOptions {
  /** false: a Zeek TSV conn.log goes through the general reader too (tests compare the two). */
  readonly fastConn?: boolean;
}

/**
 * Deliver one file of any supported format to `to`; returns its totals. The one entry for replaying
 * files: this, not the caller, chooses the reader (a Zeek TSV conn.log, the largest input by far,
 * takes the threaded scanner when the receiver has a `conn` handler).
 */
export async function feedFile(path: string, to: EventReceiver, opts: FeedOptions = {}): Promise<IngestStats> {
  const format = detectInputFormat(path);
  if (format === 'zeek-tsv' && to.conn !== undefined && opts.fastConn !== false) {
    const cs: ConnReadStats = { records: 0, bad: 0, skipped: 0 };
    const ro = { ...(opts.onProblem ? { onProblem: opts.onProblem } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) };
    for await (const b of readConnBatches(path, cs, ro)) eachConnRecord(b.view, b.message, to.conn);
    return { file: path, format: 'zeek-tsv', records: cs.records, events: cs.records - cs.bad - cs.skipped, bad: cs.bad, skipped: cs.skipped };
  }
  const stats: IngestStats = { file: path, format: format ?? '?', records: 0, events: 0, bad: 0, skipped: 0 };
  for await (const ev of readEvents(path, stats, opts, format)) to.event(ev);
  return stats;
}
