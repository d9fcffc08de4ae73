// Fast path for Zeek conn.log TSV: a synchronous byte scanner that hands the detectors the five
// values they need per record, IPv4 addresses as 32-bit numbers, without building a string per line.

import { applyTsvHeader, CONN_COLUMNS, connStateOutcome, newTsvHeader, parseTsvConnLine, type ZeekTsvHeader } from './zeek-conn-reader.js';

export type Outcome = 'success' | 'failure' | 'unknown';
/** Addresses: IPv4 as a signed 32-bit integer ((a<<24 | b<<16 | c<<8 | d) | 0, never allocated), anything else as text. */
export type ConnRecordHandler = (ts: number, src: number | string, dst: number | string, dport: number, outcome: Outcome) => void;

const TAB = 9;
const NL = 10;
const CR = 13;
const HASH = 35;
const EMPTY = Buffer.alloc(0);
/** Column slots kept per line: the needed columns must sit among the first MAX_COLUMNS. */
const MAX_COLUMNS = 64;

// Column roles. Those up to R_PORT are parsed while the line is walked; the rest are kept as spans.
const R_TS = 0;
const R_SRC = 1;
const R_DST = 2;
const R_PORT = 3;
const R_PROTO = 4;
const R_ORIG_BYTES = 5;
const R_RESP_BYTES = 6;
const R_STATE = 7;
const R_SKIP = 8;
const ROLES = 8;
const ROLE_OF: Partial<Record<(typeof CONN_COLUMNS)[number], number>> = {
  ts: R_TS, 'id.orig_h': R_SRC, 'id.resp_h': R_DST, 'id.resp_p': R_PORT, proto: R_PROTO,
  orig_bytes: R_ORIG_BYTES, resp_bytes: R_RESP_BYTES, conn_state: R_STATE,
};
/** The roles of Zeek's own column order (Conn::Info) up to conn_state: lines in it take standardLine(). */
const STANDARD_ROLES = [R_TS, R_SKIP, R_SRC, R_SKIP, R_DST, R_PORT, R_PROTO, R_SKIP, R_SKIP, R_ORIG_BYTES, R_RESP_BYTES, R_STATE];

/** Where the last decimal() or address() stopped: the field's end (its separator or the line end). */
let fieldEnd = 0;

/**
 * Feed Buffers in file order. Line ends are found with a native indexOf; each line is then walked
 * once, byte by byte, up to the last column we need, each needed field parsed as it is crossed (no
 * second pass, no string unless an address is not dotted IPv4). A partial last line is carried to
 * the next chunk; only that line is copied. Header lines go through the general reader's header code (zeek-conn-reader.ts),
 * whose conn_state rules it shares; only a multi-byte separator (rare) is refused.
 */
export class ConnTsvScanner {
  private readonly h: ZeekTsvHeader = newTsvHeader();
  private carry: Buffer = EMPTY;
  private lineNo = 0;
  private maxCol = -1;
  /** The #fields header has Zeek's own column order up to conn_state (see standardLine). */
  private standard = false;
  private sep = TAB;
  /** What each column is for (R_*), by column index. */
  private readonly roles = new Uint8Array(MAX_COLUMNS).fill(R_SKIP);
  /** 1 when the #fields header has the column of that role. */
  private readonly has = new Uint8Array(ROLES);
  /** Where the fields kept as spans (proto, bytes, state) start and end, by role. */
  private readonly starts = new Int32Array(ROLES);
  private readonly ends = new Int32Array(ROLES);
  records = 0;
  bad = 0;
  skipped = 0;

  constructor(
    private readonly onRecord: ConnRecordHandler,
    private readonly onProblem?: (line: number, message: string) => void,
    /** false: every layout through the per-column loop (tests check the unrolled path against it). */
    private readonly unrolled = true,
  ) {}

