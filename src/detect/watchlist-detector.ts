// Partner indicators: an event whose source address falls under an indicator a partner shared
// raises one `intel/partner_indicator` alert naming the partner and the indicator (the router's
// dedup window keeps a busy source from repeating it). The list is replaced whole when partners update.

import type { Alert } from '../model/alert.js';
import type { VigilEvent } from '../model/event.js';
import type { WatchIndicator } from '../model/watch.js';
import { addrKey, addrText, type AddrKey } from './addr-key.js';
import { makeAlert } from './alert-factory.js';
import { Allowlist } from './allowlist.js';

/** Indicators held at most; beyond, the newest are dropped (and counted) so memory stays bounded. */
export const MAX_WATCH_INDICATORS = 1_000_000;
const NONE: Alert[] = Object.freeze([]) as unknown as Alert[];

export class WatchlistDetector {
  /** Exact addresses (the usual indicator), looked up in one Map probe per event: dotted IPv4 by its
   * addrKey() number (the conn.log path has no text to give), anything else by lower-case text. */
  private exact = new Map<AddrKey, WatchIndicator[]>();
  /** Prefixes, each with its own matcher (few: partners mostly share single addresses). */
  private prefixes: { list: Allowlist; w: WatchIndicator }[] = [];
  dropped = 0;
  rejected = 0;

  get size(): number {
    return this.exact.size + this.prefixes.length;
  }

  /** Replaces the whole list; an entry that is not an address or prefix is counted and skipped. */
  replace(list: readonly WatchIndicator[]): void {
    const exact = new Map<AddrKey, WatchIndicator[]>();
    const prefixes: { list: Allowlist; w: WatchIndicator }[] = [];
    let n = 0;
    this.dropped = 0;
    this.rejected = 0;
    for (const w of list) {
      if (n >= MAX_WATCH_INDICATORS) {
        this.dropped++;
        continue;
      }
      let m: Allowlist;
      try {
        m = new Allowlist([w.value], 'watchlist');
      } catch {
        this.rejected++;
        continue;
      }
      n++;
      if (w.value.includes('/')) prefixes.push({ list: m, w });
      else {
        const key = canonical(addrKey(w.value));
        exact.set(key, [...(exact.get(key) ?? []), w]);
      }
    }
    this.exact = exact;
    this.prefixes = prefixes;
  }

  push(ev: VigilEvent): Alert[] {
    return this.size === 0 ? NONE : this.contact(ev.ts, addrKey(ev.src), ev.dport);
  }

  /**
   * The conn.log path's form (address key, no event object). A source that matches nothing costs a
   * Map probe and the prefix scan, with no text made from its address and nothing allocated.
   */
  contact(ts: number, src: AddrKey, dport: number): Alert[] {
    if (this.size === 0) return NONE;
    const exact = this.exact.get(canonical(src));
    let hits: WatchIndicator[] | undefined = exact;
    for (const p of this.prefixes) if (p.list.has(src)) (hits = hits === exact ? [...(exact ?? [])] : hits!).push(p.w);
    return hits === undefined ? NONE : this.alerts(ts, addrText(src), dport, hits);
  }

  private alerts(ts: number, src: string, dport: number, hits: readonly WatchIndicator[]): Alert[] {
    const live = hits.filter((w) => w.validUntil === undefined || ts <= w.validUntil);
    if (live.length === 0) return NONE;
    return live.map((w) => makeAlert({
      ts, detector: 'intel', rule: 'partner_indicator', severity: 'high', src, dport,
      title: `${src} matches an indicator shared by ${w.partner}: ${w.name}`.slice(0, 300),
      dedupKey: `intel:partner_indicator:${w.partner}:${w.indicatorId}:${src}`,
      evidence: { partner: w.partner, indicatorId: w.indicatorId, indicator: w.name, matched: w.value },
      indicators: [{ type: src.includes(':') ? 'ipv6-addr' : 'ipv4-addr', value: src }],
    }));
  }
}

/** IPv6 text has many spellings; compare lower-case (the sensor and indicators both write RFC 5952 mostly). */
function canonical(a: AddrKey): AddrKey {
  return typeof a === 'number' ? a : a.toLowerCase();
}
