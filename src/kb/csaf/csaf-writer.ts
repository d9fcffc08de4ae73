// Writes CSAF 2.0 security advisories (profile csaf_security_advisory, CSAF 2.0 section 4.5) from KB
// records: product tree from CPEs, product status, remediations, scores, threats, notes; and the
// document lifecycle (draft "0" -> final "1" -> "2" ...) that mandatory tests 6.1.14-6.1.22 check.

import type { KbVulnerabilityRecord } from '../../model/kb-records.js';
import { AppError } from '../../core/errors.js';
import { isLogical, parseCpe, unquote } from '../cpe/cpe-binding.js';

export type Tlp = 'WHITE' | 'GREEN' | 'AMBER' | 'RED';
export interface AdvisoryInput {
  readonly trackingId: string;
  readonly title: string;
  readonly publisher: { readonly name: string; readonly namespace: string; readonly category?: 'coordinator' | 'discoverer' | 'other' | 'translator' | 'user' | 'vendor' };
  readonly summary: string;
  readonly tlp?: Tlp;
  readonly references?: readonly { readonly url: string; readonly summary: string }[];
  readonly vulnerabilities: readonly KbVulnerabilityRecord[];
  /** ISO date-time used for tracking dates. */
  readonly now: string;
  /** Base URL the provider directory is served from (default: the publisher namespace). */
  readonly baseUrl?: string;
  /** CWE id -> name (from the CWE catalogue); ids without a name are left out (6.1.11 checks names). */
  readonly cweNames?: ReadonlyMap<string, string>;
}

// CSAF documents are plain JSON; we type only what we touch.
export type CsafDocument = Record<string, unknown> & {
  document: Record<string, unknown> & { tracking: CsafTracking };
};
interface CsafTracking {
  id: string; status: 'draft' | 'interim' | 'final'; version: string;
  initial_release_date: string; current_release_date: string;
  revision_history: { date: string; number: string; summary: string }[];
  generator?: unknown;
}

interface Product { id: string; name: string; cpe?: string }

/** One product per distinct CPE (vulnerable configuration criteria and CNA CPEs) or vendor/product. */
function productsOf(records: readonly KbVulnerabilityRecord[]): { all: Product[]; byVuln: Map<string, string[]> } {
  const all: Product[] = [];
  const byKey = new Map<string, Product>();
  const byVuln = new Map<string, string[]>();
  const get = (key: string, make: () => Omit<Product, 'id'>): string => {
    let p = byKey.get(key);
    if (!p) {
      p = { id: `CSAFPID-${String(all.length + 1).padStart(4, '0')}`, ...make() };
      byKey.set(key, p);
      all.push(p);
    }
    return p.id;
  };
  for (const r of records) {
    const ids = new Set<string>();
    const cpes = [...r.configurations.flatMap((c) => c.nodes.flatMap((n) => n.cpeMatch.filter((m) => m.vulnerable).map((m) => m.criteria))), ...r.affected.flatMap((a) => a.cpes)];
    for (const cpe of cpes) ids.add(get(cpe, () => ({ name: cpeDisplayName(cpe), cpe })));
    if (ids.size === 0) for (const a of r.affected) ids.add(get(`${a.vendor}|${a.product}`, () => ({ name: `${a.vendor} ${a.product}` })));
    byVuln.set(r.id, [...ids]);
  }
  return { all, byVuln };
}

/** "cpe:2.3:o:microsoft:windows_xp:*:sp1:..." -> "microsoft windows_xp sp1". */
export function cpeDisplayName(cpe: string): string {
  const w = parseCpe(cpe);
  return [w.vendor, w.product, w.version, w.update].filter((v) => !isLogical(v)).map((v) => unquote(v)).join(' ');
}

function scoresOf(r: KbVulnerabilityRecord, products: string[]): unknown[] {
  // CSAF 2.0 carries CVSS v2 and v3.x (no v4); one score per version keeps 6.1.x duplicate checks quiet.
  const v3 = r.cvss.find((c) => c.version === '3.1') ?? r.cvss.find((c) => c.version === '3.0');
  const v2 = r.cvss.find((c) => c.version === '2.0');
  if (!products.length || (!v3 && !v2)) return [];
  const s: Record<string, unknown> = { products };
  if (v3) s.cvss_v3 = { version: v3.version, vectorString: v3.vector, baseScore: v3.baseScore, baseSeverity: v3.severity ?? 'NONE' };
  if (v2) s.cvss_v2 = { version: '2.0', vectorString: v2.vector, baseScore: v2.baseScore };
  return [s];
}

