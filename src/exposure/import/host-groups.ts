// Port scanners (masscan, naabu) print one record per open port; this groups them per host into
// one observation each, counting hosts against maxHosts as they appear.

import { AppError } from '../../core/errors.js';
import { ObservationBuilder, type AssetObservation } from '../asset-observation.js';
import type { ImportLimits } from '../exposure-limits.js';

export class HostGroups {
  private readonly hosts = new Map<string, { b: ObservationBuilder; seen: number }>();

  constructor(private readonly limits: ImportLimits, private readonly source: string) {}

  /** The builder of host `key` (an address or host name), created on first sight. */
  host(key: string, where: string, seen: number): ObservationBuilder {
    let h = this.hosts.get(key);
    if (!h) {
      if (this.hosts.size >= this.limits.maxHosts) throw new AppError('VIGIL_ERR_LIMIT', `${where}: more than maxHosts (${this.limits.maxHosts}) hosts`);
      h = { b: new ObservationBuilder(this.limits, this.source), seen };
      this.hosts.set(key, h);
    }
    h.seen = Math.max(h.seen, seen);
    return h.b;
  }

  observations(origin: string): AssetObservation[] {
    const out: AssetObservation[] = [];
    for (const { b, seen } of this.hosts.values()) {
      const o = b.build(seen, origin);
      if (o) out.push(o);
    }
    return out;
  }
}

/** Epoch seconds (number or digit string) or an RFC 3339 time -> epoch ms; `fallback` when absent or unreadable. */
export function timeOf(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string' && /^\d{1,12}$/.test(v)) return Number(v) * 1000;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  return fallback;
}
