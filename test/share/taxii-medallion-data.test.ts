// Vigil's TAXII collection holding medallion's own test data (the OASIS reference server's
// default_data.json, in the shared corpus): the versions, version filters, spec_version filter and
// manifest entries that medallion's data says the collection serves.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { StixLike } from '../../src/share/taxii/taxii-collection.js';
import { parsePageRequest } from '../../src/share/taxii/taxii-request.js';
import { collectionId, TaxiiService } from '../../src/share/taxii/taxii-service.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const FILE = ['kb', 'taxii', 'medallion_default_data.json'] as const;
const ADMIN = { name: 'admin', read: ['*'], write: ['*'] };

interface MedallionCollection { id: string; title: string; objects: StixLike[]; manifest: { id: string; version: string; media_type: string }[] }

test("medallion's High Value Indicator Collection served by Vigil: versions, filters and manifest agree", { skip: skipWithoutCorpus(...FILE) }, () => {
  const data = JSON.parse(readFileSync(corpusPath(...FILE), 'utf8')) as Record<string, { collections?: MedallionCollection[] }>;
  const src = data.trustgroup1!.collections!.find((c) => c.title === 'High Value Indicator Collection')!;
  const svc = new TaxiiService({ title: 't', apiRoot: 'vigil', collections: [{ alias: 'hv', title: src.title }] });
  const cid = collectionId('hv');
  const st = svc.addEnvelope(cid, ADMIN, { objects: src.objects });
  assert.equal(st.success_count, src.objects.length);
  const q = (query: Record<string, string>) => parsePageRequest(query, svc.limits, 0);
  const manifest = svc.manifest(cid, ADMIN, q({ 'match[version]': 'all' })).body.objects as { id: string; version: string; media_type: string }[];
  const key = (m: { id: string; version: string; media_type: string }) => `${m.id} ${m.version} ${m.media_type}`;
  assert.deepEqual(manifest.map(key).sort(), src.manifest.map(key).sort());
  const ind = 'indicator--6770298f-0fd8-471a-ab8c-1c658a46574e';
  assert.deepEqual(svc.versions(cid, ADMIN, q({}), ind).body.versions, ['2016-11-03T12:30:59.000Z', '2016-12-25T12:30:59.444Z', '2017-01-27T13:49:53.935Z']);
  const one = (query: Record<string, string>) => (svc.objects(cid, ADMIN, q(query), ind).body.objects as StixLike[]).map((o) => o.modified);
  assert.deepEqual(one({}), ['2017-01-27T13:49:53.935Z']);
  assert.deepEqual(one({ 'match[version]': 'first' }), ['2016-11-03T12:30:59.000Z']);
  assert.deepEqual(one({ 'match[version]': '2016-12-25T12:30:59.444Z' }), ['2016-12-25T12:30:59.444Z']);
  const v20 = svc.objects(cid, ADMIN, q({ 'match[spec_version]': '2.0', 'match[version]': 'all' })).body.objects as StixLike[];
  assert.deepEqual(v20.map((o) => `${o.id} ${o.modified}`), ['malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec 2018-02-23T18:30:00.000Z']);
  const latest = svc.objects(cid, ADMIN, q({})).body.objects as StixLike[];
  assert.equal(latest.length, new Set(src.objects.map((o) => o.id)).size, 'one object per id by default (match[version]=last)');
});
