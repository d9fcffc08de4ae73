// Does a vulnerability affect a host product? NVD configurations when a record has them; otherwise the
// CNA `affected` entries (CVE JSON 5.1 version semantics), and as a last resort a vendor/product keyword
// match on the text, so that a brand-new CVE alerts before NVD adds CPEs (OpenCVE's most-reported gap).

import type { AffectedProduct, AffectedVersion, KbVulnerabilityRecord } from '../../model/kb-records.js';
import { isLogical, parseCpe, unquote, type Wfn } from './cpe-binding.js';
import { evaluateConfigurations } from './cpe-applicability.js';
import { isSuperset } from './cpe-match.js';
import { compareVersions } from './version-compare.js';

export type Verdict = 'affected' | 'possibly_affected' | 'not_affected';
export interface AffectedMatch {
  readonly verdict: Verdict;
  /** How the verdict was reached: NVD configurations, CNA affected data, or keywords. */
  readonly basis: 'configurations' | 'cna_affected' | 'keyword' | 'none';
}

type Rec = Pick<KbVulnerabilityRecord, 'configurations' | 'affected' | 'title' | 'description'>;

/** "Microsoft Corporation" and "microsoft" meet on words: every host word must appear in the entry,
 * exactly or (for words of 4+ characters) as the start of one, so "log4j" finds "Log4j2". */
const words = (s: string): string[] => s.toLowerCase().split(/[^a-z0-9.]+/).filter((w) => w.length > 0 && w !== 'n/a');
const covers = (entry: string, host: string): boolean => {
  const e = words(entry);
  const exact = new Set(e);
  const h = words(host.replace(/_/g, ' '));
  return h.length > 0 && h.every((w) => exact.has(w) || (w.length >= 4 && e.some((x) => x.startsWith(w))));
};

/** CVE JSON 5.1 "versions" semantics: a range entry covers [version, lessThan) or [version, lessThanOrEqual];
 * a plain entry names one version; the last matching entry's status decides, else defaultStatus. */
export function versionStatus(a: AffectedProduct, version: string | undefined): AffectedVersion['status'] {
  if (version === undefined) return a.versions.some((v) => v.status === 'affected') ? 'unknown' : (a.defaultStatus as AffectedVersion['status']) ?? 'unknown';
  let status: AffectedVersion['status'] | undefined;
  for (const v of a.versions) {
    const hi = v.lessThan ?? v.lessThanOrEqual;
    // A wildcard bound ("log4j-core*", "*") means "all later versions".
    const openEnded = hi !== undefined && hi.includes('*');
    const lowOk = v.version === '0' || v.version === '*' || compareVersions(version, v.version) >= 0;
    const inRange = hi === undefined
      ? compareVersions(version, v.version) === 0
      : lowOk && (openEnded || (v.lessThan !== undefined ? compareVersions(version, hi) < 0 : compareVersions(version, hi) <= 0));
    if (!inRange) continue;
    status = v.status;
    // `changes` flip the status at given versions inside the range, in ascending order.
    for (const ch of [...(v.changes ?? [])].sort((x, y) => compareVersions(x.at, y.at))) {
      if (compareVersions(version, ch.at) >= 0) status = ch.status;
    }
  }
  return status ?? ((a.defaultStatus as AffectedVersion['status'] | undefined) ?? 'unknown');
}

function hostVendorProduct(w: Wfn): { vendor: string; product: string; version?: string } | undefined {
  const vendor = unquote(w.vendor);
  const product = unquote(w.product);
  if (!vendor || !product) return undefined;
  return { vendor, product, version: isLogical(w.version) ? undefined : unquote(w.version) };
}

/** One host may be several CPEs (an OS and its components): NVD configurations are evaluated on all of
 * them together (running-on/with); the fallbacks look at each CPE on its own. `cpe` is the matching one. */
export function matchAffected(r: Rec, host: string | readonly string[]): AffectedMatch & { cpe?: string } {
  const cpes = typeof host === 'string' ? [host] : host;
  if (r.configurations.length > 0) {
    const strict = evaluateConfigurations(r.configurations, cpes);
    if (strict.affected) return { verdict: 'affected', basis: 'configurations', cpe: strict.vulnerableCpes[0] };
    const loose = evaluateConfigurations(r.configurations, cpes, { lenient: true });
    if (loose.affected) return { verdict: 'possibly_affected', basis: 'configurations', cpe: loose.vulnerableCpes[0] };
    return { verdict: 'not_affected', basis: 'configurations' };
  }
  let best: (AffectedMatch & { cpe?: string }) | undefined;
  for (const cpe of cpes) {
    const m = fallbackMatch(r, cpe);
    if (m.verdict === 'affected') return { ...m, cpe };
    if (m.verdict === 'possibly_affected' && best?.verdict !== 'possibly_affected') best = { ...m, cpe };
    best ??= m;
  }
  return best ?? { verdict: 'not_affected', basis: 'none' };
}

function fallbackMatch(r: Rec, hostCpe: string): AffectedMatch {
  const host = parseCpe(hostCpe);
  const hv = hostVendorProduct(host);
  if (!hv) return { verdict: 'not_affected', basis: 'none' };
  const entries = r.affected.filter((a) => (a.cpes.length > 0 && a.cpes.some((c) => isSuperset(parseCpe(c), host)))
    // Some CNAs (Microsoft) put part of the product name in the version ("7 for x64-based Systems").
    || (covers(a.vendor, hv.vendor) && covers(`${a.product} ${a.versions.map((v) => v.version).join(' ')}`, hv.product)));
  if (entries.length > 0) {
    const statuses = entries.map((a) => versionStatus(a, hv.version));
    if (statuses.includes('affected')) return { verdict: 'affected', basis: 'cna_affected' };
    if (statuses.includes('unknown')) return { verdict: 'possibly_affected', basis: 'cna_affected' };
    return { verdict: 'not_affected', basis: 'cna_affected' };
  }
  const text = `${r.title ?? ''} ${r.description ?? ''}`;
  if (covers(text, hv.vendor) && covers(text, hv.product)) return { verdict: 'possibly_affected', basis: 'keyword' };
  return { verdict: 'not_affected', basis: 'none' };
}
