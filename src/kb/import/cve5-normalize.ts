// CVE JSON 5.x record -> fragments: one for the CNA container (authoritative) and one per ADP container
// (e.g. "CISA-ADP" Vulnrichment: CVSS, SSVC, KEV), so the merge can keep provenance.
// Follows the CVE JSON 5.1 schema (CVE_RECORD, cveMetadata, containers.cna/adp).

import type { AffectedProduct, AffectedVersion, KbFragment, VulnFragment } from '../../model/kb-records.js';
import type { CvssScore, TimelineEntry } from '../../model/vulnerability.js';
import { scoreVector } from '../cvss-score.js';
import { Checker, CVE_ID, normalizeDate, ptr } from './import-errors.js';
import { makeFragment } from './fragment-hash.js';

const METRIC_KEYS = ['cvssV2_0', 'cvssV3_0', 'cvssV3_1', 'cvssV4_0'] as const;

/** Validates the envelope and returns the record's fragments. `base` is the pointer of the record
 * inside its file ("" for a one-record file). Throws ImportError on a structural problem. */
export function normalizeCve5(doc: unknown, c: Checker, base = ''): KbFragment[] {
  const rec = c.obj(doc, base);
  c.str(rec.dataType, base + ptr('dataType'), /^CVE_RECORD$/, '"CVE_RECORD"');
  c.str(rec.dataVersion, base + ptr('dataVersion'), /^5\.\d+(\.\d+)?$/, 'a CVE JSON 5.x dataVersion');
  const meta = c.obj(rec.cveMetadata, base + ptr('cveMetadata'));
  const id = c.str(meta.cveId, base + ptr('cveMetadata', 'cveId'), CVE_ID, 'a CVE id (CVE-YYYY-NNNN...)');
  const state = c.str(meta.state, base + ptr('cveMetadata', 'state'), /^(PUBLISHED|REJECTED)$/, '"PUBLISHED" or "REJECTED"') as 'PUBLISHED' | 'REJECTED';
  const containers = c.obj(rec.containers, base + ptr('containers'));
  const cna = c.obj(containers.cna, base + ptr('containers', 'cna'));
  const meta2 = {
    state,
    published: normalizeDate(c.optStr(meta.datePublished, base + ptr('cveMetadata', 'datePublished'))),
    modified: normalizeDate(c.optStr(meta.dateUpdated, base + ptr('cveMetadata', 'dateUpdated'))),
  };
  const out = [makeFragment(id, 'cve5:cna', { ...meta2, ...container(cna, c, base + ptr('containers', 'cna'), true) })];
  c.optArr(containers.adp, base + ptr('containers', 'adp')).forEach((a, i) => {
    const p = base + ptr('containers', 'adp', i);
    const adp = c.obj(a, p);
    const pm = c.obj(adp.providerMetadata, p + ptr('providerMetadata'));
    const name = c.optStr(pm.shortName, p + ptr('providerMetadata', 'shortName')) ?? c.str(pm.orgId, p + ptr('providerMetadata', 'orgId'));
    const data = container(adp, c, p, false);
    if (Object.keys(data).length > 0) out.push(makeFragment(id, `cve5:adp:${name}`, data));
  });
  return out;
}

function english(list: unknown[], c: Checker, p: string): string | undefined {
  const items = list.map((d, i) => c.obj(d, `${p}/${i}`));
  const en = items.find((d) => typeof d.lang === 'string' && d.lang.toLowerCase().startsWith('en')) ?? items[0];
  return en ? c.str(en.value, `${p}/${items.indexOf(en)}/value`) : undefined;
}

/** The fields of one container (CNA or ADP); `isCna` adds title/description/dates. */
function container(ct: Record<string, unknown>, c: Checker, p: string, isCna: boolean): VulnFragment {
  const descriptions = c.optArr(ct.descriptions ?? ct.rejectedReasons, p + ptr(ct.descriptions ? 'descriptions' : 'rejectedReasons'));
  const metrics = metricsOf(c.optArr(ct.metrics, p + ptr('metrics')), c, p + ptr('metrics'));
  const affected = affectedOf(c.optArr(ct.affected, p + ptr('affected')), c, p + ptr('affected'));
  const timeline = c.optArr(ct.timeline, p + ptr('timeline')).map((t, i): TimelineEntry => {
    const o = c.obj(t, p + ptr('timeline', i));
    return { kind: 'event', date: normalizeDate(c.str(o.time, p + ptr('timeline', i, 'time'))) as string, note: c.optStr(o.value, p + ptr('timeline', i, 'value')) };
  });
  const data: Record<string, unknown> = {
    title: isCna ? c.optStr(ct.title, p + ptr('title')) : undefined,
    description: isCna ? english(descriptions, c, p + ptr('descriptions')) : undefined,
    published: isCna ? normalizeDate(c.optStr(ct.datePublic, p + ptr('datePublic'))) : undefined,
    cwes: cwesOf(c.optArr(ct.problemTypes, p + ptr('problemTypes')), c, p + ptr('problemTypes')),
    cvss: metrics.cvss,
    exploitation: metrics.exploitation,
    kev: metrics.kevAdded ? { dateAdded: metrics.kevAdded } : undefined,
    references: c.optArr(ct.references, p + ptr('references')).map((r, i) => c.str(c.obj(r, p + ptr('references', i)).url, p + ptr('references', i, 'url'))),
    affected,
    timeline,
  };
  // Empty lists mean "this source is silent": drop them so the merge falls through to the next source.
  for (const k of Object.keys(data)) {
    const v = data[k];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) delete data[k];
  }
  return data as VulnFragment;
}

