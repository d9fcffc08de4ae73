// Content hash of a fragment: SHA-256 over its JSON, which the normalisers build in a fixed key order,
// so the same input always hashes the same and a re-import is recognised as "unchanged".

import { createHash } from 'node:crypto';
import type { KbFragment, VulnFragment } from '../../model/kb-records.js';

/** Drops undefined fields so that "absent" and "undefined" hash alike. */
function clean(data: VulnFragment): VulnFragment {
  return JSON.parse(JSON.stringify(data)) as VulnFragment;
}

export function makeFragment(vulnId: string, source: string, dataIn: VulnFragment): KbFragment {
  const data = clean(dataIn);
  const hash = createHash('sha256').update(source).update('\0').update(JSON.stringify(data)).digest('hex').slice(0, 32);
  return { vulnId, source, hash, data };
}
