// Subscriptions: what a team wants to hear about when a feed adds or changes a vulnerability
// (OpenCVE's vendor/product subscriptions, plus keywords for records that carry no CPE yet: the
// usual complaint about CPE-only matching is that NVD adds CPEs days after the CVE is published).

import type { KbVulnerabilityRecord } from '../../model/kb-records.js';
import { productToken, searchKeys } from '../merge-record.js';

export interface Subscriptions {
  /** CPE or CNA vendor names, e.g. `microsoft` (case-insensitive, spaces as `_`). */
  readonly vendors: readonly string[];
  /** `vendor:product` or a bare product, e.g. `microsoft:windows_xp`, `windows_server_2003`. */
  readonly products: readonly string[];
  /** Words or phrases found in the title or description (case-insensitive), e.g. `dcom`, `rpcss`. */
  readonly keywords: readonly string[];
}

export const NO_SUBSCRIPTIONS: Subscriptions = { vendors: [], products: [], keywords: [] };


/** Why a record matches the subscriptions ("vendor microsoft", "keyword dcom"); empty when it does not. */
export function subscriptionHits(rec: KbVulnerabilityRecord, subs: Subscriptions): string[] {
  const hits: string[] = [];
  if (subs.vendors.length > 0 || subs.products.length > 0) {
    const tokens = new Set(searchKeys(rec).products); // the tokens `kb search --vendor/--product` matches
    const vendors = new Set([...tokens].map((t) => t.slice(0, t.indexOf(':'))));
    const products = new Set([...tokens].map((t) => t.slice(t.indexOf(':') + 1)));
    for (const v of subs.vendors) if (vendors.has(productToken(v))) hits.push(`vendor ${v}`);
    for (const p of subs.products) if (p.includes(':') ? tokens.has(productToken(p)) : products.has(productToken(p))) hits.push(`product ${p}`);
  }
  if (subs.keywords.length > 0) {
    const text = `${rec.title ?? ''}\n${rec.description ?? ''}`.toLowerCase();
    for (const k of subs.keywords) if (k.trim() !== '' && text.includes(k.trim().toLowerCase())) hits.push(`keyword ${k}`);
  }
  return hits;
}