function cwesOf(pts: unknown[], c: Checker, p: string): string[] {
  const out = new Set<string>();
  pts.forEach((pt, i) => {
    c.optArr(c.obj(pt, `${p}/${i}`).descriptions, `${p}/${i}/descriptions`).forEach((d, j) => {
      const o = c.obj(d, `${p}/${i}/descriptions/${j}`);
      const text = typeof o.cweId === 'string' ? o.cweId : typeof o.description === 'string' ? o.description : '';
      const m = /\b(CWE-(?:\d+|noinfo|Other))\b/i.exec(text);
      if (m) out.add(m[1].replace(/^cwe/i, 'CWE'));
    });
  });
  return [...out];
}

interface Metrics { cvss: CvssScore[]; exploitation?: string; kevAdded?: string }

function metricsOf(list: unknown[], c: Checker, p: string): Metrics {
  const out: Metrics = { cvss: [] };
  list.forEach((m, i) => {
    const o = c.obj(m, `${p}/${i}`);
    for (const k of METRIC_KEYS) {
      if (o[k] === undefined) continue;
      const vector = c.str(c.obj(o[k], `${p}/${i}/${k}`).vectorString, `${p}/${i}/${k}/vectorString`);
      const s = scoreVector(vector);
      if (!s.ok) c.fail(`${p}/${i}/${k}/vectorString`, `a valid CVSS vector (${s.error})`);
      out.cvss.push(s.value);
    }
    const other = o.other === undefined ? undefined : c.obj(o.other, `${p}/${i}/other`);
    const content = other && typeof other.content === 'object' && other.content !== null ? (other.content as Record<string, unknown>) : undefined;
    if (other?.type === 'ssvc' && Array.isArray(content?.options)) {
      for (const opt of content.options as Record<string, unknown>[]) if (typeof opt?.Exploitation === 'string') out.exploitation = opt.Exploitation;
    }
    if (other?.type === 'kev' && typeof content?.dateAdded === 'string') out.kevAdded = content.dateAdded;
  });
  return out;
}

const isNa = (s: string): boolean => s.trim().toLowerCase() === 'n/a' || s.trim() === '';

/** CNA `affected[]`; legacy MITRE-converted entries ("n/a" vendor and product) carry no product data. */
function affectedOf(list: unknown[], c: Checker, p: string): AffectedProduct[] {
  const out: AffectedProduct[] = [];
  list.forEach((a, i) => {
    const o = c.obj(a, `${p}/${i}`);
    const vendor = c.optStr(o.vendor, `${p}/${i}/vendor`) ?? 'n/a';
    const product = c.optStr(o.product, `${p}/${i}/product`) ?? c.optStr(o.packageName, `${p}/${i}/packageName`) ?? 'n/a';
    const cpes = c.optArr(o.cpes, `${p}/${i}/cpes`).map((x, j) => c.str(x, `${p}/${i}/cpes/${j}`));
    if (isNa(vendor) && isNa(product) && cpes.length === 0) return;
    const versions = c.optArr(o.versions, `${p}/${i}/versions`).map((v, j): AffectedVersion => {
      const vo = c.obj(v, `${p}/${i}/versions/${j}`);
      return {
        version: c.str(vo.version, `${p}/${i}/versions/${j}/version`),
        status: c.str(vo.status, `${p}/${i}/versions/${j}/status`, /^(affected|unaffected|unknown)$/, '"affected", "unaffected" or "unknown"') as AffectedVersion['status'],
        versionType: c.optStr(vo.versionType, `${p}/${i}/versions/${j}/versionType`),
        lessThan: c.optStr(vo.lessThan, `${p}/${i}/versions/${j}/lessThan`),
        lessThanOrEqual: c.optStr(vo.lessThanOrEqual, `${p}/${i}/versions/${j}/lessThanOrEqual`),
        changes: vo.changes === undefined ? undefined : c.arr(vo.changes, `${p}/${i}/versions/${j}/changes`).map((ch, k) => {
          const cp = `${p}/${i}/versions/${j}/changes/${k}`;
          const co = c.obj(ch, cp);
          return { at: c.str(co.at, `${cp}/at`), status: c.str(co.status, `${cp}/status`, /^(affected|unaffected|unknown)$/, '"affected", "unaffected" or "unknown"') as AffectedVersion['status'] };
        }),
      };
    });
    const platforms = c.optArr(o.platforms, `${p}/${i}/platforms`).map((x, j) => c.str(x, `${p}/${i}/platforms/${j}`));
    out.push({ vendor, product, defaultStatus: c.optStr(o.defaultStatus, `${p}/${i}/defaultStatus`), versions, cpes, platforms: platforms.length ? platforms : undefined });
  });
  return out;
}
