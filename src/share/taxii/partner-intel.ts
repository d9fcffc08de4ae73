// Partners' STIX 2.1 indicators as a watchlist: the address comparisons of their patterns (STIX 2.1
// section 9: `[ipv4-addr:value = '...']`, several joined by OR, CIDR values, ISSUBSET), the latest
// version of each indicator, revoked ones dropped. Patterns of other shapes are counted, not guessed at.

import type { WatchIndicator } from '../../model/watch.js';
import type { StixLike } from './taxii-collection.js';

/** Longest pattern looked at (a partner's pattern is data from outside). */
export const MAX_PATTERN_CHARS = 4096;
/** Addresses taken from one pattern. */
export const MAX_VALUES_PER_PATTERN = 256;

const COMPARISON = /(ipv[46]-addr):value\s*(?:=|ISSUBSET)\s*'((?:[^'\\]|\\.){1,64})'/g;
/** Only comparisons, OR, AND and brackets: anything else (FOLLOWEDBY, WITHIN, other objects) is not a plain address list. */
const PLAIN = /^[\s[\]()]*(?:ipv[46]-addr:value\s*(?:=|ISSUBSET)\s*'(?:[^'\\]|\\.){1,64}'[\s[\]()]*(?:(?:OR|AND)[\s[\]()]*)?)+$/;

/** The addresses an indicator's pattern names, or undefined when it is not a plain address pattern. */
export function patternAddresses(pattern: string): string[] | undefined {
  if (pattern.length > MAX_PATTERN_CHARS || !PLAIN.test(pattern) || /\bAND\b/.test(pattern)) return undefined;
  const out: string[] = [];
  for (const m of pattern.matchAll(COMPARISON)) {
    if (out.length === MAX_VALUES_PER_PATTERN) break;
    out.push(m[2]!.replace(/\\(.)/g, '$1'));
  }
  return out.length ? out : undefined;
}

/** What one partner shared, newest version of each indicator; `list()` is the watchlist entries. */
export class PartnerIntel {
  private readonly byPartner = new Map<string, Map<string, { modified: string; entries: WatchIndicator[] }>>();
  unsupported = 0;

  /** Takes a partner's objects (any types; indicators are kept). Returns how many indicators changed. */
  ingest(partner: string, objects: readonly StixLike[]): number {
    const mine = this.byPartner.get(partner) ?? new Map<string, { modified: string; entries: WatchIndicator[] }>();
    this.byPartner.set(partner, mine);
    let changed = 0;
    for (const o of objects) {
      if (o.type !== 'indicator' || typeof o.pattern !== 'string') continue;
      const modified = typeof o.modified === 'string' ? o.modified : '';
      const held = mine.get(o.id);
      if (held && held.modified >= modified) continue;
      changed++;
      if (o.revoked === true || (o.pattern_type !== undefined && o.pattern_type !== 'stix')) {
        mine.delete(o.id);
        continue;
      }
      const addrs = patternAddresses(o.pattern);
      if (!addrs) {
        this.unsupported++;
        mine.delete(o.id);
        continue;
      }
      const until = typeof o.valid_until === 'string' ? Date.parse(o.valid_until) : NaN;
      const name = typeof o.name === 'string' && o.name !== '' ? o.name.slice(0, 200) : o.pattern.slice(0, 200);
      mine.set(o.id, {
        modified,
        entries: addrs.map((value) => ({ value, partner, indicatorId: o.id, name, ...(Number.isFinite(until) ? { validUntil: until } : {}) })),
      });
    }
    return changed;
  }

  list(): WatchIndicator[] {
    return [...this.byPartner.values()].flatMap((m) => [...m.values()].flatMap((e) => e.entries));
  }
}
