// NVD CVE API 2.0 `cve` object -> one "nvd" fragment: CVSS metrics with their sources, CWEs,
// configurations (kept as NVD shapes them, for CPE applicability), CISA KEV fields NVD mirrors.
// Follows the NVD CVE API 2.0 response schema (vulnerabilities[].cve).

import type { KbFragment, NvdConfiguration, NvdCpeMatch } from '../../model/kb-records.js';
import type { CvssScore } from '../../model/vulnerability.js';
import { scoreVector } from '../cvss-score.js';
import { parseCpe } from '../cpe/cpe-binding.js';
import { Checker, CVE_ID, normalizeDate, ptr } from './import-errors.js';
import { makeFragment } from './fragment-hash.js';

const METRIC_LISTS = ['cvssMetricV2', 'cvssMetricV30', 'cvssMetricV31', 'cvssMetricV40'] as const;
const RANGE_KEYS = ['versionStartIncluding', 'versionStartExcluding', 'versionEndIncluding', 'versionEndExcluding'] as const;

export function normalizeNvdCve(doc: unknown, c: Checker, p = ''): KbFragment {
  const cve = c.obj(doc, p);
  const id = c.str(cve.id, p + ptr('id'), CVE_ID, 'a CVE id (CVE-YYYY-NNNN...)');
  const descriptions = c.optArr(cve.descriptions, p + ptr('descriptions')).map((d, i) => c.obj(d, p + ptr('descriptions', i)));
  const en = descriptions.find((d) => d.lang === 'en') ?? descriptions[0];
  const cwes = new Set<string>();
  c.optArr(cve.weaknesses, p + ptr('weaknesses')).forEach((w, i) => {
    c.optArr(c.obj(w, p + ptr('weaknesses', i)).description, p + ptr('weaknesses', i, 'description')).forEach((d, j) => {
      const v = c.str(c.obj(d, p + ptr('weaknesses', i, 'description', j)).value, p + ptr('weaknesses', i, 'description', j, 'value'));
      const m = /CWE-(\d+|noinfo|Other)/.exec(v);
      if (m) cwes.add(`CWE-${m[1]}`);
    });
  });
  const kevAdded = c.optStr(cve.cisaExploitAdd, p + ptr('cisaExploitAdd'));
  return makeFragment(id, 'nvd', {
    state: cve.vulnStatus === 'Rejected' ? 'REJECTED' : 'PUBLISHED',
    description: en ? c.str(en.value, p + ptr('descriptions', descriptions.indexOf(en), 'value')) : undefined,
    published: normalizeDate(c.optStr(cve.published, p + ptr('published'))),
    modified: normalizeDate(c.optStr(cve.lastModified, p + ptr('lastModified'))),
    cwes: [...cwes],
    cvss: metricsOf(cve.metrics, c, p + ptr('metrics')),
    kev: kevAdded ? {
      dateAdded: kevAdded,
      dueDate: c.optStr(cve.cisaActionDue, p + ptr('cisaActionDue')),
      name: c.optStr(cve.cisaVulnerabilityName, p + ptr('cisaVulnerabilityName')),
      requiredAction: c.optStr(cve.cisaRequiredAction, p + ptr('cisaRequiredAction')),
    } : undefined,
    configurations: configurationsOf(c.optArr(cve.configurations, p + ptr('configurations')), c, p + ptr('configurations')),
    references: c.optArr(cve.references, p + ptr('references')).map((r, i) => c.str(c.obj(r, p + ptr('references', i)).url, p + ptr('references', i, 'url'))),
  });
}

function metricsOf(m: unknown, c: Checker, p: string): CvssScore[] {
  if (m === undefined) return [];
  const metrics = c.obj(m, p);
  const out: CvssScore[] = [];
  for (const k of METRIC_LISTS) {
    c.optArr(metrics[k], p + ptr(k)).forEach((e, i) => {
      const entry = c.obj(e, p + ptr(k, i));
      const data = c.obj(entry.cvssData, p + ptr(k, i, 'cvssData'));
      const vp = p + ptr(k, i, 'cvssData', 'vectorString');
      const s = scoreVector(c.str(data.vectorString, vp), c.optStr(entry.source, p + ptr(k, i, 'source')));
      if (!s.ok) c.fail(vp, `a valid CVSS vector (${s.error})`);
      out.push(s.value);
    });
  }
  return out;
}

function configurationsOf(list: unknown[], c: Checker, p: string): NvdConfiguration[] {
  return list.map((x, i) => {
    const cfg = c.obj(x, `${p}/${i}`);
    const nodes = c.arr(cfg.nodes, `${p}/${i}/nodes`).map((n, j) => {
      const np = `${p}/${i}/nodes/${j}`;
      const node = c.obj(n, np);
      const operator = c.str(node.operator, `${np}/operator`, /^(AND|OR)$/, '"AND" or "OR"') as 'AND' | 'OR';
      const cpeMatch = c.arr(node.cpeMatch, `${np}/cpeMatch`).map((m, k) => cpeMatchOf(m, c, `${np}/cpeMatch/${k}`));
      return { operator, negate: node.negate === true ? true : undefined, cpeMatch };
    });
    const operator = cfg.operator === undefined ? undefined : (c.str(cfg.operator, `${p}/${i}/operator`, /^(AND|OR)$/, '"AND" or "OR"') as 'AND' | 'OR');
    return { operator, negate: cfg.negate === true ? true : undefined, nodes };
  });
}

function cpeMatchOf(m: unknown, c: Checker, p: string): NvdCpeMatch {
  const o = c.obj(m, p);
  if (typeof o.vulnerable !== 'boolean') c.fail(`${p}/vulnerable`, 'a boolean', o.vulnerable);
  const criteria = c.str(o.criteria, `${p}/criteria`);
  try { parseCpe(criteria); } catch (e) { c.fail(`${p}/criteria`, `a CPE 2.3 name (${(e as Error).message})`); }
  const out: Record<string, unknown> = { vulnerable: o.vulnerable, criteria, matchCriteriaId: c.optStr(o.matchCriteriaId, `${p}/matchCriteriaId`) };
  for (const k of RANGE_KEYS) out[k] = c.optStr(o[k], `${p}/${k}`);
  return out as unknown as NvdCpeMatch;
}
