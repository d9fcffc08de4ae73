// Fallback matching for records without NVD configurations: CNA `affected` version semantics and the
// keyword match, on the real corpus records (Log4Shell's custom ranges, BlueKeep's product list, Blaster's n/a).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchAffected, versionStatus } from '../../src/kb/cpe/affected-match.js';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { KbImporter } from '../../src/kb/import/kb-importer.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

test('CVE 5 version ranges: lessThan exclusive, lessThanOrEqual inclusive, defaultStatus otherwise', () => {
  const a = { vendor: 'Acme', product: 'Widget', defaultStatus: 'unaffected', cpes: [], versions: [
    { version: '2.0', lessThan: '2.4.1', status: 'affected' as const, versionType: 'semver' },
    { version: '3.0', lessThanOrEqual: '3.2', status: 'affected' as const },
    { version: '2.3', status: 'unaffected' as const },
  ] };
  assert.equal(versionStatus(a, '2.1'), 'affected');
  assert.equal(versionStatus(a, '2.3'), 'unaffected', 'a later exact entry overrides the range');
  assert.equal(versionStatus(a, '2.4.1'), 'unaffected');
  assert.equal(versionStatus(a, '3.2'), 'affected');
  assert.equal(versionStatus(a, '1.9'), 'unaffected');
});

test('records without configurations: CNA affected data, then keywords', { skip: skipWithoutCorpus('kb', 'cve') }, async () => {
  const store = await KbSqliteStore.open(':memory:');
  await new KbImporter(store).importPath(corpusPath('kb', 'cve'));
  const log4 = await store.getVulnerability('CVE-2021-44228');
  const bluekeep = await store.getVulnerability('CVE-2019-0708');
  const blaster = await store.getVulnerability('CVE-2003-0352');
  assert.ok(log4 && bluekeep && blaster);
  const l4 = 'cpe:2.3:a:apache_software_foundation:apache_log4j2:2.14.1:*:*:*:*:*:*:*';
  assert.deepEqual(matchAffected(log4, l4), { verdict: 'affected', basis: 'cna_affected', cpe: l4 });
  assert.equal(matchAffected(log4, 'cpe:2.3:a:apache_software_foundation:apache_log4j2:2.12.2:*:*:*:*:*:*:*').verdict, 'not_affected', '2.12.2 is a fixed release (changes[])');
  assert.equal(matchAffected(log4, 'cpe:2.3:a:apache_software_foundation:apache_log4j2:2.15.0:*:*:*:*:*:*:*').verdict, 'not_affected');
  assert.equal(matchAffected(log4, 'cpe:2.3:a:apache_software_foundation:apache_log4j2:2.0-beta8:*:*:*:*:*:*:*').verdict, 'possibly_affected', 'outside every range and no defaultStatus: unknown (CVE JSON 5.1)');
  assert.equal(matchAffected(bluekeep, 'cpe:/o:microsoft:windows_7').verdict, 'possibly_affected', 'product listed, host version unknown');
  assert.deepEqual(matchAffected(blaster, 'cpe:/o:microsoft:windows_2000'), { verdict: 'possibly_affected', basis: 'keyword', cpe: 'cpe:/o:microsoft:windows_2000' }, 'legacy n/a record: keyword fallback');
  assert.equal(matchAffected(blaster, 'cpe:/a:apache:http_server:2.4.49').verdict, 'not_affected');
  await store.close();
});

test('vulnerabilitiesForHost: a 2003 XP host and a 2017 Windows 7 host against starter data and the NVD record', { skip: skipWithoutCorpus('kb', 'nvd') }, async () => {
  const { loadStarterData } = await import('../../src/kb/data/starter-data.js');
  const { vulnerabilitiesForHost } = await import('../../src/kb/kb-host-match.js');
  const store = await KbSqliteStore.open(':memory:');
  await loadStarterData(store);
  await new KbImporter(store).importPath(corpusPath('kb', 'nvd'));
  const xp = await vulnerabilitiesForHost(store, ['cpe:/o:microsoft:windows_xp::sp1', 'cpe:/a:microsoft:server_message_block:1.0']);
  const xpIds = xp.map((m) => m.id);
  for (const id of ['CVE-2003-0352', 'CVE-2003-0528', 'CVE-2003-0605', 'CVE-2003-0715', 'CVE-2003-0533', 'CVE-2008-4250']) assert.ok(xpIds.includes(id), id);
  assert.ok(!xpIds.includes('CVE-2017-0144'), 'EternalBlue needs a listed Windows platform with SMBv1; XP is not in the NVD configuration');
  assert.ok(xp.every((m) => m.verdict === 'affected' && m.basis === 'configurations'));
  const w7 = await vulnerabilitiesForHost(store, ['cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*', 'cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*']);
  assert.deepEqual(w7.map((m) => [m.id, m.verdict, m.cpe]), [['CVE-2017-0144', 'affected', 'cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*']]);
  await assert.rejects(vulnerabilitiesForHost(store, ['cpe:/o']), /vendor and a product/);
  await store.close();
});

test('a record with CNA data only (no CPE yet) is found for an inventory CPE by product word and CNA versions', { skip: skipWithoutCorpus('kb', 'cve') }, async () => {
  const { vulnerabilitiesForHost } = await import('../../src/kb/kb-host-match.js');
  const store = await KbSqliteStore.open(':memory:');
  await new KbImporter(store).importPath(corpusPath('kb', 'cve', 'CVE-2021-44228.json'));
  const hit = await vulnerabilitiesForHost(store, ['cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*']);
  assert.deepEqual(hit.map((m) => [m.id, m.verdict, m.basis]), [['CVE-2021-44228', 'affected', 'cna_affected']]);
  assert.deepEqual(await vulnerabilitiesForHost(store, ['cpe:2.3:a:apache:log4j:2.17.1:*:*:*:*:*:*:*']), [], '2.15.0 and later are unaffected (changes[])');
  await store.close();
});
