// Starter data: the 2003 DCOM story is complete and dated, every fact has a source, CPE criteria parse,
// it merges with the real CVE record, and loading is idempotent. Matching a 2003 host against it works.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { KbImporter } from '../../src/kb/import/kb-importer.js';
import { loadStarterData, starterRecords } from '../../src/kb/data/starter-data.js';
import { parseCpe } from '../../src/kb/cpe/cpe-binding.js';
import { evaluateConfigurations } from '../../src/kb/cpe/cpe-applicability.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

test('the DCOM 2003 timeline: bulletin and patch, DHS warning, exploit, scanning, Blaster, in order', () => {
  const t = starterRecords()['CVE-2003-0352'].timeline ?? [];
  const at = (kind: string) => t.filter((e) => e.kind === kind).map((e) => e.date);
  assert.deepEqual(at('disclosed'), ['2003-07-16']);
  assert.ok(at('patch_available').includes('2003-07-16'));
  assert.ok(at('advisory').includes('2003-07-24'));
  assert.ok(at('exploit_public')[0] >= '2003-07-25' && at('exploit_public')[0] <= '2003-07-26');
  assert.deepEqual(at('worm'), ['2003-08-11']);
  const sorted = [...t].map((e) => e.date);
  assert.deepEqual(sorted, [...sorted].sort(), 'timeline is chronological');
  const r = starterRecords()['CVE-2003-0352'];
  assert.deepEqual(r.ports, [135, 139, 445, 593]);
  assert.deepEqual(r.remedies?.filter((m) => m.category === 'vendor_fix').map((m) => m.id), ['KB823980', 'KB824146']);
  for (const id of ['CVE-2003-0528', 'CVE-2003-0605', 'CVE-2003-0715']) assert.ok(starterRecords()[id].aliases?.includes('MS03-039'), id);
});

test('every starter fact carries a source URL and every CPE parses', () => {
  for (const [id, r] of Object.entries(starterRecords())) {
    for (const e of r.timeline ?? []) assert.match(e.source ?? '', /^https?:\/\//, `${id} ${e.kind} ${e.date}`);
    assert.ok((r.references ?? []).length > 0, id);
    for (const m of r.remedies ?? []) assert.match(m.url ?? '', /^https?:\/\//, `${id} remedy`);
    for (const c of r.configurations ?? []) for (const n of c.nodes) for (const m of n.cpeMatch) parseCpe(m.criteria);
  }
});

test('a Windows XP SP1 host seen by nmap is affected by MS03-026; a Windows 7 host is not', () => {
  const cfg = starterRecords()['CVE-2003-0352'].configurations ?? [];
  assert.equal(evaluateConfigurations(cfg, ['cpe:/o:microsoft:windows_xp::sp1']).affected, true);
  assert.equal(evaluateConfigurations(cfg, ['cpe:/o:microsoft:windows_nt:4.0']).affected, true);
  assert.equal(evaluateConfigurations(cfg, ['cpe:/o:microsoft:windows_7::sp1']).affected, false);
});

test('loading merges with the real CVE record, keeps provenance, and re-loading changes nothing', { skip: skipWithoutCorpus('kb', 'cve') }, async () => {
  const store = await KbSqliteStore.open(':memory:');
  const first = await loadStarterData(store);
  assert.equal(first.inserted, Object.keys(starterRecords()).length);
  await new KbImporter(store).importPath(corpusPath('kb', 'cve', 'CVE-2003-0352.json'));
  const v = await store.getVulnerability('CVE-2003-0352');
  assert.ok(v);
  assert.equal(v.provenance.title, 'vigil');
  assert.equal(v.provenance.description, 'cve5:cna', 'the CVE description, since our data has none');
  assert.ok(v.aliases.includes('MS03-026'));
  assert.equal((await store.getVulnerability('MS03-026'))?.id, 'CVE-2003-0352', 'found by its bulletin id');
  const again = await loadStarterData(store);
  assert.equal(again.inserted + again.updated, 0);
  const port135 = await store.searchVulns({ text: 'DCOM', publishedTo: '2004-01-01' });
  assert.ok(port135.items.some((i) => i.id === 'CVE-2003-0352'));
  await store.close();
});
