// Which known vulnerabilities affect a host described by CPE names (from nmap, an inventory, a banner):
// an indexed vendor:product pre-filter in the store, then applicability per record (configurations,
// CNA affected data, keyword fallback). The library call behind /api/v1/vulns?cpe= and exposure matching.

import { AppError } from '../core/errors.js';
import type { VulnQuery, VulnSummary } from '../model/kb-records.js';
import { parseCpe, unquote } from './cpe/cpe-binding.js';
import { matchAffected, type AffectedMatch } from './cpe/affected-match.js';
import type { KbStorePort } from './kb-store-port.js';

export interface HostMatch extends VulnSummary, AffectedMatch {
  /** The host CPE that matched. */
  readonly cpe: string;
}

/** "cpe:/o:microsoft:windows_xp::sp1" -> "microsoft:windows_xp" (the store's product token). */
export function vendorProductKey(cpe: string): string {
  let w;
  try { w = parseCpe(cpe); } catch (e) { throw new AppError('VIGIL_ERR_BAD_ARGUMENT', (e as Error).message); }
  const vendor = unquote(w.vendor);
  const product = unquote(w.product);
  if (!vendor || !product) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${cpe}: a CPE must name a vendor and a product to be matched`);
  return `${vendor}:${product}`;
}

/** The longest word of the product name ("windows_server_2003" -> "windows"), if it is specific enough. */
function productWord(cpe: string): string | undefined {
  const product = unquote(parseCpe(cpe).product) ?? '';
  const w = product.split(/[^a-z0-9]+/i).sort((a, b) => b.length - a.length)[0];
  return w && w.length >= 4 ? w : undefined;
}

/** Candidates per query are capped (`maxCandidates`) so that one very common product cannot make a request unbounded. */
export async function vulnerabilitiesForHost(
  kb: KbStorePort,
  cpes: readonly string[],
  filter: Omit<VulnQuery, 'cpeVendorProduct' | 'limit' | 'offset'> = {},
  maxCandidates = 50_000,
): Promise<HostMatch[]> {
  const candidates = new Map<string, VulnSummary>();
  // The store pages at most 1000 rows; walk the pages up to the cap.
  const collect = async (q: VulnQuery): Promise<void> => {
    for (let offset = 0; offset < maxCandidates; offset += 1000) {
      const page = await kb.searchVulns({ ...q, limit: 1000, offset });
      for (const c of page.items) candidates.set(c.id, c);
      if (page.items.length < 1000) return;
    }
  };
  for (const cpe of cpes) {
    await collect({ ...filter, cpeVendorProduct: vendorProductKey(cpe) });
    // Records without CPEs yet (CNA data only, or legacy text) are found by the product's main word;
    // matchAffected then decides from the CNA versions or the keywords.
    const word = productWord(cpe);
    if (word) await collect({ ...filter, text: word });
  }
  const out: HostMatch[] = [];
  for (const c of candidates.values()) {
    const rec = await kb.getVulnerability(c.id);
    if (!rec) continue;
    // All host CPEs together: a running-on/with configuration needs the platform and the component.
    const m = matchAffected(rec, cpes);
    if (m.verdict !== 'not_affected') out.push({ ...c, verdict: m.verdict, basis: m.basis, cpe: m.cpe ?? cpes[0] });
  }
  return out.sort((a, b) => (b.cvssMax ?? 0) - (a.cvssMax ?? 0) || a.id.localeCompare(b.id));
}
