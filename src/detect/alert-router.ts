// Alert routing: deduplication and suppression within configurable windows, then fan-out to
// sinks (log, store, webhooks, e-mail). Event time drives the windows, so replays route alike.

import { resolveLimits, type ResolvedLimits } from '../core/limits.js';
import type { Logger } from '../core/logger.js';
import type { Alert } from '../model/alert.js';
import type { Severity } from '../model/anomaly.js';
import { SEVERITY_RANK } from './alert-factory.js';

/** Where alerts go. A sink must not throw for a downstream outage: it spools or logs instead. */
export interface AlertSink {
  readonly name: string;
  deliver(alert: Alert): void | Promise<void>;
  /** Notices that are not alerts (a new comment); sinks without it (store, e-mail, STIX) ignore them. */
  deliverNotice?(notice: NodeNotice): void | Promise<void>;
  close?(): Promise<void>;
}

/** Something receivers are told besides alerts: `event` names it (`comment.created`), `id` is what
 * receivers deduplicate on; the rest is the event's own JSON. Never deduplicated or suppressed. */
export interface NodeNotice {
  readonly event: string;
  readonly id: string;
  readonly ts: number;
}

export const ROUTER_LIMITS = {
  suppressWindowMs: { default: 15 * 60_000, min: 0, max: 7 * 86_400_000, unit: 'ms', doc: 'an alert with the same dedup key inside this window is merged into the first (counted, not re-sent)' },
  maxKeys: { default: 100_000, min: 1, max: 10_000_000, unit: 'keys', doc: 'dedup keys remembered; the least recently raised is forgotten first' },
} as const;

export interface RouterOptions {
  readonly limits?: Partial<Record<keyof typeof ROUTER_LIMITS, number>>;
  /** Per-detector suppression window overrides (ms), e.g. { surge: 6 h }. */
  readonly windowByDetector?: Readonly<Record<string, number>>;
  readonly minSeverity?: Severity;
  readonly logger?: Logger;
  /** Called for every alert seen, routed or suppressed (metrics). */
  readonly onCount?: (alert: Alert, routed: boolean) => void;
}

interface Seen {
  readonly first: Alert;
  lastTs: number;
  suppressed: number;
}

export class AlertRouter {
  private readonly limits: ResolvedLimits<typeof ROUTER_LIMITS>;
  private readonly seen = new Map<string, Seen>();
  private readonly sinks: AlertSink[] = [];
  private readonly minRank: number;

  constructor(private readonly opts: RouterOptions = {}) {
    this.limits = resolveLimits(ROUTER_LIMITS, opts.limits, 'alerts');
    this.minRank = SEVERITY_RANK[opts.minSeverity ?? 'info'];
  }

  addSink(sink: AlertSink): this {
    this.sinks.push(sink);
    return this;
  }

  /** Suppression count of the alert that opened a key's window, if any. */
  suppressedCount(dedupKey: string): number {
    return this.seen.get(dedupKey)?.suppressed ?? 0;
  }

  /** Returns true when the alert was routed, false when suppressed as a duplicate. */
  async route(alert: Alert): Promise<boolean> {
    const routed = this.admit(alert);
    this.opts.onCount?.(alert, routed);
    if (!routed) return false;
    for (const sink of this.sinks) {
      try {
        await sink.deliver(alert);
      } catch (e) {
        this.opts.logger?.error({ sink: sink.name, alertId: alert.id, err: String(e) }, 'alert sink failed');
      }
    }
    return true;
  }

  /** The dedup decision alone (no I/O): replay uses it to print only what would be routed. */
  admit(alert: Alert): boolean {
    if (SEVERITY_RANK[alert.severity] < this.minRank) return false;
    const window = this.opts.windowByDetector?.[alert.detector] ?? this.limits.suppressWindowMs;
    const s = this.seen.get(alert.dedupKey);
    if (s !== undefined && alert.ts - s.lastTs <= window) {
      // A sliding window: a flood of duplicates keeps the key suppressed until it goes quiet.
      s.lastTs = Math.max(s.lastTs, alert.ts);
      s.suppressed++;
      return false;
    }
    this.seen.delete(alert.dedupKey);
    this.seen.set(alert.dedupKey, { first: alert, lastTs: alert.ts, suppressed: 0 });
    if (this.seen.size > this.limits.maxKeys) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }

  /** A notice to every sink that takes notices (webhooks), in the order of the calls. */
  async announce(notice: NodeNotice): Promise<void> {
    for (const sink of this.sinks) {
      if (!sink.deliverNotice) continue;
      try {
        await sink.deliverNotice(notice);
      } catch (e) {
        this.opts.logger?.error({ sink: sink.name, event: notice.event, id: notice.id, err: String(e) }, 'alert sink failed on a notice');
      }
    }
  }

  async close(): Promise<void> {
    for (const sink of this.sinks) await sink.close?.();
  }
}

/** Writes each alert to the logger (pino in the CLI) at a level matching its severity. */
export function logSink(logger: Logger): AlertSink {
  return {
    name: 'log',
    deliver(a) {
      const rank = SEVERITY_RANK[a.severity];
      const fields = { alert: a.id, detector: a.detector, rule: a.rule, severity: a.severity, cves: a.cves, src: a.src, dport: a.dport };
      if (rank >= SEVERITY_RANK.high) logger.error(fields, a.title);
      else if (rank >= SEVERITY_RANK.medium) logger.warn(fields, a.title);
      else logger.info(fields, a.title);
    },
  };
}