function vulnerabilityOf(r: KbVulnerabilityRecord, products: string[], cweNames?: ReadonlyMap<string, string>): Record<string, unknown> {
  const v: Record<string, unknown> = { cve: r.id };
  if (r.title) v.title = r.title;
  const cwe = r.cwes.find((c) => cweNames?.has(c));
  if (cwe) v.cwe = { id: cwe, name: cweNames?.get(cwe) };
  // The security advisory profile requires notes on every vulnerability (mandatory test 6.1.27.5).
  v.notes = [{ category: 'description', title: 'Description', text: r.description ?? r.title ?? `See the references for ${r.id}.` }];
  if (r.published) v.release_date = toDateTime(r.published);
  if (products.length) v.product_status = { known_affected: products };
  const remediations = r.remedies.filter(() => products.length > 0).map((m) => ({
    category: m.category,
    details: [m.id ? `Apply ${m.id}.` : '', m.details ?? ''].join(' ').trim() || 'See the referenced vendor advisory.',
    ...(m.url ? { url: m.url } : {}),
    product_ids: products,
  }));
  if (remediations.length) v.remediations = remediations;
  const scores = scoresOf(r, products);
  if (scores.length) v.scores = scores;
  const threats = [];
  if (r.exploitation || r.kev) {
    threats.push({ category: 'exploit_status', details: r.kev ? `Known exploited (CISA KEV since ${r.kev.dateAdded}).` : `Exploitation: ${r.exploitation}.` });
  }
  if (threats.length) v.threats = threats;
  const ids = r.aliases.filter((a) => a !== r.id).map((a) => ({ system_name: /^MS\d{2}-\d{3}$/.test(a) ? 'Microsoft Security Bulletin' : 'alias', text: a }));
  if (ids.length) v.ids = ids;
  const refs = r.references.slice(0, 20).map((url) => ({ category: 'external', summary: `Reference for ${r.id}`, url }));
  if (refs.length) v.references = refs;
  return v;
}

/** Dates without time ("2003-07-16") become midnight UTC: CSAF wants date-times. */
function toDateTime(d: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d}T00:00:00.000Z` : d;
}

/** CSAF 2.0 section 5.1: lower-case tracking id, every character outside [+\-a-z0-9] replaced by "_". */
export function csafFileName(trackingId: string): string {
  return `${trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_')}.json`;
}

/** Where a provider directory (section 7.1.11, ROLIE-less layout) publishes the document. */
export function canonicalUrl(namespaceOrBase: string, tlp: Tlp, trackingId: string, releaseDate: string): string {
  return `${namespaceOrBase.replace(/\/+$/, '')}/.well-known/csaf/${tlp.toLowerCase()}/${releaseDate.slice(0, 4)}/${csafFileName(trackingId)}`;
}

/** Keys in alphabetical order at every level (optional test 6.2.13) and a stable byte form. */
export function sortKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortKeys) as T;
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) as T;
  }
  return v;
}

export function buildAdvisory(input: AdvisoryInput): CsafDocument {
  if (!/^[\S](.*[\S])?$/.test(input.trackingId)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `invalid tracking id "${input.trackingId}"`);
  const { all, byVuln } = productsOf(input.vulnerabilities);
  const tlp = input.tlp ?? 'WHITE';
  const self = { category: 'self', summary: 'Canonical URL', url: canonicalUrl(input.baseUrl ?? input.publisher.namespace, tlp, input.trackingId, input.now) };
  return sortKeys({
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      lang: 'en',
      title: input.title,
      publisher: { category: input.publisher.category ?? 'coordinator', name: input.publisher.name, namespace: input.publisher.namespace },
      distribution: { tlp: { label: tlp, url: 'https://www.first.org/tlp/' } },
      notes: [{ category: 'summary', title: 'Summary', text: input.summary }],
      references: [self, ...(input.references ?? []).map((r) => ({ category: 'external', summary: r.summary, url: r.url }))],
      tracking: {
        id: input.trackingId,
        status: 'draft',
        version: '0',
        initial_release_date: input.now,
        current_release_date: input.now,
        revision_history: [{ date: input.now, number: '0', summary: 'Draft.' }],
        generator: { engine: { name: 'Vigil', version: '0.1.0' }, date: input.now },
      },
    },
    product_tree: {
      full_product_names: all.map((p) => ({ name: p.name, product_id: p.id, ...(p.cpe ? { product_identification_helper: { cpe: p.cpe } } : {}) })),
    },
    vulnerabilities: input.vulnerabilities.map((r) => vulnerabilityOf(r, byVuln.get(r.id) ?? [], input.cweNames)),
  });
}

/** Publishing: a draft becomes final version "1" (its draft history replaced, per 6.1.18); a final one
 * gets the next integer version and a revision entry. */
export function publishAdvisory(doc: CsafDocument, now: string, summary = 'Initial public release.'): CsafDocument {
  const next = structuredClone(doc);
  const t = next.document.tracking;
  if (t.status === 'draft') {
    t.status = 'final';
    t.version = '1';
    t.initial_release_date = now;
    t.current_release_date = now;
    t.revision_history = [{ date: now, number: '1', summary }];
    // The canonical URL's year folder follows the initial release date, which is set only now.
    for (const r of (next.document.references as { category: string; url: string }[] | undefined) ?? []) {
      if (r.category === 'self') r.url = r.url.replace(/\/\d{4}\/([^/]+\.json)$/, `/${now.slice(0, 4)}/$1`);
    }
  } else {
    t.version = String(Number(t.version) + 1);
    t.current_release_date = now;
    t.revision_history.push({ date: now, number: t.version, summary });
  }
  if (t.generator && typeof t.generator === 'object') (t.generator as Record<string, unknown>).date = now;
  return next;
}

/** An edit: apply `change` to a copy; a released document gets a new version, a draft stays "0". */
export function editAdvisory(doc: CsafDocument, change: (d: CsafDocument) => void, now: string, summary: string): CsafDocument {
  const edited = structuredClone(doc);
  change(edited);
  if (edited.document.tracking.status === 'draft') {
    edited.document.tracking.current_release_date = now;
    return edited;
  }
  return publishAdvisory(edited, now, summary);
}
