// Merges per-source fragments of one vulnerability into the record Vigil shows, keeping provenance:
// our curated data first, then the CVE record's CNA container (authoritative), NVD, ADP containers
// (e.g. CISA Vulnrichment, where the CNA is silent), CSAF; scores, references and timelines are unions.

import type {
  AffectedProduct, KbFragment, KbSearchKeys, KbVulnerabilityRecord, VulnFragment,
} from '../model/kb-records.js';
import type { CvssScore, Remedy, TimelineEntry } from '../model/vulnerability.js';
import { parseCpe, unquote } from './cpe/cpe-binding.js';

/** Lower rank wins for single-valued fields. */
function rank(source: string): number {
  if (source === 'vigil') return 0;
  if (source === 'cve5:cna') return 1;
  if (source === 'nvd') return 2;
  if (source.startsWith('cve5:adp')) return 3;
  if (source === 'kev') return 4;
  if (source.startsWith('csaf:')) return 5;
  return 6;
}

type Scalar = 'title' | 'description' | 'published' | 'modified' | 'exploitation' | 'state';
const SCALARS: readonly Scalar[] = ['title', 'description', 'published', 'modified', 'exploitation', 'state'];

const uniq = <T>(xs: readonly T[], key: (x: T) => string): T[] => {
  const seen = new Set<string>();
  return xs.filter((x) => { const k = key(x); if (seen.has(k)) return false; seen.add(k); return true; });
};

/** The first non-empty value by source precedence, and where it came from. */
function pick<K extends keyof VulnFragment>(frags: readonly KbFragment[], field: K): [VulnFragment[K], string] | undefined {
  for (const f of frags) {
    const v = f.data[field];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0) || v === '') continue;
    return [v, f.source];
  }
  return undefined;
}

export function mergeFragments(id: string, fragmentsIn: readonly KbFragment[]): KbVulnerabilityRecord {
  const frags = [...fragmentsIn].sort((a, b) => rank(a.source) - rank(b.source) || a.source.localeCompare(b.source));
  const provenance: Record<string, string> = {};
  const scalar: Partial<Record<Scalar, string>> = {};
  for (const k of SCALARS) {
    const p = pick(frags, k);
    if (p) { scalar[k] = p[0] as string; provenance[k] = p[1]; }
  }
  const cwesP = pick(frags, 'cwes');
  if (cwesP) provenance.cwes = cwesP[1];
  const kevP = pick(frags, 'kev');
  if (kevP) provenance.kev = kevP[1];
  const epssP = pick(frags, 'epss');
  if (epssP) provenance.epss = epssP[1];
  const configP = pick(frags, 'configurations');
  if (configP) provenance.configurations = configP[1];
  // CNA affected entries are authoritative; an ADP's are used only when no higher source has any.
  const affectedP = pick(frags, 'affected');
  const affected = affectedP ? (affectedP[0] as readonly AffectedProduct[]).map((a) => ({ ...a, source: affectedP[1] })) : [];
  if (affectedP) provenance.affected = affectedP[1];
  const all = <T>(f: (x: VulnFragment) => readonly T[] | undefined): T[] => frags.flatMap((x) => f(x.data) ?? []);
  const cvss = uniq(frags.flatMap((f) => (f.data.cvss ?? []).map((c): CvssScore => ({ ...c, source: c.source ?? f.source }))), (c) => `${c.vector}|${c.source}`);
  const timeline = uniq(all<TimelineEntry>((x) => x.timeline), (t) => `${t.kind}|${t.date}|${t.note ?? ''}`)
    .sort((a, b) => a.date.localeCompare(b.date) || a.kind.localeCompare(b.kind));
  return {
    id,
    state: (scalar.state as 'PUBLISHED' | 'REJECTED' | undefined) ?? 'PUBLISHED',
    aliases: uniq(all<string>((x) => x.aliases), (s) => s),
    title: scalar.title,
    description: scalar.description,
    cwes: (cwesP?.[0] as readonly string[] | undefined) ?? [],
    cvss,
    epss: epssP?.[0] as KbVulnerabilityRecord['epss'],
    kev: kevP?.[0] as KbVulnerabilityRecord['kev'],
    exploitation: scalar.exploitation,
    published: scalar.published,
    modified: scalar.modified,
    ports: uniq(all<number>((x) => x.ports), String).sort((a, b) => a - b),
    references: uniq(all<string>((x) => x.references), (s) => s),
    remedies: uniq(all<Remedy>((x) => x.remedies), (r) => `${r.category}|${r.id ?? ''}|${r.url ?? ''}`),
    timeline,
    affected,
    configurations: (configP?.[0] as KbVulnerabilityRecord['configurations'] | undefined) ?? [],
    provenance,
    sources: frags.map((f) => f.source),
  };
}

/** "Microsoft Corporation" -> "microsoft_corporation": the CPE-style token used for vendor/product search. */
export const productToken = (s: string): string => s.trim().toLowerCase().replace(/\s+/g, '_');

/** Search columns for a merged record. */
export function searchKeys(r: KbVulnerabilityRecord): KbSearchKeys {
  const cpes = new Set<string>();
  const products = new Set<string>();
  for (const c of r.configurations) for (const n of c.nodes) for (const m of n.cpeMatch) if (m.vulnerable) cpes.add(m.criteria);
  for (const a of r.affected) {
    for (const c of a.cpes) cpes.add(c);
    if (a.vendor !== 'n/a' && a.product !== 'n/a') products.add(`${productToken(a.vendor)}:${productToken(a.product)}`);
  }
  for (const c of cpes) {
    try {
      const w = parseCpe(c);
      products.add(`${unquote(w.vendor) ?? '*'}:${unquote(w.product) ?? '*'}`);
    } catch { /* an unparsable CPE stays searchable as text only */ }
  }
  // The score to rank and filter by comes from the newest CVSS version present: NVD kept its v2
  // scores beside v3.1, and v2 often says more (CVE-2017-0144: v2 9.3, v3.1 8.8); the newer
  // version is the one that source means today. Several sources of that version: the highest.
  const newest = r.cvss.reduce((v, c) => (Number(c.version) > v ? Number(c.version) : v), 0);
  const scores = r.cvss.filter((c) => Number(c.version) === newest).map((c) => c.baseScore);
  return {
    id: r.id,
    title: r.title,
    text: [r.id, ...r.aliases, r.title ?? '', r.description ?? ''].join(' '),
    published: r.published,
    modified: r.modified,
    cvssMax: scores.length ? Math.max(...scores) : undefined,
    epss: r.epss?.score,
    kevAdded: r.kev?.dateAdded,
    products: [...products],
    cpes: [...cpes],
  };
}

/** The MergeFn the store calls inside its transaction. */
export function mergeForStore(id: string, fragments: readonly KbFragment[]): { record: KbVulnerabilityRecord; keys: KbSearchKeys } {
  const record = mergeFragments(id, fragments);
  return { record, keys: searchKeys(record) };
}
