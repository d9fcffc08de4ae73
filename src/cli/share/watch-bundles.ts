// `vigil replay --watch BUNDLE`: partner indicators from STIX 2.1 bundle files, the partner named by
// the bundle's producer identity (created_by_ref of the indicator) or else the file name.

import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { AppError } from '../../core/errors.js';
import type { WatchIndicator } from '../../model/watch.js';
import { PartnerIntel } from '../../share/taxii/partner-intel.js';
import type { StixLike } from '../../share/taxii/taxii-collection.js';

/** Largest bundle file read (it is parsed whole). */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

export function watchlistFromBundles(files: readonly string[]): WatchIndicator[] {
  const intel = new PartnerIntel();
  for (const f of files) {
    let objects: StixLike[];
    try {
      if (statSync(f).size > MAX_BUNDLE_BYTES) throw new Error(`larger than ${MAX_BUNDLE_BYTES} bytes`);
      const b = JSON.parse(readFileSync(f, 'utf8')) as { type?: unknown; objects?: unknown };
      if (b.type !== 'bundle' || !Array.isArray(b.objects)) throw new Error('not a STIX bundle');
      objects = (b.objects as unknown[]).filter((o): o is StixLike => o !== null && typeof o === 'object' && typeof (o as StixLike).id === 'string' && typeof (o as StixLike).type === 'string');
    } catch (e) {
      throw new AppError('VIGIL_ERR_BAD_FILE', `--watch ${f}: ${(e as Error).message}`);
    }
    const names = new Map(objects.filter((o) => o.type === 'identity' && typeof o.name === 'string').map((o) => [o.id, o.name as string]));
    const byProducer = new Map<string, StixLike[]>();
    for (const o of objects) {
      const who = (typeof o.created_by_ref === 'string' ? names.get(o.created_by_ref) : undefined) ?? basename(f);
      byProducer.set(who, [...(byProducer.get(who) ?? []), o]);
    }
    for (const [who, objs] of byProducer) intel.ingest(who, objs);
  }
  return intel.list();
}
