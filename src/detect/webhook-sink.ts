// Webhook alert sink: JSON POST signed with HMAC-SHA256 (Stripe-style `t=<unix>,v1=<hex>` over
// "<t>.<body>"), through a disk spool so that alerts survive a receiver outage and arrive in order.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, statSync, truncateSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Alert } from '../model/alert.js';
import type { AlertSink } from './alert-router.js';

export const SIGNATURE_HEADER = 'x-vigil-signature';
export const DELIVERY_HEADER = 'x-vigil-delivery';
/** What configuration accepts as a webhook name: it becomes part of the spool file names. */
export const WEBHOOK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface WebhookOptions {
  readonly name: string;
  readonly url: string;
  readonly secret: string;
  /** Directory for the spool (the data dir's `spool/`). */
  readonly spoolDir: string;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  /** Seconds since the epoch for the signature timestamp (injected for tests). */
  readonly nowSeconds?: () => number;
}

export function signBody(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** For receivers: true when the header signs this body with this secret within the tolerance. */
export function verifySignature(secret: string, header: string | undefined, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const want = Buffer.from(signBody(secret, t, body).slice(-64), 'hex');
  return timingSafeEqual(want, Buffer.from(m[2]!, 'hex'));
}

const READ_CHUNK = 1 << 20;

/**
 * Every alert is appended to `<name>.spool.jsonl` (fsync'd) before any attempt; `<name>.offset`
 * holds the byte offset of the first undelivered line and is replaced atomically after each 2xx.
 * One pump sends strictly in file order and retries the head with exponential backoff, so a
 * receiver that is down sees, once up, every alert exactly in order. A crash between a 2xx and the
 * offset write re-sends that one alert: receivers deduplicate by the x-vigil-delivery header.
 * When everything is delivered the spool is truncated (spool first, then offset, so a crash in
 * between cannot replay old alerts). A receiver that refuses one alert for good (4xx other than
 * 408/429: it will never take it) would block every later one, so that alert goes to
 * `<name>.dead.jsonl` with the status, is logged, and the queue moves on: parked, not lost.
 */
export class WebhookSink implements AlertSink {
  readonly name: string;
  private readonly spool: string;
  private readonly offsetFile: string;
  private readonly deadFile: string;
  private pumping: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  delivered = 0;
  failures = 0;
  deadLettered = 0;

  constructor(private readonly o: WebhookOptions) {
    this.name = `webhook:${o.name}`;
    mkdirSync(o.spoolDir, { recursive: true, mode: 0o700 });
    const stem = spoolFileStem(o.name);
    if (stem !== o.name) o.logger?.warn({ sink: this.name, stem }, 'webhook name is not a safe file name; its spool files use a derived one');
    this.spool = spoolPath(o.spoolDir, `webhook-${stem}.spool.jsonl`);
    this.offsetFile = spoolPath(o.spoolDir, `webhook-${stem}.offset`);
    this.deadFile = spoolPath(o.spoolDir, `webhook-${stem}.dead.jsonl`);
    if (this.pending() > 0) this.kick(); // alerts left by a previous run
  }

  deliver(alert: Alert): void {
    const fd = openSync(this.spool, 'a', 0o600);
    try {
      appendFileSync(fd, `${JSON.stringify(alert)}\n`);
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

  /** Resolves when the spool is empty (or the sink closed). */
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

  private async sendWithRetry(body: string): Promise<boolean> {
    const base = this.o.retryBaseMs ?? 500;
    for (let attempt = 0; !this.closed; attempt++) {
      const problem = await this.post(body);
      if (problem === undefined) return true;
      this.failures++;
      if (/^HTTP 4(?!08|29)\d\d$/.test(problem)) {
        appendFileSync(this.deadFile, `${JSON.stringify({ status: problem, alert: JSON.parse(body) as unknown })}\n`, { mode: 0o600 });
        this.deadLettered++;
        this.o.logger?.error({ sink: this.name, problem }, 'webhook receiver refused an alert for good; parked in the dead-letter file');
        return true;
      }
      const wait = Math.min(this.o.retryMaxMs ?? 60_000, base * 2 ** Math.min(attempt, 20));
      this.o.logger?.warn({ sink: this.name, attempt, waitMs: wait, problem }, 'webhook delivery failed; will retry');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return false;
  }

  private async post(body: string): Promise<string | undefined> {
    const t = Math.floor(this.o.nowSeconds?.() ?? Date.now() / 1000);
    try {
      const res = await fetch(this.o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(this.o.secret, t, body), [DELIVERY_HEADER]: (JSON.parse(body) as Alert).id },
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
        redirect: 'error', // never follow a receiver elsewhere
      });
      await res.arrayBuffer();
      return res.ok ? undefined : `HTTP ${res.status}`;
    } catch (e) {
      return String((e as Error).cause ?? e);
    }
  }

  private readFrom(offset: number): { text: string; bytes: number }[] {
    if (!existsSync(this.spool)) return [];
    const fd = openSync(this.spool, 'r');
    try {
      const buf = Buffer.alloc(READ_CHUNK);
      let n = readSync(fd, buf, 0, buf.length, offset);
      let out = parseLines(buf.subarray(0, n));
      // One alert bigger than the chunk: read exactly that line.
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

/** The webhook's name when configuration would accept it, else a derived name of the same
 * alphabet. Configuration refuses such names already; this keeps a caller that skipped it (a test, a
 * library user) from writing `webhook-../../x.spool.jsonl` outside the spool directory. */
export function spoolFileStem(name: string): string {
  if (WEBHOOK_NAME_PATTERN.test(name)) return name;
  // The hash keeps two different unsafe names from sharing one spool.
  const readable = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 40);
  return `${readable || 'x'}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}

function spoolPath(spoolDir: string, file: string): string {
  const p = join(spoolDir, file);
  if (dirname(resolve(p)) !== resolve(spoolDir)) throw new AppError('VIGIL_ERR_INTERNAL', `webhook spool file ${p} would leave ${spoolDir}`);
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
