// Webhook alert sink: JSON POST signed with HMAC-SHA256 (Stripe-style `t=<unix>,v1=<hex>` over
// "<t>.<body>"), through a disk spool so that alerts survive a receiver outage and arrive in order.
// Notices (a new comment: `comment.created`) travel the same spool, in order with the alerts.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { OrderedSpool, type SendOutcome } from '../core/ordered-spool.js';
import type { Logger } from '../core/logger.js';
import type { Alert } from '../model/alert.js';
import type { AlertSink, NodeNotice } from './alert-router.js';

export const SIGNATURE_HEADER = 'x-vigil-signature';
export const DELIVERY_HEADER = 'x-vigil-delivery';
/** `alert` for an alert, else the notice's event name (`comment.created`). */
export const EVENT_HEADER = 'x-vigil-event';
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

/**
 * Every alert goes through an OrderedSpool (core/ordered-spool.ts): appended and fsync'd before any
 * attempt, sent strictly in order with backoff while the receiver is down, re-sent at most once after
 * a crash (receivers deduplicate by the x-vigil-delivery header). A receiver that refuses one alert
 * for good (4xx other than 408/429: it will never take it) would block every later one, so that alert
 * is parked in `<name>.dead.jsonl` with the status and the queue moves on.
 */
export class WebhookSink implements AlertSink {
  readonly name: string;
  private readonly spool: OrderedSpool;

  constructor(private readonly o: WebhookOptions) {
    this.name = `webhook:${o.name}`;
    const stem = spoolFileStem(o.name);
    if (stem !== o.name) o.logger?.warn({ sink: this.name, stem }, 'webhook name is not a safe file name; its spool files use a derived one');
    this.spool = new OrderedSpool({
      dir: o.spoolDir, stem: `webhook-${stem}`, label: this.name, deadKey: 'alert', send: (body) => this.post(body),
      ...(o.retryBaseMs !== undefined ? { retryBaseMs: o.retryBaseMs } : {}), ...(o.retryMaxMs !== undefined ? { retryMaxMs: o.retryMaxMs } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
    });
  }

  get delivered(): number {
    return this.spool.delivered;
  }

  get failures(): number {
    return this.spool.failures;
  }

  get deadLettered(): number {
    return this.spool.deadLettered;
  }

  deliver(alert: Alert): void {
    this.spool.append(JSON.stringify(alert));
  }

  deliverNotice(notice: NodeNotice): void {
    this.spool.append(JSON.stringify(notice));
  }

  /** Bytes of spool not yet delivered. */
  pending(): number {
    return this.spool.pending();
  }

  /** Resolves when the spool is empty (or the sink closed). */
  async drain(): Promise<void> {
    await this.spool.drain();
  }

  async close(): Promise<void> {
    await this.spool.close();
  }

  private async post(body: string): Promise<SendOutcome> {
    const t = Math.floor(this.o.nowSeconds?.() ?? Date.now() / 1000);
    // An alert has no `event` field; a notice names its event there.
    const line = JSON.parse(body) as { id: string; event?: unknown };
    const event = typeof line.event === 'string' ? line.event : 'alert';
    try {
      const res = await fetch(this.o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(this.o.secret, t, body), [DELIVERY_HEADER]: line.id, [EVENT_HEADER]: event },
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
        redirect: 'error', // never follow a receiver elsewhere
      });
      await res.arrayBuffer();
      if (res.ok) return { ok: true };
      return { ok: false, problem: `HTTP ${res.status}`, permanent: res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429 };
    } catch (e) {
      return { ok: false, problem: String((e as Error).cause ?? e) };
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
