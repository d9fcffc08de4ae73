// Human and feed-reader views of our CSAF advisories: a self-contained HTML page per advisory and an
// Atom feed (RFC 4287) of the published ones. Every text from the document is escaped.

import type { CsafDocument } from './csaf-writer.js';

const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

function productNames(doc: CsafDocument): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of arr((doc.product_tree as Obj | undefined)?.full_product_names)) m.set(String(p.product_id), String(p.name));
  return m;
}

const link = (url: unknown): string => {
  const u = String(url ?? '');
  // Only http(s) links become anchors: a document must not be able to inject javascript: URLs.
  return /^https?:\/\//i.test(u) ? `<a href="${esc(u)}">${esc(u)}</a>` : esc(u);
};

function vulnerabilityHtml(v: Obj, names: Map<string, string>): string {
  const status = (v.product_status as Obj | undefined) ?? {};
  const affected = arr(status.known_affected).map((id) => esc(names.get(String(id)) ?? id));
  const scores = arr(v.scores).map((s) => {
    const c = (s.cvss_v3 ?? s.cvss_v2) as Obj | undefined;
    return c ? `${esc(c.baseScore)} (${esc(c.vectorString)})` : '';
  }).filter(Boolean);
  const rem = arr(v.remediations).map((r) => `<li><strong>${esc(r.category)}</strong>: ${esc(r.details)}${r.url ? ` ${link(r.url)}` : ''}</li>`);
  const threats = arr(v.threats).map((t) => `<li>${esc(t.category)}: ${esc(t.details)}</li>`);
  const notes = arr(v.notes).map((n) => `<p>${esc(n.text)}</p>`);
  return [
    `<section class="vulnerability"><h2>${esc(v.cve)}${v.title ? ` — ${esc(v.title)}` : ''}</h2>`,
    ...notes,
    scores.length ? `<p>CVSS: ${scores.join('; ')}</p>` : '',
    affected.length ? `<h3>Known affected</h3><ul>${affected.map((a) => `<li>${a}</li>`).join('')}</ul>` : '',
    rem.length ? `<h3>Remediations</h3><ul>${rem.join('')}</ul>` : '',
    threats.length ? `<h3>Threats</h3><ul>${threats.join('')}</ul>` : '',
    '</section>',
  ].join('\n');
}

export function renderAdvisoryHtml(doc: CsafDocument): string {
  const d = doc.document;
  const t = d.tracking;
  const tlp = ((d.distribution as Obj | undefined)?.tlp as Obj | undefined)?.label ?? 'WHITE';
  const names = productNames(doc);
  const notes = arr(d.notes).map((n) => `<p>${esc(n.text)}</p>`).join('\n');
  return `<!DOCTYPE html>
<html lang="${esc(d.lang ?? 'en')}">
<head><meta charset="utf-8"><title>${esc(t.id)}: ${esc(d.title)}</title></head>
<body>
<header><h1>${esc(d.title)}</h1>
<p>${esc(t.id)} · version ${esc(t.version)} · ${esc(t.status)} · TLP:${esc(tlp)} · published ${esc(t.initial_release_date)} · updated ${esc(t.current_release_date)}</p></header>
${notes}
${arr(doc.vulnerabilities).map((v) => vulnerabilityHtml(v, names)).join('\n')}
<footer><h3>Revision history</h3><ul>${t.revision_history.map((r) => `<li>${esc(r.number)} (${esc(r.date)}): ${esc(r.summary)}</li>`).join('')}</ul></footer>
</body>
</html>
`;
}

export interface AtomOptions {
  readonly feedUrl: string;
  readonly title: string;
  /** Link for each entry, e.g. the HTML page or the canonical JSON. */
  readonly entryUrl: (doc: CsafDocument) => string;
}

/** Atom feed of published advisories, newest first. */
export function renderAtomFeed(docs: readonly CsafDocument[], opts: AtomOptions): string {
  const published = docs.filter((d) => d.document.tracking.status !== 'draft')
    .sort((a, b) => b.document.tracking.current_release_date.localeCompare(a.document.tracking.current_release_date));
  const updated = published[0]?.document.tracking.current_release_date ?? new Date(0).toISOString();
  const entries = published.map((d) => {
    const t = d.document.tracking;
    const summary = arr(d.document.notes).find((n) => n.category === 'summary')?.text;
    const cves = arr(d.vulnerabilities).map((v) => v.cve).filter(Boolean).join(', ');
    return `  <entry>
    <id>${esc(opts.entryUrl(d))}</id>
    <title>${esc(t.id)}: ${esc(d.document.title)}</title>
    <link href="${esc(opts.entryUrl(d))}"/>
    <published>${esc(t.initial_release_date)}</published>
    <updated>${esc(t.current_release_date)}</updated>
    <summary>${esc(summary ?? '')}${cves ? ` (${esc(cves)})` : ''}</summary>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${esc(opts.feedUrl)}</id>
  <title>${esc(opts.title)}</title>
  <link rel="self" href="${esc(opts.feedUrl)}"/>
  <updated>${esc(updated)}</updated>
  <author><name>${esc(opts.title)}</name></author>
${entries.join('\n')}
</feed>
`;
}