  push(chunk: Uint8Array): void {
    const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    if (this.carry.length) {
      // Only the line cut by the chunk edge is joined; the rest of the chunk is read in place.
      const nl = b.indexOf(NL);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, b]);
        return;
      }
      const joined = Buffer.concat([this.carry, b.subarray(0, nl + 1)]);
      this.carry = EMPTY;
      this.lines(joined, 0);
      start = nl + 1;
    }
    start = this.lines(b, start);
    this.carry = start < b.length ? Buffer.from(b.subarray(start)) : EMPTY; // a copy: the caller may reuse its buffer
  }

  /** Every complete line from start; returns where the unfinished last line begins. */
  private lines(b: Buffer, start: number): number {
    for (let nl = b.indexOf(NL, start); nl >= 0; nl = b.indexOf(NL, start)) {
      this.line(b, start, nl > start && b[nl - 1] === CR ? nl - 1 : nl);
      start = nl + 1;
    }
    return start;
  }

  end(): void {
    if (this.carry.length) this.line(this.carry, 0, this.carry[this.carry.length - 1] === CR ? this.carry.length - 1 : this.carry.length);
    this.carry = EMPTY;
  }

  private line(b: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (end === start) return;
    if (b[start] === HASH) return this.header(b.toString('latin1', start, end));
    this.records++;
    if (this.standard) return this.standardLine(b, start, end);
    const last = this.maxCol;
    if (last < 0) return this.problem('data line before the #fields header');
    // One pass over the line up to the last column needed, each field parsed as it is crossed.
    const sep = this.sep;
    const roles = this.roles;
    let ts = NaN;
    let dport = NaN;
    let src: number | string = '-';
    let dst: number | string = '-';
    let i = start;
    for (let col = 0; ; col++) {
      const role = roles[col]!;
      if (role === R_SKIP) while (i < end && b[i] !== sep) i++;
      else if (role === R_SRC) src = address(b, i, end, sep);
      else if (role === R_DST) dst = address(b, i, end, sep);
      else if (role === R_TS) ts = decimal(b, i, end, sep) * 1000;
      else if (role === R_PORT) dport = decimal(b, i, end, sep);
      else {
        this.starts[role] = i;
        while (i < end && b[i] !== sep) i++;
        this.ends[role] = i;
      }
      if (role <= R_PORT) i = fieldEnd;
      if (col === last) break;
      if (i >= end) return this.badLine(b, start, end, `${col + 1} field(s), the #fields header needs ${last + 1}`);
      i++;
    }
    if (!Number.isFinite(ts) || !Number.isInteger(dport) || dport > 65535 || this.unusual(src) || this.unusual(dst)) return this.badLine(b, start, end, 'bad ts, address or id.resp_p');
    // No proto column, or not tcp/udp: not a port contact (the general reader's rule).
    if (!this.has[R_PROTO] || !transport(b, this.starts[R_PROTO]!, this.ends[R_PROTO]!)) {
      this.skipped++;
      return;
    }
    this.onRecord(ts, src, dst, dport, this.has[R_STATE] ? this.outcome(b) : 'unknown');
  }

  /**
   * line() unrolled for Zeek's own column order (STANDARD_ROLES, conn_state last needed): the same
   * steps in the same order with the same messages, without looking up each column's role. Most
   * logs are written by Zeek in that order, and the per-column dispatch was a fifth of a line's cost.
   */
  private standardLine(b: Buffer, start: number, end: number): void {
    const sep = this.sep;
    const ts = decimal(b, start, end, sep) * 1000;
    let i = fieldEnd;
    if (i >= end) return this.tooFew(b, start, end, 1);
    for (i++; i < end && b[i] !== sep; ) i++; // uid
    if (i >= end) return this.tooFew(b, start, end, 2);
    const src = address(b, i + 1, end, sep);
    i = fieldEnd;
    if (i >= end) return this.tooFew(b, start, end, 3);
    for (i++; i < end && b[i] !== sep; ) i++; // id.orig_p
    if (i >= end) return this.tooFew(b, start, end, 4);
    const dst = address(b, i + 1, end, sep);
    i = fieldEnd;
    if (i >= end) return this.tooFew(b, start, end, 5);
    const dport = decimal(b, i + 1, end, sep);
    i = fieldEnd;
    if (i >= end) return this.tooFew(b, start, end, 6);
    const protoAt = ++i;
    while (i < end && b[i] !== sep) i++;
    const protoTo = i;
    if (i >= end) return this.tooFew(b, start, end, 7);
    for (i++; i < end && b[i] !== sep; ) i++; // service
    if (i >= end) return this.tooFew(b, start, end, 8);
    for (i++; i < end && b[i] !== sep; ) i++; // duration
    if (i >= end) return this.tooFew(b, start, end, 9);
    const origAt = ++i;
    while (i < end && b[i] !== sep) i++;
    const origTo = i;
    if (i >= end) return this.tooFew(b, start, end, 10);
    const respAt = ++i;
    while (i < end && b[i] !== sep) i++;
    const respTo = i;
    if (i >= end) return this.tooFew(b, start, end, 11);
    const stateAt = ++i;
    while (i < end && b[i] !== sep) i++;
    if (!Number.isFinite(ts) || !Number.isInteger(dport) || dport > 65535 || this.unusual(src) || this.unusual(dst)) return this.badLine(b, start, end, 'bad ts, address or id.resp_p');
    if (!transport(b, protoAt, protoTo)) {
      this.skipped++;
      return;
    }
    // S0 and SF decided here; other states go through outcome() with the spans it reads.
    if (i - stateAt === 2 && b[stateAt] === 0x53 && (b[stateAt + 1] === 0x30 || b[stateAt + 1] === 0x46)) {
      return this.onRecord(ts, src, dst, dport, b[stateAt + 1] === 0x30 ? 'failure' : 'success');
    }
    this.starts[R_ORIG_BYTES] = origAt;
    this.ends[R_ORIG_BYTES] = origTo;
    this.starts[R_RESP_BYTES] = respAt;
    this.ends[R_RESP_BYTES] = respTo;
    this.starts[R_STATE] = stateAt;
    this.ends[R_STATE] = i;
    this.onRecord(ts, src, dst, dport, this.outcome(b));
  }

  private tooFew(b: Buffer, start: number, end: number, fields: number): void {
    this.badLine(b, start, end, `${fields} field(s), the #fields header needs ${this.maxCol + 1}`);
  }

  /**
   * A line the byte walk does not take as it is (a field it cannot read, a missing-value marker
   * where an address should be): the general reader (parseTsvConnLine, same header state) decides,
   * so both paths agree on what is bad, skipped or a record, and name a problem alike. Such lines
   * are rare, so parsing one twice is free. Our own wording stands only if the reader has none.
   */
  private badLine(b: Buffer, start: number, end: number, fallback: string): void {
    const r = parseTsvConnLine(this.h, b.toString('utf8', start, end));
    if (r === undefined) {
      this.skipped++;
      return;
    }
    if ('error' in r) return this.problem(r.error);
    if (r.type !== 'conn') return this.problem(fallback);
    this.onRecord(r.ts, textKey(r.src), textKey(r.dst), r.dport, r.outcome);
  }

  /** An address the walk read as text that the general reader may see otherwise (unset, empty). */
  private unusual(a: number | string): boolean {
    return typeof a === 'string' && (a.length <= 1 || a === this.h.unset || a === this.h.empty);
  }

  /** S0 (dark) and SF (complete) are read in place; every other state goes through the shared table. */
  private outcome(b: Buffer): Outcome {
    const at = this.starts[R_STATE]!;
    const to = this.ends[R_STATE]!;
    if (to - at === 2 && b[at] === 0x53) {
      if (b[at + 1] === 0x30) return 'failure';
      if (b[at + 1] === 0x46) return 'success';
    }
    const state = b.toString('latin1', at, to);
    const bytes = (r: number): number => (this.has[r] ? this.count(b, this.starts[r]!, this.ends[r]!) : 0);
    return connStateOutcome(state === this.h.unset || state === this.h.empty ? undefined : state, bytes(R_ORIG_BYTES), bytes(R_RESP_BYTES));
  }

  /** A byte count as the general reader reads it: Number() of the text, 0 when missing or not a number. */
  private count(b: Buffer, at: number, to: number): number {
    const v = decimal(b, at, to, this.sep);
    if (!Number.isNaN(v)) return v || 0;
    const text = b.toString('utf8', at, to);
    return text === this.h.unset || text === this.h.empty ? 0 : Number(text) || 0;
  }

  private header(text: string): void {
    const problem = applyTsvHeader(this.h, text);
    if (problem) return this.problem(problem);
    if (this.h.separator.length !== 1) return this.problem('the fast conn.log path needs a one-byte #separator');
    this.sep = this.h.separator.charCodeAt(0);
    if (text.startsWith('#fields')) {
      const cols = CONN_COLUMNS.map((c) => this.h.index[c]);
      this.maxCol = Math.max(...cols);
      if (this.maxCol >= MAX_COLUMNS) {
        this.maxCol = -1;
        this.standard = false;
        return this.problem(`#fields: the columns needed must be among the first ${MAX_COLUMNS}`);
      }
      this.roles.fill(R_SKIP);
      this.has.fill(0);
      CONN_COLUMNS.forEach((name, k) => {
        const role = ROLE_OF[name];
        if (role === undefined || cols[k]! < 0) return;
        this.roles[cols[k]!] = role;
        this.has[role] = 1;
      });
      this.standard = this.unrolled && this.maxCol === STANDARD_ROLES.length - 1 && STANDARD_ROLES.every((role, col) => this.roles[col] === role);
    }
  }

  private problem(message: string): void {
    this.bad++;
    this.onProblem?.(this.lineNo, message);
  }
}

