// Loads the starter data written by us (src/kb/data) into a KB as "vigil" fragments, so that a fresh
// node knows the 2003 DCOM story and the other worm cases with no download. Idempotent (content hashes).

import type { ApplyStats, KbFragment, VulnFragment } from '../../model/kb-records.js';
import type { KbStorePort } from '../kb-store-port.js';
import { makeFragment } from '../import/fragment-hash.js';
import { mergeForStore } from '../merge-record.js';
import { DCOM_2003 } from './dcom-2003.js';
import { WORM_CASES } from './worm-cases.js';

export const STARTER_SOURCE = 'vigil';

export function starterRecords(): Record<string, VulnFragment> {
  return { ...DCOM_2003, ...WORM_CASES };
}

export function starterFragments(): KbFragment[] {
  return Object.entries(starterRecords()).map(([id, data]) => makeFragment(id, STARTER_SOURCE, data));
}

/** Called by `vigil up` (and `vigil kb import --starter`): one transaction, nothing fetched. */
export async function loadStarterData(store: KbStorePort): Promise<ApplyStats> {
  return store.applyFragments(starterFragments(), mergeForStore);
}
