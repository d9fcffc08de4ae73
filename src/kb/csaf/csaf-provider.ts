// A CSAF provider directory as a map of paths to bodies, served by the node: provider-metadata.json,
// per-TLP folders with per-year documents, index.txt, changes.csv, .sha256/.sha512 and a ROLIE feed.
// Follows CSAF 2.0 section 7.1 (requirements 7-15: provider-metadata, directory listings, hashes, ROLIE).

import { createHash } from 'node:crypto';
import type { CsafDocument, Tlp } from './csaf-writer.js';
import { csafFileName } from './csaf-writer.js';

export interface ProviderOptions {
  /** e.g. "https://vigil.example.org" (no trailing slash needed). */
  readonly baseUrl: string;
  readonly publisher: { readonly category: string; readonly name: string; readonly namespace: string };
  readonly role?: 'csaf_publisher' | 'csaf_provider' | 'csaf_trusted_provider';
  /** Time of the listing; defaults to the newest document's current_release_date. */
  readonly now?: string;
}

export interface DirectoryFile { readonly contentType: string; readonly body: string }
export type ProviderDirectory = Map<string, DirectoryFile>;

export const WELL_KNOWN = '/.well-known/csaf';
const JSON_TYPE = 'application/json';
const TEXT = 'text/plain; charset=utf-8';

const tlpOf = (d: CsafDocument): Tlp => {
  const dist = d.document.distribution as { tlp?: { label?: string } } | undefined;
  return (dist?.tlp?.label as Tlp | undefined) ?? 'WHITE';
};

/** Path of a document inside the directory: "<tlp>/<year of initial release>/<file name>". */
export function documentPath(d: CsafDocument): string {
  const t = d.document.tracking;
  return `${tlpOf(d).toLowerCase()}/${t.initial_release_date.slice(0, 4)}/${csafFileName(t.id)}`;
}

const hex = (algo: 'sha256' | 'sha512', body: string): string => createHash(algo).update(body, 'utf8').digest('hex');

/** Builds the directory. Only final/interim TLP:WHITE documents are public; drafts and other TLPs stay
 * out, because a plain web directory has no access control (section 7.1.2 requires it for them). */
export function buildProviderDirectory(docs: readonly CsafDocument[], opts: ProviderOptions): ProviderDirectory {
  const base = opts.baseUrl.replace(/\/+$/, '') + WELL_KNOWN;
  const published = docs
    .filter((d) => d.document.tracking.status !== 'draft' && tlpOf(d) === 'WHITE')
    .sort((a, b) => b.document.tracking.current_release_date.localeCompare(a.document.tracking.current_release_date));
  const out: ProviderDirectory = new Map();
  const now = opts.now ?? published[0]?.document.tracking.current_release_date ?? new Date(0).toISOString();
  const feedPath = 'white/csaf-feed-tlp-white.json';
  const entries = [];
  for (const d of published) {
    const p = documentPath(d);
    const body = JSON.stringify(d, null, 2) + '\n';
    const name = p.split('/').pop() as string;
    out.set(`${WELL_KNOWN}/${p}`, { contentType: JSON_TYPE, body });
    // Hash files follow the sha256sum/sha512sum line format (section 7.1.18).
    out.set(`${WELL_KNOWN}/${p}.sha256`, { contentType: TEXT, body: `${hex('sha256', body)}  ${name}\n` });
    out.set(`${WELL_KNOWN}/${p}.sha512`, { contentType: TEXT, body: `${hex('sha512', body)}  ${name}\n` });
    const t = d.document.tracking;
    const summary = ((d.document.notes as { category: string; text: string }[] | undefined) ?? []).find((n) => n.category === 'summary')?.text;
    entries.push({
      id: t.id,
      title: String(d.document.title),
      link: [{ rel: 'self', href: `${base}/${p}` }, { rel: 'hash', href: `${base}/${p}.sha256` }, { rel: 'hash', href: `${base}/${p}.sha512` }],
      published: t.initial_release_date,
      updated: t.current_release_date,
      ...(summary ? { summary: { content: summary } } : {}),
      content: { type: JSON_TYPE, src: `${base}/${p}` },
      format: { schema: 'https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json', version: '2.0' },
    });
  }
  const rel = (d: CsafDocument): string => documentPath(d).slice('white/'.length);
  // index.txt: every document path relative to the TLP folder (7.1.13); changes.csv: path and time, newest first (7.1.14).
  out.set(`${WELL_KNOWN}/white/index.txt`, { contentType: TEXT, body: published.map((d) => rel(d) + '\n').sort().join('') });
  out.set(`${WELL_KNOWN}/white/changes.csv`, { contentType: 'text/csv; charset=utf-8', body: published.map((d) => `"${rel(d)}","${d.document.tracking.current_release_date}"\n`).join('') });
  out.set(`${WELL_KNOWN}/${feedPath}`, { contentType: JSON_TYPE, body: JSON.stringify({ feed: {
    id: 'vigil-csaf-feed-tlp-white',
    title: `${opts.publisher.name} CSAF feed (TLP:WHITE)`,
    link: [{ rel: 'self', href: `${base}/${feedPath}` }],
    category: [{ scheme: 'urn:ietf:params:rolie:category:information-type', term: 'csaf' }],
    updated: now,
    entry: entries,
  } }, null, 2) });
  out.set(`${WELL_KNOWN}/provider-metadata.json`, { contentType: JSON_TYPE, body: JSON.stringify(providerMetadata(opts, base, feedPath, now), null, 2) });
  return out;
}

function providerMetadata(opts: ProviderOptions, base: string, feedPath: string, now: string): unknown {
  return {
    canonical_url: `${base}/provider-metadata.json`,
    distributions: [
      { directory_url: `${base}/white/` },
      { rolie: { feeds: [{ summary: `All TLP:WHITE advisories of ${opts.publisher.name}.`, tlp_label: 'WHITE', url: `${base}/${feedPath}` }] } },
    ],
    last_updated: now,
    list_on_CSAF_aggregators: true,
    metadata_version: '2.0',
    mirror_on_CSAF_aggregators: true,
    publisher: opts.publisher,
    role: opts.role ?? 'csaf_provider',
  };
}
