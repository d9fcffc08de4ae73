// Scanner detection by fixed thresholds, after Zeek's policy/misc/scan.zeek: a source that fails to
// reach N distinct hosts on one port (address scan) or N distinct ports on one host (port scan).

import { resolveLimits, type ResolvedLimits } from '../core/limits.js';
import type { Alert } from '../model/alert.js';
import type { ConnEvent } from '../model/event.js';
import { makeAlert } from './alert-factory.js';
import { addrKey, addrText, type AddrKey } from './addr-key.js';

export const THRESHOLD_LIMITS = {
  addrScanThreshold: { default: 25, min: 1, max: 1_000_000, unit: 'hosts', doc: 'Zeek Scan::addr_scan_threshold (25 distinct hosts on one port)' },
  portScanThreshold: { default: 15, min: 1, max: 65_536, unit: 'ports', doc: 'Zeek Scan::port_scan_threshold (15 distinct ports on one host)' },
  windowMs: { default: 5 * 60_000, min: 1000, max: 86_400_000, unit: 'ms', doc: 'Zeek Scan::addr_scan_interval / port_scan_interval (5 min)' },
  maxKeys: { default: 200_000, min: 1, max: 10_000_000, unit: 'keys', doc: '(source, port) and (source, host) windows kept in all; the sources that opened theirs first are dropped first' },
} as const;

const NONE: Alert[] = Object.freeze([]) as unknown as Alert[];

interface Window {
  /** Opening time in ms (kept as given; windows open once per key and window, not per contact). */
  start: number;
  /** The first item is kept inline: most keys of a sweep see one item, and a Set each costs ~100 bytes. */
  first: AddrKey | undefined;
  seen: Set<AddrKey> | undefined;
  count: number;
  fired: boolean;
}

/** Everything one source has open: windows by port (address scan) and by host (port scan). */
interface SourceWindows {
  readonly byPort: Map<number, Window>;
  readonly byHost: Map<AddrKey, Window>;
}

export interface ThresholdOptions {
  readonly limits?: Partial<Record<keyof typeof THRESHOLD_LIMITS, number>>;
  /** Count successful connections too (Zeek counts only failed ones; a sensor's are all failures). */
  readonly countSuccess?: boolean;
}

/**
 * Each (source, port) and (source, host) key has a window that opens at its first failed contact
 * and lasts windowMs (Zeek's SumStats epoch, per key instead of global so a scan straddling an
 * epoch edge is not split). The alert fires when the distinct count reaches the threshold, that is
 * at exactly the 25th host or 15th port (SumStats fires on `>= threshold`), once per window.
 * State is nested per source (one lookup per contact, exact keys for IPv4 and IPv6 alike) and
 * bounded by maxKeys windows in all: past it the sources that opened windows first are dropped.
 */
export class ThresholdDetector {
  private readonly limits: ResolvedLimits<typeof THRESHOLD_LIMITS>;
  private readonly sources = new Map<AddrKey, SourceWindows>();
  private windows = 0;
  private readonly countSuccess: boolean;

  constructor(opts: ThresholdOptions = {}) {
    this.limits = resolveLimits(THRESHOLD_LIMITS, opts.limits, 'detect.threshold');
    this.countSuccess = opts.countSuccess ?? false;
  }

  get trackedKeys(): number {
    return this.windows;
  }

  push(ev: ConnEvent): Alert[] {
    if (ev.outcome === 'unknown' || (ev.outcome === 'success' && !this.countSuccess)) return NONE;
    return this.observe(ev.ts, addrKey(ev.src), addrKey(ev.dst), ev.dport);
  }

  /** Low-level entry (the conn.log byte scanner and the bench): one failed contact, addrKey() addresses. */
  observe(ts: number, src: AddrKey, dst: AddrKey, dport: number): Alert[] {
    let mine = this.sources.get(src);
    if (mine === undefined) this.sources.set(src, (mine = { byPort: new Map(), byHost: new Map() }));
    let out: Alert[] | undefined;
    const a = this.step(mine.byPort, dport, ts, dst, this.limits.addrScanThreshold);
    if (a) (out ??= []).push(this.alert('address_scan', ts, src, dport, undefined, a));
    const p = this.step(mine.byHost, dst, ts, dport, this.limits.portScanThreshold);
    if (p) (out ??= []).push(this.alert('port_scan', ts, src, undefined, dst, p));
    if (this.windows > this.limits.maxKeys) this.evict();
    return out ?? NONE;
  }

  /** Drop the sources that opened windows first (insertion order) until under the bound. */
  private evict(): void {
    for (const [src, m] of this.sources) {
      if (this.windows <= this.limits.maxKeys) break;
      this.windows -= m.byPort.size + m.byHost.size;
      this.sources.delete(src);
    }
  }

  private step<K>(map: Map<K, Window>, key: K, ts: number, item: AddrKey, threshold: number): Window | undefined {
    let w = map.get(key);
    if (w === undefined || ts - w.start > this.limits.windowMs) {
      if (w === undefined) this.windows++;
      w = { start: ts, first: undefined, seen: undefined, count: 0, fired: false };
      map.set(key, w);
    }
    if (w.fired || w.first === item || w.seen?.has(item)) return undefined;
    if (w.first === undefined) w.first = item;
    else (w.seen ??= new Set()).add(item);
    if (++w.count < threshold) return undefined;
    w.fired = true;
    w.seen = undefined; // the items are no longer needed once fired: free them
    return w;
  }

  private alert(rule: 'address_scan' | 'port_scan', ts: number, srcKey: AddrKey, dport: number | undefined, dstKey: AddrKey | undefined, w: Window): Alert {
    const src = addrText(srcKey);
    const dst = dstKey === undefined ? undefined : addrText(dstKey);
    const n = rule === 'address_scan' ? this.limits.addrScanThreshold : this.limits.portScanThreshold;
    const what = rule === 'address_scan' ? `${n} hosts on port ${dport}` : `${n} ports on ${dst}`;
    return makeAlert({
      ts,
      detector: 'threshold',
      rule,
      severity: 'medium',
      title: `${rule.replace('_', ' ')}: ${src} reached ${what} within ${this.limits.windowMs / 1000} s`,
      src,
      ...(dport !== undefined ? { dport } : {}),
      dedupKey: `threshold:${rule}:${src}:${dport ?? dst}`,
      evidence: { threshold: n, windowMs: this.limits.windowMs, windowStart: w.start, elapsedMs: ts - w.start, ...(dst !== undefined ? { dst } : {}) },
      indicators: [{ type: src.includes(':') ? 'ipv6-addr' : 'ipv4-addr', value: src }],
    });
  }
}
