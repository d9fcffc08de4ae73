// Importers end to end on the shared corpus into an in-memory SQLite KB: CVE JSON 5 (CNA + ADP merge,
// provenance, legacy n/a), NVD, KEV join, CSAF, EPSS; idempotent re-import; precise, all-or-nothing errors.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { KbImporter } from '../../src/kb/import/kb-importer.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const skip = skipWithoutCorpus('kb', 'cve');
let tmp: string;
before(() => { tmp = mkdtempSync(join(tmpdir(), 'vigil-kb-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

async function freshKb(): Promise<{ store: KbSqliteStore; importer: KbImporter }> {
  const store = await KbSqliteStore.open(':memory:');
  return { store, importer: new KbImporter(store, { batchSize: 4 }) };
}

test('CVE JSON 5 tree: every corpus record imports; CNA authoritative, ADP fills gaps with provenance', { skip }, async () => {
  const { store, importer } = await freshKb();
  const r = await importer.importPath(corpusPath('kb', 'cve'));
  const files = readdirSync(corpusPath('kb', 'cve')).filter((f) => f.endsWith('.json'));
  assert.deepEqual(r.rejected, []);
  assert.equal(r.records, files.length);
  const blaster = await store.getVulnerability('CVE-2003-0352');
  assert.ok(blaster);
  assert.match(blaster.description ?? '', /DCOM/);
  assert.equal(blaster.published, '2003-07-16T00:00:00Z', 'CNA datePublic (bulletin day), zone-less date read as UTC');
  assert.deepEqual(blaster.affected, [], 'legacy "n/a" vendor/product carries no product data');
  assert.equal(blaster.provenance.description, 'cve5:cna');
  const eb = await store.getVulnerability('CVE-2017-0144');
  assert.ok(eb);
  assert.equal(eb.affected[0].vendor, 'Microsoft Corporation');
  assert.equal(eb.provenance.affected, 'cve5:cna');
  assert.deepEqual(eb.cvss.map((c) => [c.vector, c.baseScore, c.source]), [['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8, 'cve5:adp:CISA-ADP']]);
  assert.equal(eb.kev?.dateAdded, '2022-02-10');
  assert.equal(eb.provenance.kev, 'cve5:adp:CISA-ADP');
  assert.equal(eb.exploitation, 'active');
  assert.deepEqual(eb.cwes, ['CWE-noinfo'], 'the CNA gives no CWE, the ADP does');
  assert.equal(eb.provenance.cwes, 'cve5:adp:CISA-ADP');
  const log4 = await store.getVulnerability('CVE-2021-44228');
  assert.deepEqual(log4?.cwes, ['CWE-502', 'CWE-400', 'CWE-20'], 'CNA CWEs win over any ADP');
  assert.equal(log4?.affected[0].versions[0].versionType, 'custom');
  const again = await importer.importPath(corpusPath('kb', 'cve'));
  assert.equal(again.inserted + again.updated, 0, 're-import changes nothing');
  assert.ok(again.unchanged >= files.length);
  await store.close();
});

test('NVD record merges configurations into the CVE record; KEV join flags exactly the catalogued corpus CVEs', { skip }, async () => {
  const { store, importer } = await freshKb();
  await importer.importPath(corpusPath('kb', 'cve'));
  const nvd = await importer.importPath(corpusPath('kb', 'nvd', 'CVE-2017-0144.nvd-api-2.0.cve.json'));
  assert.equal(nvd.byFormat['nvd-cve'], 1);
  const kev = await importer.importPath(corpusPath('kb', 'kev', 'known_exploited_vulnerabilities.json'));
  const catalog = JSON.parse(readFileSync(corpusPath('kb', 'kev', 'known_exploited_vulnerabilities.json'), 'utf8')) as { count: number };
  assert.equal(kev.records, catalog.count);
  const eb = await store.getVulnerability('CVE-2017-0144');
  assert.equal(eb?.configurations.length, 9);
  assert.equal(eb?.provenance.configurations, 'nvd');
  assert.equal(eb?.kev?.dueDate, '2022-08-10', 'the KEV catalog entry carries the due date');
  assert.ok(eb?.cvss.some((c) => c.version === '2.0' && c.baseScore === 9.3 && c.source === 'nvd@nist.gov'));
  const ids = readdirSync(corpusPath('kb', 'cve')).map((f) => f.replace('.json', ''));
  const flagged: string[] = [];
  for (const id of ids) if ((await store.getVulnerability(id))?.kev) flagged.push(id);
  assert.deepEqual(flagged.sort(), ['CVE-2017-0144', 'CVE-2019-0708', 'CVE-2021-44228']);
  const search = await store.searchVulns({ kev: true, publishedTo: '2018-01-01', vendor: 'microsoft' });
  assert.ok(search.items.some((i) => i.id === 'CVE-2017-0144'));
  assert.ok(!search.items.some((i) => i.id === 'CVE-2003-0352'));
  const again = await importer.importPath(corpusPath('kb', 'kev', 'known_exploited_vulnerabilities.json'));
  assert.equal(again.inserted + again.updated, 0);
  await store.close();
});

test('CSAF examples import as csaf:<tracking id> fragments with remediations', { skip }, async () => {
  const { store, importer } = await freshKb();
  const r = await importer.importPath(corpusPath('kb', 'csaf', 'examples'));
  assert.deepEqual(r.rejected, []);
  assert.ok((r.byFormat.csaf ?? 0) > 0);
  const rh = await store.getVulnerability('CVE-2021-44228');
  assert.ok(rh?.sources.some((s) => s.startsWith('csaf:')));
  assert.ok(rh?.remedies.some((m) => m.category === 'vendor_fix'));
  await store.close();
});

test('bad files are rejected with file, JSON pointer and expectation, and nothing of them is kept', { skip }, async () => {
  const { store, importer } = await freshKb();
  const rec = JSON.parse(readFileSync(corpusPath('kb', 'cve', 'CVE-2003-0352.json'), 'utf8'));
  rec.cveMetadata.cveId = 'CVE-03-352';
  writeFileSync(join(tmp, 'bad-cve.json'), JSON.stringify(rec));
  let r = await importer.importPath(join(tmp, 'bad-cve.json'));
  assert.equal(r.rejected.length, 1);
  assert.equal(r.rejected[0].pointer, '/cveMetadata/cveId');
  assert.match(r.rejected[0].message, /bad-cve\.json: at \/cveMetadata\/cveId: expected a CVE id .* found "CVE-03-352"/);

  const kev = JSON.parse(readFileSync(corpusPath('kb', 'kev', 'known_exploited_vulnerabilities.json'), 'utf8'));
  kev.vulnerabilities[700].dateAdded = 'yesterday';
  writeFileSync(join(tmp, 'bad-kev.json'), JSON.stringify(kev));
  r = await importer.importPath(join(tmp, 'bad-kev.json'));
  assert.equal(r.rejected[0].pointer, '/vulnerabilities/700/dateAdded');
  assert.equal(r.records, 0);
  assert.equal((await store.searchVulns({ kev: true })).total, 0, 'the first 700 entries were rolled back');

  r = await importer.importPath(corpusPath('kb', 'stix', 'interop', 'vulnerability.json'));
  assert.match(r.rejected[0].message, /expected a CVE JSON 5 record, an NVD CVE API 2\.0 page/);
  writeFileSync(join(tmp, 'truncated.json'), '{"dataType": "CVE_RECORD", ');
  r = await importer.importPath(join(tmp, 'truncated.json'));
  assert.match(r.rejected[0].message, /expected well-formed JSON/);
  await store.close();
});

test('streaming path: an NVD page over the whole-file limit imports element by element; errors carry the pointer', { skip }, async () => {
  const cve = JSON.parse(readFileSync(corpusPath('kb', 'nvd', 'CVE-2017-0144.nvd-api-2.0.cve.json'), 'utf8'));
  const page = { resultsPerPage: 3, startIndex: 0, totalResults: 3, format: 'NVD_CVE', version: '2.0', timestamp: '2025-10-22T00:00:00.000',
    vulnerabilities: ['CVE-2017-0144', 'CVE-2017-0145', 'CVE-2017-0146'].map((id) => ({ cve: { ...structuredClone(cve), id } })) };
  writeFileSync(join(tmp, 'page.json'), JSON.stringify(page));
  const store = await KbSqliteStore.open(':memory:');
  const importer = new KbImporter(store, { wholeFileLimit: 1024, batchSize: 2 });
  const r = await importer.importPath(join(tmp, 'page.json'));
  assert.deepEqual(r.rejected, []);
  assert.equal(r.byFormat['nvd-page'], 3);
  assert.equal((await store.getVulnerability('CVE-2017-0146'))?.configurations.length, 9);
  page.vulnerabilities[2].cve.metrics.cvssMetricV2[0].cvssData.vectorString = 'AV:N/AC:Q/Au:N/C:C/I:C/A:C';
  page.vulnerabilities[0].cve = { ...page.vulnerabilities[0].cve, id: 'CVE-2017-9999' };
  writeFileSync(join(tmp, 'page.json'), JSON.stringify(page));
  const bad = await importer.importPath(join(tmp, 'page.json'));
  assert.equal(bad.rejected[0].pointer, '/vulnerabilities/2/cve/metrics/cvssMetricV2/0/cvssData/vectorString');
  assert.match(bad.rejected[0].message, /AC has value "Q"/);
  assert.equal(await store.getVulnerability('CVE-2017-9999'), undefined, 'the first batch of the failed file was rolled back');
  await store.close();
});

test('EPSS gzip CSV with the model-version line', { skip }, async () => {
  const { store, importer } = await freshKb();
  await importer.importPath(corpusPath('kb', 'cve', 'CVE-2021-44228.json'));
  const csv = '#model_version:v2025.03.14,score_date:2025-03-17T00:00:00+0000\ncve,epss,percentile\nCVE-2021-44228,0.94358,0.99961\nCVE-2017-0144,0.94,0.9993\n';
  writeFileSync(join(tmp, 'epss_scores-2025-03-17.csv.gz'), gzipSync(csv));
  const r = await importer.importPath(join(tmp, 'epss_scores-2025-03-17.csv.gz'));
  assert.equal(r.byFormat.epss, 2);
  const v = await store.getVulnerability('CVE-2021-44228');
  assert.deepEqual(v?.epss, { score: 0.94358, percentile: 0.99961, date: '2025-03-17', model: 'v2025.03.14' });
  assert.equal((await store.searchVulns({ epssAbove: 0.942 })).items.map((i) => i.id).join(), 'CVE-2021-44228');
  writeFileSync(join(tmp, 'epss_scores-2025-03-18.csv'), '#model_version:v2025.03.14,score_date:2025-03-18T00:00:00+0000\ncve,epss,percentile\nCVE-2021-44228,0.94401,0.99962\n');
  await importer.importPath(join(tmp, 'epss_scores-2025-03-18.csv'));
  assert.deepEqual((await store.getEpssHistory('CVE-2021-44228')).map((p) => [p.date, p.score]), [['2025-03-17', 0.94358], ['2025-03-18', 0.94401]]);
  assert.equal((await store.getVulnerability('CVE-2021-44228'))?.epss?.date, '2025-03-18', 'the record shows the latest day');
  writeFileSync(join(tmp, 'epss-bad.csv'), '#model_version:v2025.03.14,score_date:2025-03-18T00:00:00+0000\ncve,epss,percentile\nCVE-2021-44228,0.5,0.5\nCVE-2021-44228,1.7,0.5\n');
  const bad = await importer.importPath(join(tmp, 'epss-bad.csv'));
  assert.equal(bad.rejected[0].pointer, 'line 4');
  assert.equal((await store.getVulnerability('CVE-2021-44228'))?.epss?.score, 0.94401, 'nothing of the bad file kept');
  assert.equal((await store.getEpssHistory('CVE-2021-44228')).length, 2, 'no history row from the bad file either');
  await store.close();
});

test('the whole kb corpus: KB formats import, CSAF conformance failures and non-KB files are rejected precisely; re-import changes nothing', { skip }, async () => {
  const dir = join(tmp, 'corpus-kb');
  cpSync(corpusPath('kb'), dir, { recursive: true });
  const { store, importer } = await freshKb();
  const r = await importer.importPath(dir);
  const rejectedKb = r.rejected.filter((x) => /[/\\](cve|nvd|kev[/\\]known_exploited_vulnerabilities\.json|csaf[/\\]examples)/.test(x.file));
  assert.deepEqual(rejectedKb, []);
  assert.ok(r.rejected.length > 0 && r.rejected.every((x) => x.expected !== undefined), 'every rejection says what was expected');
  assert.ok(r.rejected.some((x) => x.file.endsWith('kev/known_exploited_vulnerabilities_schema.json')));
  // Every document of the official set that must fail a mandatory test is refused, naming a test or the schema.
  const index = JSON.parse(readFileSync(corpusPath('kb', 'csaf', 'testcases', 'testcases.json'), 'utf8')) as { tests: { group: string; failures?: { name: string }[] }[] };
  const mustFail = index.tests.filter((t) => t.group === 'mandatory').flatMap((t) => (t.failures ?? []).map((f) => f.name));
  const rejected = new Map(r.rejected.map((x) => [x.file.replace(/\\/g, '/').split('/csaf/testcases/')[1], x]));
  for (const f of mustFail) assert.match(rejected.get(f)?.expected ?? 'not rejected', /valid CSAF 2\.0 document \((strict schema|mandatory test 6\.1\.\d+(\.\d+)?):/, f);
  assert.ok((r.byFormat.csaf ?? 0) > 0);
  const again = await importer.importPath(dir);
  assert.equal(again.inserted + again.updated, 0);
  assert.equal(again.rejected.length, r.rejected.length);
  await store.close();
});

test('tree re-import skips unchanged files by raw hash, but an older version of a record is a change again', { skip }, async () => {
  const dir = join(tmp, 'versions');
  cpSync(corpusPath('kb', 'cve', 'CVE-2003-0352.json'), join(dir, 'CVE-2003-0352.json'));
  const { store, importer } = await freshKb();
  const v1 = readFileSync(join(dir, 'CVE-2003-0352.json'), 'utf8');
  await importer.importPath(dir);
  const rec = JSON.parse(v1);
  rec.containers.cna.descriptions[0].value = 'Edited description.';
  writeFileSync(join(dir, 'CVE-2003-0352.json'), JSON.stringify(rec));
  const v2 = await importer.importPath(dir);
  assert.equal(v2.updated, 1, 'the CNA fragment changed');
  assert.equal((await store.getVulnerability('CVE-2003-0352'))?.description, 'Edited description.');
  const same = await importer.importPath(dir);
  assert.equal(same.inserted + same.updated, 0);
  writeFileSync(join(dir, 'CVE-2003-0352.json'), v1);
  const back = await importer.importPath(dir);
  assert.equal(back.updated, 1, 'going back to v1 is a change, not skipped as "seen"');
  assert.match((await store.getVulnerability('CVE-2003-0352'))?.description ?? '', /DCOM/);
  await store.close();
});
