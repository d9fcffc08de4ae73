// Content hash of a fragment: SHA-256 over its JSON, which the normalisers build in a fixed key order,
// so the same input always hashes the same and a re-import is recognised as "unchanged".

import { createHash } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
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

/** One-shot crypto.hash (Node >= 20.12) avoids a Hash object per call; createHash otherwise. */
const oneShot = (nodeCrypto as { hash?: (algo: string, data: string, enc: 'hex') => string }).hash;
export const sha256hex = (s: string): string => (oneShot ? oneShot('sha256', s, 'hex') : createHash('sha256').update(s).digest('hex'));
export const sha1hex = (s: string): string => (oneShot ? oneShot('sha1', s, 'hex') : createHash('sha1').update(s).digest('hex'));

export function makeFragment(vulnId: string, source: string, dataIn: VulnFragment): KbFragment {
  const data = clean(dataIn) as VulnFragment;
  const json = JSON.stringify(data);
  const hash = sha256hex(`${source}\0${json}`).slice(0, 32);
  return { vulnId, source, hash, data, json };
}
