// Scanner detection by fixed thresholds, after Zeek's policy/misc/scan.zeek: a source that fails to
// reach N distinct hosts on one port (address scan) or N distinct ports on one host (port scan).

import { resolveLimits, type ResolvedLimits } from '../core/limits.js';
import type { Alert } from '../model/alert.js';
import type { ConnEvent } from '../model/event.js';
import { makeAlert, NO_ALERTS as NONE } from './alert-factory.js';
import { addrKey, addrText, type AddrKey } from './addr-key.js';
import { AddrSlotTable } from './addr-slot-table.js';
import { OwnerMapTable } from './owner-map-table.js';
import { OwnerSetTable } from './owner-set-table.js';
import { WindowPool } from './scan-window-pool.js';

export const THRESHOLD_LIMITS = {
  addrScanThreshold: { default: 25, min: 1, max: 1_000_000, unit: 'hosts', doc: 'Zeek Scan::addr_scan_threshold (25 distinct hosts on one port)' },
  portScanThreshold: { default: 15, min: 1, max: 65_536, unit: 'ports', doc: 'Zeek Scan::port_scan_threshold (15 distinct ports on one host)' },
  windowMs: { default: 5 * 60_000, min: 1000, max: 86_400_000, unit: 'ms', doc: 'Zeek Scan::addr_scan_interval / port_scan_interval (5 min)' },
  maxKeys: { default: 200_000, min: 1, max: 10_000_000, unit: 'keys', doc: '(source, port) and (source, host) windows kept in all; the sources that opened theirs first are dropped first' },
} as const;


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
 * State is bounded by maxKeys windows in all: past it the sources that opened windows first are
 * dropped, whole.
 *
 * Layout (no object per contact, nothing for the GC to trace per key): sources get slots in an
 * AddrSlotTable kept in insertion order; (source slot, port) and (source slot, IPv4 host) map to
 * window numbers in two OwnerMapTables (a region per source: a sweep's hundreds of host windows
 * share cache lines, and evicting a source reads one region instead of chasing a chain through a
 * table of all sources); a window's distinct items go in its own set (OwnerSetTable),
 * except the first item, kept inline (most windows of a sweep see one item). Non-IPv4
 * hosts and items (rare) fall back to a Map or Set.
 */
export class ThresholdDetector {
  private readonly limits: ResolvedLimits<typeof THRESHOLD_LIMITS>;
  private readonly sources: AddrSlotTable;
  private readonly byPort = new OwnerMapTable();
  private readonly byHost = new OwnerMapTable();
  /** Non-IPv4 hosts' windows by source slot (sparse: a Map, so IPv4-only traffic never touches it). */
  private readonly textHosts = new Map<number, Map<string, number>>();
  private readonly items = new OwnerSetTable();
  private readonly textItems = new Map<number, Set<string>>();
  private readonly windowPool = new WindowPool();
  private windows = 0;
  private readonly countSuccess: boolean;

  constructor(opts: ThresholdOptions = {}) {
    this.limits = resolveLimits(THRESHOLD_LIMITS, opts.limits, 'detect.threshold');
    this.countSuccess = opts.countSuccess ?? false;
    // Every source holds at least one window, so maxKeys + 1 sources is the most there can be.
    this.sources = new AddrSlotTable(this.limits.maxKeys + 1);
  }

  get trackedKeys(): number {
    return this.windows;
  }

  push(ev: ConnEvent): Alert[] {
    return this.contact(ev.ts, addrKey(ev.src), addrKey(ev.dst), ev.dport, ev.outcome);
  }

  /** A contact of any outcome: counted when it failed (or succeeded, with countSuccess), as push() does. */
  contact(ts: number, src: AddrKey, dst: AddrKey, dport: number, outcome: ConnEvent['outcome']): Alert[] {
    if (outcome === 'unknown' || (outcome === 'success' && !this.countSuccess)) return NONE;
    return this.observe(ts, src, dst, dport);
  }

