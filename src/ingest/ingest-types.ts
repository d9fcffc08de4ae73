// Shared shapes of the log readers: a bad record is reported with file and line and skipped, the
// good ones are kept (Zeek and Suricata logs are long; one torn line must not lose the rest).

import type { VigilEvent } from '../model/event.js';

export interface IngestProblem {
  readonly file: string;
  /** 1-based line number (or record number for binary formats). */
  readonly line: number;
  readonly message: string;
}

export interface IngestStats {
  readonly file: string;
  readonly format: string;
  /** Records read (data lines; headers and comments excluded). */
  records: number;
  events: number;
  /** Records rejected as malformed. */
  bad: number;
  /** Records understood but not turned into an event (other event types, non-TCP/UDP). */
  skipped: number;
}

export interface IngestOptions {
  /** Called for each bad record; the reader goes on. */
  readonly onProblem?: (p: IngestProblem) => void;
  /** Called now and then with bytes read so far and the file size (for a progress bar). */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** A line parser: an event, nothing (skipped), or a message (bad record). */
export type LineResult = VigilEvent | undefined | { readonly error: string };

export function isLineError(r: LineResult): r is { readonly error: string } {
  return r !== undefined && 'error' in r;
}
