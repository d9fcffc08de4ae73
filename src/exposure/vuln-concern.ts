// Which assets a new or changed vulnerability concerns, decided from the assets' CPE facts alone: the
// feed watcher asks this when NVD, a CNA or a CSAF provider publishes something, so that a team hears
// about its own machines the day the record appears, not at the next import. Records without CPEs yet
// (NVD adds them days later, OpenCVE's users' usual complaint) still match through the CNA's vendor and
// product names or, failing those, the product named in the description: `possibly_affected`. Pure.

import { parseCpe, unquote } from '../kb/cpe/cpe-binding.js';
import { matchAffected } from '../kb/cpe/affected-match.js';
import { searchKeys } from '../kb/merge-record.js';
import type { KbVulnerabilityRecord } from '../model/kb-records.js';

export interface AssetConcern {
  readonly assetId: string;
  readonly verdict: 'affected' | 'possibly_affected';
  readonly basis: string;
  /** The asset CPE that matched, when the basis names one. */
  readonly cpe?: string;
}

/**
 * Assets (by their CPE facts) the record affects or possibly affects, affected first, then by asset id.
 * Only assets with a CPE whose vendor:product the record names, or whose vendor and product words its
 * text contains, are evaluated; assets sharing one CPE set are evaluated once.
 */
export function assetsConcerned(rec: KbVulnerabilityRecord, cpesByAsset: ReadonlyMap<string, readonly string[]>): AssetConcern[] {
  const tokens = new Set(searchKeys(rec).products);
  const text = `${rec.title ?? ''} ${rec.description ?? ''}`.toLowerCase();
  const verdictOf = new Map<string, ReturnType<typeof matchAffected>>();
  const out: AssetConcern[] = [];
  for (const [assetId, cpes] of cpesByAsset) {
    if (!cpes.some((c) => mentioned(c, tokens, text))) continue;
    const key = [...cpes].sort().join('\n');
    let m = verdictOf.get(key);
    if (!m) {
      m = matchAffected(rec, cpes);
      verdictOf.set(key, m);
    }
    if (m.verdict === 'not_affected') continue;
    out.push({ assetId, verdict: m.verdict, basis: m.basis, ...(m.cpe !== undefined ? { cpe: m.cpe } : {}) });
  }
  return out.sort((a, b) => (a.verdict === b.verdict ? 0 : a.verdict === 'affected' ? -1 : 1) || a.assetId.localeCompare(b.assetId));
}

/** The cheap pre-filter: the record names the CPE's vendor:product, or its text names the vendor. */
function mentioned(cpe: string, tokens: ReadonlySet<string>, text: string): boolean {
  let vendor: string | undefined;
  let product: string | undefined;
  try {
    const w = parseCpe(cpe);
    vendor = unquote(w.vendor);
    product = unquote(w.product);
  } catch {
    return false; // an unparsable CPE fact matches nothing
  }
  if (!vendor || !product) return false;
  return tokens.has(`${vendor}:${product}`) || text.includes(vendor.replace(/_/g, ' '));
}
