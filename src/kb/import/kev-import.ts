// CISA Known Exploited Vulnerabilities catalog -> "kev" fragments (date added, due date, ransomware use,
// required action), streamed. Follows the catalog's JSON schema (known_exploited_vulnerabilities_schema.json).

import type { KbFragment } from '../../model/kb-records.js';
import { Checker, CVE_ID, ptr } from './import-errors.js';
import { makeFragment } from './fragment-hash.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function normalizeKevEntry(v: unknown, c: Checker, p: string): KbFragment {
  const o = c.obj(v, p);
  const id = c.str(o.cveID, p + ptr('cveID'), CVE_ID, 'a CVE id (CVE-YYYY-NNNN...)');
  const dateAdded = c.str(o.dateAdded, p + ptr('dateAdded'), DATE, 'a date YYYY-MM-DD');
  const dueDate = c.optStr(o.dueDate, p + ptr('dueDate'));
  if (dueDate !== undefined && !DATE.test(dueDate)) c.fail(p + ptr('dueDate'), 'a date YYYY-MM-DD', dueDate);
  const vendor = c.optStr(o.vendorProject, p + ptr('vendorProject'));
  const product = c.optStr(o.product, p + ptr('product'));
  const cwes = c.optArr(o.cwes, p + ptr('cwes')).map((x, i) => c.str(x, p + ptr('cwes', i)));
  return makeFragment(id, 'kev', {
    title: c.optStr(o.vulnerabilityName, p + ptr('vulnerabilityName')),
    description: c.optStr(o.shortDescription, p + ptr('shortDescription')),
    kev: {
      dateAdded,
      dueDate,
      ransomware: c.optStr(o.knownRansomwareCampaignUse, p + ptr('knownRansomwareCampaignUse')),
      name: c.optStr(o.vulnerabilityName, p + ptr('vulnerabilityName')),
      requiredAction: c.optStr(o.requiredAction, p + ptr('requiredAction')),
    },
    exploitation: 'active',
    cwes,
    affected: vendor && product ? [{ vendor, product, versions: [], cpes: [] }] : undefined,
    timeline: [{ kind: 'kev_added', date: dateAdded, source: 'https://www.cisa.gov/known-exploited-vulnerabilities-catalog' }],
  });
}
