// Content hash of a fragment: SHA-256 over its JSON, which the normalisers build in a fixed key order,
// so the same input always hashes the same and a re-import is recognised as "unchanged".

import { createHash } from 'node:crypto';
import type { KbFragment, VulnFragment } from '../../model/kb-records.js';

/** Drops undefined members (recursively) so that "absent" and "undefined" hash alike. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clean);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = clean(x);
  }
  return out;
}

export function makeFragment(vulnId: string, source: string, dataIn: VulnFragment): KbFragment {
  const data = clean(dataIn) as VulnFragment;
  const json = JSON.stringify(data);
  const hash = createHash('sha256').update(source).update('\0').update(json).digest('hex').slice(0, 32);
  return { vulnId, source, hash, data, json };
}
