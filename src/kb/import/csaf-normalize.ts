// CSAF 2.0 document -> one fragment per vulnerability that has a CVE id, sourced "csaf:<tracking id>":
// scores, CWE, remediations, known-affected products (with CPEs from the product tree), threats, dates.
// Follows CSAF 2.0 sections 3.2.2 (product_tree) and 3.2.3 (vulnerabilities).

import type { AffectedProduct, KbFragment } from '../../model/kb-records.js';
import type { CvssScore, Remedy, TimelineEntry } from '../../model/vulnerability.js';
import { scoreVector } from '../cvss-score.js';
import { Checker, CVE_ID, ptr } from './import-errors.js';
import { makeFragment } from './fragment-hash.js';

interface ProductInfo { name: string; cpe?: string }
type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** product_id -> name and CPE, from branches (recursively), full_product_names and relationships. */
export function productIndex(tree: unknown): Map<string, ProductInfo> {
  const out = new Map<string, ProductInfo>();
  const add = (fpn: unknown): void => {
    const o = asObj(fpn);
    if (!o || typeof o.product_id !== 'string') return;
    const helper = asObj(o.product_identification_helper);
    out.set(o.product_id, { name: String(o.name ?? o.product_id), cpe: typeof helper?.cpe === 'string' ? helper.cpe : undefined });
  };
  const walk = (branches: unknown): void => {
    for (const b of asArr(branches)) {
      const o = asObj(b);
      if (!o) continue;
      add(o.product);
      walk(o.branches);
    }
  };
  const t = asObj(tree);
  walk(t?.branches);
  asArr(t?.full_product_names).forEach(add);
  asArr(t?.relationships).forEach((r) => add(asObj(r)?.full_product_name));
  return out;
}

const REMEDY = /^(vendor_fix|workaround|mitigation|none_available|no_fix_planned)$/;

export function normalizeCsaf(doc: unknown, c: Checker): KbFragment[] {
  const root = c.obj(doc, '');
  const d = c.obj(root.document, '/document');
  c.str(d.csaf_version, '/document/csaf_version', /^2\.0$/, '"2.0"');
  const tracking = c.obj(d.tracking, '/document/tracking');
  const trackingId = c.str(tracking.id, '/document/tracking/id');
  const products = productIndex(root.product_tree);
  const out: KbFragment[] = [];
  c.optArr(root.vulnerabilities, '/vulnerabilities').forEach((v, i) => {
    const p = ptr('vulnerabilities', i);
    const vuln = c.obj(v, p);
    if (vuln.cve === undefined) return; // a vulnerability without a CVE id has no key in our KB
    const id = c.str(vuln.cve, p + ptr('cve'), CVE_ID, 'a CVE id (CVE-YYYY-NNNN...)');
    const cvss: CvssScore[] = [];
    c.optArr(vuln.scores, p + ptr('scores')).forEach((s, j) => {
      const so = c.obj(s, p + ptr('scores', j));
      for (const k of ['cvss_v2', 'cvss_v3'] as const) {
        const cv = asObj(so[k]);
        if (!cv) continue;
        const r = scoreVector(c.str(cv.vectorString, p + ptr('scores', j, k, 'vectorString')), `csaf:${trackingId}`);
        if (!r.ok) c.fail(p + ptr('scores', j, k, 'vectorString'), `a valid CVSS vector (${r.error})`);
        cvss.push(r.value);
      }
    });
    const remedies = c.optArr(vuln.remediations, p + ptr('remediations')).map((r, j): Remedy => {
      const ro = c.obj(r, p + ptr('remediations', j));
      return {
        category: c.str(ro.category, p + ptr('remediations', j, 'category'), REMEDY, 'a CSAF remediation category') as Remedy['category'],
        details: c.optStr(ro.details, p + ptr('remediations', j, 'details')),
        url: c.optStr(ro.url, p + ptr('remediations', j, 'url')),
      };
    });
    const status = asObj(vuln.product_status);
    const affected: AffectedProduct[] = [...asArr(status?.known_affected), ...asArr(status?.first_affected), ...asArr(status?.last_affected)]
      .map((pid) => products.get(String(pid)) ?? { name: String(pid) })
      .map((info) => ({ vendor: 'n/a', product: info.name, versions: [], cpes: info.cpe ? [info.cpe] : [] }));
    const timeline: TimelineEntry[] = [];
    if (typeof vuln.discovery_date === 'string') timeline.push({ kind: 'discovered', date: vuln.discovery_date, source: `csaf:${trackingId}` });
    if (typeof vuln.release_date === 'string') timeline.push({ kind: 'disclosed', date: vuln.release_date, source: `csaf:${trackingId}` });
    const exploit = c.optArr(vuln.threats, p + ptr('threats')).map((t) => asObj(t)).find((t) => t?.category === 'exploit_status');
    const notes = c.optArr(vuln.notes, p + ptr('notes')).map((n) => asObj(n));
    const desc = notes.find((n) => n?.category === 'description') ?? notes.find((n) => n?.category === 'summary');
    const cwe = asObj(vuln.cwe);
    out.push(makeFragment(id, `csaf:${trackingId}`, {
      aliases: [trackingId],
      title: typeof vuln.title === 'string' ? vuln.title : undefined,
      description: typeof desc?.text === 'string' ? desc.text : undefined,
      cwes: typeof cwe?.id === 'string' ? [cwe.id] : undefined,
      cvss,
      exploitation: typeof exploit?.details === 'string' ? exploit.details : undefined,
      references: c.optArr(vuln.references, p + ptr('references')).map((r, j) => c.str(c.obj(r, p + ptr('references', j)).url, p + ptr('references', j, 'url'))),
      remedies,
      affected: affected.length ? affected : undefined,
      timeline,
    }));
  });
  return out;
}