  /** Low-level entry (the conn.log byte scanner and the bench): one failed contact, addrKey() addresses. */
  observe(ts: number, src: AddrKey, dst: AddrKey, dport: number): Alert[] {
    let s = this.sources.find(src);
    if (s < 0) s = this.sources.insert(src);
    let out: Alert[] | undefined;
    const a = this.step(this.portWindow(s, dport, ts), ts, dst, this.limits.addrScanThreshold);
    if (a >= 0) (out ??= []).push(this.alert('address_scan', ts, src, dport, undefined, a));
    const p = this.step(this.hostWindow(s, dst, ts), ts, dport, this.limits.portScanThreshold);
    if (p >= 0) (out ??= []).push(this.alert('port_scan', ts, src, undefined, dst, p));
    if (this.windows > this.limits.maxKeys) this.evict();
    return out ?? NONE;
  }

  /** Drop the sources that opened windows first (insertion order) until under the bound. */
  private evict(): void {
    while (this.windows > this.limits.maxKeys) {
      const s = this.sources.oldest();
      if (s < 0) break;
      this.windows -= this.dropWindows(this.byPort, s) + this.dropWindows(this.byHost, s);
      const text = this.textHosts.get(s);
      if (text) {
        for (const w of text.values()) this.freeWindow(w);
        this.windows -= text.size;
        this.textHosts.delete(s);
      }
      this.sources.remove(s);
    }
  }

  private dropWindows(table: OwnerMapTable, s: number): number {
    table.forEachValue(s, this.freeWindowFn);
    return table.dropOwner(s);
  }

  private readonly freeWindowFn = (w: number): void => this.freeWindow(w);

  private portWindow(s: number, port: number, ts: number): number {
    const known = this.byPort.get(s, port);
    if (known >= 0) return this.current(known, ts);
    const w = this.openWindow(ts);
    this.byPort.add(s, port, w);
    return w;
  }

  private hostWindow(s: number, host: AddrKey, ts: number): number {
    if (typeof host === 'number') {
      const known = this.byHost.get(s, host);
      if (known >= 0) return this.current(known, ts);
      const w = this.openWindow(ts);
      this.byHost.add(s, host, w);
      return w;
    }
    let map = this.textHosts.get(s);
    if (map === undefined) this.textHosts.set(s, (map = new Map()));
    const known = map.get(host);
    if (known !== undefined) return this.current(known, ts);
    const w = this.openWindow(ts);
    map.set(host, w);
    return w;
  }

  private openWindow(ts: number): number {
    this.windows++;
    const w = this.windowPool.allocate(ts);
    return w;
  }

  /** A window older than windowMs starts over at ts (same key, same number). */
  private current(w: number, ts: number): number {
    const pool = this.windowPool;
    if (ts - pool.start(w) > this.limits.windowMs) {
      this.clearItems(w);
      pool.reset(w, ts);
    }
    return w;
  }

  private freeWindow(w: number): void {
    this.clearItems(w);
    this.windowPool.free(w);
  }

  private clearItems(w: number): void {
    this.items.drop(w);
    if (this.textItems.size !== 0) this.textItems.delete(w);
  }

  /** Count a distinct item into window w; returns w when this item reaches the threshold, else -1. */
  private step(w: number, ts: number, item: AddrKey, threshold: number): number {
    const pool = this.windowPool;
    if (pool.fired(w)) return -1;
    if (typeof item === 'number') {
      if (!pool.hasFirst(w)) pool.setFirst(w, item);
      else {
        if (pool.first(w) === item || this.items.has(w, item)) return -1;
        this.items.add(w, item);
      }
    } else {
      let set = this.textItems.get(w);
      if (set === undefined) this.textItems.set(w, (set = new Set()));
      if (set.has(item)) return -1;
      set.add(item);
    }
    if (pool.bump(w) < threshold) return -1;
    pool.markFired(w);
    this.clearItems(w); // the items are no longer needed once fired: free them
    return w;
  }

  private alert(rule: 'address_scan' | 'port_scan', ts: number, srcKey: AddrKey, dport: number | undefined, dstKey: AddrKey | undefined, w: number): Alert {
    const start = this.windowPool.start(w);
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
      evidence: { threshold: n, windowMs: this.limits.windowMs, windowStart: start, elapsedMs: ts - start, ...(dst !== undefined ? { dst } : {}) },
      indicators: [{ type: src.includes(':') ? 'ipv6-addr' : 'ipv4-addr', value: src }],
    });
  }
}
