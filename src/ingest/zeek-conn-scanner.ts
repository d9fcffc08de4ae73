// Fast path for Zeek conn.log TSV: a synchronous byte scanner that hands the detectors the five
// values they need per record, IPv4 addresses as 32-bit numbers, without building a string per line.

import { applyTsvHeader, CONN_COLUMNS, connStateOutcome, newTsvHeader, type ZeekTsvHeader } from './zeek-conn-reader.js';

export type Outcome = 'success' | 'failure' | 'unknown';
/** Addresses: IPv4 as a signed 32-bit integer ((a<<24 | b<<16 | c<<8 | d) | 0, never allocated), anything else as text. */
export type ConnRecordHandler = (ts: number, src: number | string, dst: number | string, dport: number, outcome: Outcome) => void;

const TAB = 9;
const NL = 10;
const CR = 13;
const HASH = 35;
/** Column slots kept per line: the needed columns must sit among the first MAX_COLUMNS. */
const MAX_COLUMNS = 64;

/**
 * Feed Buffers in file order. Each line is walked once, byte by byte, up to the last column we
 * need; the rest of the line is skipped with a native indexOf. A partial last line is carried to
 * the next chunk. Header lines go through the general reader's header code (zeek-conn-reader.ts),
 * whose conn_state rules it shares; only a multi-byte separator (rare) is refused.
 */
export class ConnTsvScanner {
  private readonly h: ZeekTsvHeader = newTsvHeader();
  private carry: Buffer = Buffer.alloc(0);
  private lineNo = 0;
  private cols: number[] = [];
  private maxCol = -1;
  private sep = TAB;
  private readonly starts = new Int32Array(MAX_COLUMNS);
  private readonly ends = new Int32Array(MAX_COLUMNS);
  records = 0;
  bad = 0;
  skipped = 0;

  constructor(
    private readonly onRecord: ConnRecordHandler,
    private readonly onProblem?: (line: number, message: string) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.carry.length) b = Buffer.concat([this.carry, b]);
    let start = 0;
    for (let nl = b.indexOf(NL, start); nl >= 0; nl = b.indexOf(NL, start)) {
      this.line(b, start, nl > start && b[nl - 1] === CR ? nl - 1 : nl);
      start = nl + 1;
    }
    this.carry = Buffer.from(b.subarray(start)); // a copy: the caller may reuse its buffer
  }

  end(): void {
    if (this.carry.length) this.line(this.carry, 0, this.carry[this.carry.length - 1] === CR ? this.carry.length - 1 : this.carry.length);
    this.carry = Buffer.alloc(0);
  }

  private line(b: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (end === start) return;
    if (b[start] === HASH) return this.header(b.toString('latin1', start, end));
    this.records++;
    if (this.maxCol < 0) return this.problem('data line before the #fields header');
    let col = 0;
    this.starts[0] = start;
    for (let i = start; i < end && col < this.maxCol; i++) {
      if (b[i] === this.sep) {
        this.ends[col] = i;
        this.starts[++col] = i + 1;
      }
    }
    if (col < this.maxCol) return this.problem(`${col + 1} field(s), the #fields header needs ${this.maxCol + 1}`);
    const t = b.indexOf(this.sep, this.starts[col]!);
    this.ends[col] = t < 0 || t > end ? end : t;
    this.record(b);
  }

  private record(b: Buffer): void {
    const c = this.cols;
    const cTs = c[0]!, cSrc = c[2]!, cDst = c[4]!, cPort = c[5]!, cProto = c[6]!, cOb = c[7]!, cRb = c[8]!, cState = c[9]!;
    const ts = cTs < 0 ? NaN : decimal(b, this.starts[cTs]!, this.ends[cTs]!) * 1000;
    const dport = cPort < 0 ? NaN : decimal(b, this.starts[cPort]!, this.ends[cPort]!);
    const src = cSrc < 0 ? '-' : address(b, this.starts[cSrc]!, this.ends[cSrc]!);
    const dst = cDst < 0 ? '-' : address(b, this.starts[cDst]!, this.ends[cDst]!);
    if (!Number.isFinite(ts) || !Number.isInteger(dport) || dport > 65535 || src === '-' || dst === '-') return this.problem('bad ts, address or id.resp_p');
    if (cProto >= 0 && !transportOrUnset(b, this.starts[cProto]!, this.ends[cProto]!)) {
      this.skipped++;
      return;
    }
    this.onRecord(ts, src, dst, dport, cState < 0 ? 'unknown' : this.outcome(b, cState, cOb, cRb));
  }

  /** S0 (dark) and SF (complete) are read in place; every other state goes through the shared table. */
  private outcome(b: Buffer, cState: number, cOb: number, cRb: number): Outcome {
    const at = this.starts[cState]!;
    if (this.ends[cState]! - at === 2 && b[at] === 0x53) {
      if (b[at + 1] === 0x30) return 'failure';
      if (b[at + 1] === 0x46) return 'success';
    }
    const state = b.toString('latin1', at, this.ends[cState]!);
    const bytes = (c: number): number => (c < 0 ? 0 : decimal(b, this.starts[c]!, this.ends[c]!) || 0);
    return connStateOutcome(state === this.h.unset ? undefined : state, bytes(cOb), bytes(cRb));
  }

  private header(text: string): void {
    const problem = applyTsvHeader(this.h, text);
    if (problem) return this.problem(problem);
    if (this.h.separator.length !== 1) return this.problem('the fast conn.log path needs a one-byte #separator');
    this.sep = this.h.separator.charCodeAt(0);
    if (text.startsWith('#fields')) {
      this.cols = CONN_COLUMNS.map((c) => this.h.index[c]);
      this.maxCol = Math.max(...this.cols);
      if (this.maxCol >= MAX_COLUMNS) {
        this.maxCol = -1;
        this.problem(`#fields: the columns needed must be among the first ${MAX_COLUMNS}`);
      }
    }
  }

  private problem(message: string): void {
    this.bad++;
    this.onProblem?.(this.lineNo, message);
  }
}

/** A non-negative decimal (digits, at most one dot) read in place; NaN for anything else. */
function decimal(b: Buffer, start: number, end: number): number {
  if (start >= end) return NaN;
  let int = 0;
  let frac = 0;
  let scale = 1;
  let dot = false;
  for (let i = start; i < end; i++) {
    const d = b[i]! - 48;
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

/** Dotted-quad IPv4 as its signed 32-bit number; other text (IPv6, unset `-`) as a string. */
function address(b: Buffer, start: number, end: number): number | string {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else if (c === 46 && digits > 0 && dots < 3 && part <= 255) {
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return b.toString('latin1', start, end);
  }
  if (dots !== 3 || digits === 0 || part > 255) return b.toString('latin1', start, end);
  return (n * 256 + part) | 0;
}

/** `tcp`, `udp` or unset `-`: a port contact; icmp and others are skipped. */
function transportOrUnset(b: Buffer, start: number, end: number): boolean {
  const len = end - start;
  if (len === 1) return b[start] === 0x2d;
  return len === 3 && b[start + 1] === (b[start] === 0x75 ? 0x64 : 0x63) && b[start + 2] === 0x70 && (b[start] === 0x74 || b[start] === 0x75);
}