/**
 * A non-negative decimal (digits, at most one dot) read in place from start up to the separator or
 * end; NaN for anything else. Sets fieldEnd. The value is int + frac / scale, as the tests pin it.
 * The integer and fraction digits are read by two tight loops (one test per byte, not three);
 * a separator that is itself a digit or a dot (legal, never seen) takes the general loop.
 */
function decimal(b: Buffer, start: number, end: number, sep: number): number {
  if (sep === 46 || (sep >= 48 && sep <= 57)) return decimalAnySep(b, start, end, sep);
  let int = 0;
  let i = start;
  for (let d = 0; i < end && (d = b[i]! - 48) >= 0 && d <= 9; i++) int = int * 10 + d;
  let frac = 0;
  let scale = 1;
  const dot = i < end && b[i] === 46;
  if (dot) for (let d = 0; ++i < end && (d = b[i]! - 48) >= 0 && d <= 9; ) {
    frac = frac * 10 + d;
    scale *= 10;
  }
  if (i < end && b[i] !== sep) {
    while (i < end && b[i] !== sep) i++;
    fieldEnd = i;
    return NaN;
  }
  fieldEnd = i;
  if (i === start) return NaN;
  return dot ? int + frac / scale : int; // the division (slow) only when there is a fraction: int + 0/1 is int
}

