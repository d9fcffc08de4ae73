// A disk spool that delivers lines strictly in order through an injected send, surviving receiver
// outages and restarts: the one delivery road of the webhook and syslog alert sinks.

import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';

/** What one send attempt came to: delivered, worth retrying, or refused for good (parked as dead). */
export type SendOutcome = { readonly ok: true } | { readonly ok: false; readonly problem: string; readonly permanent?: boolean };

export interface OrderedSpoolOptions {
  /** Directory for the spool files (the data dir's `spool/`). */
  readonly dir: string;
  /** File name stem: `<stem>.spool.jsonl`, `<stem>.offset`, `<stem>.dead.jsonl`; must stay in `dir`. */
  readonly stem: string;
  /** Name used in log lines. */
  readonly label: string;
  readonly send: (line: string) => Promise<SendOutcome>;
  /** Key of the parked line in a dead-letter record (`{status, <deadKey>}`); default `line`. */
  readonly deadKey?: string;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly logger?: Logger;
}

const READ_CHUNK = 1 << 20;

/**
 * Every line is appended to `<stem>.spool.jsonl` (fsync'd) before any attempt; `<stem>.offset` holds
 * the byte offset of the first undelivered line and is replaced atomically after each delivery. One
 * pump sends strictly in file order and retries the head with exponential backoff, so a receiver
 * that is down sees, once up, every line exactly in order. A crash between a delivery and the offset
 * write re-sends that one line (receivers deduplicate by the id inside it). When everything is
 * delivered the spool is truncated (spool first, then offset, so a crash in between cannot replay old
 * lines). A line the receiver refuses for good would block every later one, so it goes to
 * `<stem>.dead.jsonl` with the problem, is logged, and the queue moves on: parked, not lost.
 */
export class OrderedSpool {
  private readonly spool: string;
  private readonly offsetFile: string;
  private readonly deadFile: string;
  private pumping: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  delivered = 0;
  failures = 0;
  deadLettered = 0;

  constructor(private readonly o: OrderedSpoolOptions) {
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    this.spool = spoolPath(o.dir, `${o.stem}.spool.jsonl`);
    this.offsetFile = spoolPath(o.dir, `${o.stem}.offset`);
    this.deadFile = spoolPath(o.dir, `${o.stem}.dead.jsonl`);
    if (this.pending() > 0) this.kick(); // lines left by a previous run
  }

  /** Appends one line (no newline inside) durably, then starts delivery. */
  append(line: string): void {
    const fd = openSync(this.spool, 'a', 0o600);
    try {
      appendFileSync(fd, `${line}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.kick();
  }

  /** Bytes of spool not yet delivered. */
  pending(): number {
    const size = existsSync(this.spool) ? statSync(this.spool).size : 0;
    return Math.max(0, size - this.readOffset());
  }

  /** Resolves when the spool is empty (or the spool closed). */
  async drain(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.drain();
  }

  private kick(): void {
    if (this.pumping || this.closed) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (!this.closed && this.pending() > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    let offset = this.readOffset();
    for (;;) {
      const lines = this.readFrom(offset);
      if (lines.length === 0) break;
      for (const { text, bytes } of lines) {
        if (!(await this.sendWithRetry(text))) return; // closed while retrying: keep it spooled
        offset += bytes;
        this.writeOffset(offset);
        this.delivered++;
      }
    }
    this.compact(offset);
  }

  private async sendWithRetry(line: string): Promise<boolean> {
    const base = this.o.retryBaseMs ?? 500;
    for (let attempt = 0; !this.closed; attempt++) {
      const r = await this.o.send(line);
      if (r.ok) return true;
      this.failures++;
      if (r.permanent) {
        appendFileSync(this.deadFile, `${JSON.stringify({ status: r.problem, [this.o.deadKey ?? 'line']: JSON.parse(line) as unknown })}\n`, { mode: 0o600 });
        this.deadLettered++;
        this.o.logger?.error({ sink: this.o.label, problem: r.problem }, 'receiver refused a line for good; parked in the dead-letter file');
        return true;
      }
      const wait = Math.min(this.o.retryMaxMs ?? 60_000, base * 2 ** Math.min(attempt, 20));
      this.o.logger?.warn({ sink: this.o.label, attempt, waitMs: wait, problem: r.problem }, 'delivery failed; will retry');
      await new Promise<void>((done) => {
        const t = setTimeout(done, wait);
        this.wake = () => {
          clearTimeout(t);
          done();
        };
      });
    }
    return false;
  }

  private readFrom(offset: number): { text: string; bytes: number }[] {
    if (!existsSync(this.spool)) return [];
    const fd = openSync(this.spool, 'r');
    try {
      const buf = Buffer.alloc(READ_CHUNK);
      let n = readSync(fd, buf, 0, buf.length, offset);
      let out = parseLines(buf.subarray(0, n));
      // One line bigger than the chunk: read exactly that line.
      if (out.length === 0 && n === READ_CHUNK) {
        const big = Buffer.alloc(statSync(this.spool).size - offset);
        n = readSync(fd, big, 0, big.length, offset);
        out = parseLines(big.subarray(0, n));
      }
      return out;
    } finally {
      closeSync(fd);
    }
  }

  private readOffset(): number {
    if (!existsSync(this.offsetFile)) return 0;
    const v = Number(readFileSync(this.offsetFile, 'utf8'));
    const size = existsSync(this.spool) ? statSync(this.spool).size : 0;
    return Number.isInteger(v) && v >= 0 && v <= size ? v : 0;
  }

  private writeOffset(offset: number): void {
    const tmp = `${this.offsetFile}.tmp`;
    writeFileSync(tmp, String(offset), { mode: 0o600 });
    renameSync(tmp, this.offsetFile);
  }

  private compact(offset: number): void {
    if (existsSync(this.spool) && statSync(this.spool).size === offset) {
      truncateSync(this.spool, 0);
      this.writeOffset(0);
    }
  }
}

function spoolPath(dir: string, file: string): string {
  const p = join(dir, file);
  if (dirname(resolve(p)) !== resolve(dir)) throw new AppError('VIGIL_ERR_INTERNAL', `spool file ${p} would leave ${dir}`);
  return p;
}

function parseLines(buf: Buffer): { text: string; bytes: number }[] {
  const out: { text: string; bytes: number }[] = [];
  let start = 0;
  for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
    out.push({ text: buf.toString('utf8', start, nl), bytes: nl + 1 - start });
    start = nl + 1;
  }
  return out;
}
