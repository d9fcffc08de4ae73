// Fast path for Zeek conn.log TSV: a synchronous chunk scanner that hands the detectors the five
// values they need per record without building an event object or a string per line (bench path).

import { applyTsvHeader, CONN_COLUMNS, connStateOutcome, newTsvHeader, type ZeekTsvHeader } from './zeek-conn-reader.js';

export type Outcome = 'success' | 'failure' | 'unknown';
export type ConnRecordHandler = (ts: number, src: string, dst: string, dport: number, outcome: Outcome) => void;

/**
 * Feed text chunks in order; complete lines are scanned in place (indexOf on the chunk, slices only
 * for the two addresses), a partial last line is carried over. The columns come from #fields, as in
 * the general reader (zeek-conn-reader.ts), whose rules for bad records and conn_state it shares.
 */
export class ConnTsvScanner {
  private readonly h: ZeekTsvHeader = newTsvHeader();
  private rest = '';
  private lineNo = 0;
  private cols: number[] = [];
  private maxCol = 0;
  records = 0;
  bad = 0;
  skipped = 0;

  constructor(
    private readonly onRecord: ConnRecordHandler,
    private readonly onProblem?: (line: number, message: string) => void,
  ) {}

  push(chunk: string): void {
    const s = this.rest.length ? this.rest + chunk : chunk;
    let start = 0;
    for (let nl = s.indexOf('\n', start); nl >= 0; nl = s.indexOf('\n', start)) {
      this.line(s, start, nl > start && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      start = nl + 1;
    }
    this.rest = s.slice(start);
  }

  end(): void {
    if (this.rest.length) this.line(this.rest, 0, this.rest.length);
    this.rest = '';
  }

  private line(s: string, start: number, end: number): void {
    this.lineNo++;
    if (end === start) return;
    if (s.charCodeAt(start) === 35 /* # */) return this.header(s.slice(start, end));
    this.records++;
    if (!this.h.hasFields) return this.problem('data line before the #fields header');
    // Tab positions up to the last column we need.
    const sep = this.h.separator;
    const bounds = this.bounds;
    let at = start;
    for (let c = 0; c <= this.maxCol; c++) {
      const t = s.indexOf(sep, at);
      const stop = t < 0 || t > end ? end : t;
      bounds[c * 2] = at;
      bounds[c * 2 + 1] = stop;
      if (stop === end && c < this.maxCol) return this.problem(`${c + 1} field(s), the #fields header needs ${this.maxCol + 1}`);
      at = stop + 1;
    }
    this.record(s);
  }

  private readonly bounds = new Int32Array(64);

  private field(s: string, col: number): string {
    const i = this.cols[col]!;
    return i < 0 ? '-' : s.slice(this.bounds[i * 2], this.bounds[i * 2 + 1]);
  }

  private record(s: string): void {
    const b = this.bounds;
    const c = this.cols;
    const ts = c[0]! < 0 ? NaN : parseDecimal(s, b[c[0]! * 2]!, b[c[0]! * 2 + 1]!) * 1000;
    const dport = c[5]! < 0 ? NaN : parseDecimal(s, b[c[5]! * 2]!, b[c[5]! * 2 + 1]!);
    const src = this.field(s, 2);
    const dst = this.field(s, 4);
    if (!Number.isFinite(ts) || !Number.isInteger(dport) || dport < 0 || dport > 65535 || src === '-' || dst === '-') {
      return this.problem(`bad ts, address or id.resp_p`);
    }
    const p = c[6]! < 0 ? -1 : b[c[6]! * 2]!;
    // proto compared in place: `tcp` / `udp` (or unset) go on, icmp and others are skipped.
    if (p >= 0 && !(b[c[6]! * 2 + 1]! - p === 3 && s.charCodeAt(p + 1) === 0x63 + (s.charCodeAt(p) === 0x75 ? 1 : 0)) && s.charCodeAt(p) !== 0x2d) {
      this.skipped++;
      return;
    }
    this.onRecord(ts, src, dst, dport, this.outcome(s));
  }

  /** The two states of nearly every record (S0 dark, SF complete) are read in place; the rest via the table. */
  private outcome(s: string): Outcome {
    const i = this.cols[9]!;
    if (i < 0) return 'unknown';
    const at = this.bounds[i * 2]!;
    const len = this.bounds[i * 2 + 1]! - at;
    if (len === 2 && s.charCodeAt(at) === 0x53) {
      const second = s.charCodeAt(at + 1);
      if (second === 0x30) return 'failure'; // S0
      if (second === 0x46) return 'success'; // SF
    }
    const state = this.field(s, 9);
    return connStateOutcome(state === '-' ? undefined : state, Number(this.field(s, 7)) || 0, Number(this.field(s, 8)) || 0);
  }

  private header(text: string): void {
    const problem = applyTsvHeader(this.h, text);
    if (problem) return this.problem(problem);
    if (text.startsWith('#fields')) {
      this.cols = CONN_COLUMNS.map((c) => this.h.index[c]);
      this.maxCol = Math.max(...this.cols);
      if (this.maxCol >= 32) this.problem('#fields: the columns needed must be among the first 32');
    }
  }

  private problem(message: string): void {
    this.bad++;
    this.onProblem?.(this.lineNo, message);
  }
}

/** A non-negative decimal (digits with at most one dot) read in place; NaN for anything else. */
function parseDecimal(s: string, start: number, end: number): number {
  let int = 0;
  let frac = 0;
  let scale = 1;
  let dot = false;
  if (start >= end) return NaN;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d >= 0 && d <= 9) {
      if (dot) {
        frac = frac * 10 + d;
        scale *= 10;
      } else int = int * 10 + d;
    } else if (d === -2 && !dot) dot = true;
    else return NaN;
  }
  return int + frac / scale;
}