/** decimal() for a separator byte that could be part of a number: one loop testing every case. */
function decimalAnySep(b: Buffer, start: number, end: number, sep: number): number {
  let int = 0;
  let frac = 0;
  let scale = 1;
  let dot = false;
  let ok = true;
  let i = start;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === sep) break;
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      if (dot) {
        frac = frac * 10 + d;
        scale *= 10;
      } else int = int * 10 + d;
    } else if (d === -2 && !dot) dot = true;
    else ok = false;
  }
  fieldEnd = i;
  if (!ok || i === start) return NaN;
  return dot ? int + frac / scale : int;
}

/**
 * Dotted-quad IPv4 as its signed 32-bit number, read up to the separator or end; other text (IPv6,
 * unset `-`) as a string. Sets fieldEnd.
 */
function address(b: Buffer, start: number, end: number, sep: number): number | string {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let i = start;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else if (c === 46 && digits > 0 && dots < 3 && part <= 255) {
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else break;
  }
  if (i === end || b[i] === sep) {
    fieldEnd = i;
    if (dots === 3 && digits > 0 && part <= 255) return (n * 256 + part) | 0;
  } else {
    while (i < end && b[i] !== sep) i++;
    fieldEnd = i;
  }
  return b.toString('latin1', start, i);
}

/** `tcp` or `udp`: a port contact; icmp, unset and others are skipped (as the general reader does). */
function transport(b: Buffer, start: number, end: number): boolean {
  const len = end - start;
  return len === 3 && b[start + 1] === (b[start] === 0x75 ? 0x64 : 0x63) && b[start + 2] === 0x70 && (b[start] === 0x74 || b[start] === 0x75);
}

/** An address text from the general reader in the form the byte walk gives (IPv4 as its number). */
function textKey(text: string): number | string {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return text; // latin1 would cut such chars to a byte
  const b = Buffer.from(text, 'latin1');
  const k = address(b, 0, b.length, -1);
  return typeof k === 'number' ? k : text;
}
