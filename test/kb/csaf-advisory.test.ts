// Advisories out: our CSAF documents pass strict schema + every mandatory test through their lifecycle
// (draft, publish, edit), the provider directory validates against the provider schema of the corpus,
// hash files match, listings are consistent, and the HTML and Atom views escape what they show.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { KbImporter } from '../../src/kb/import/kb-importer.js';
import { loadStarterData } from '../../src/kb/data/starter-data.js';
import { AdvisoryService } from '../../src/kb/csaf/advisory-service.js';
import { validateCsaf } from '../../src/kb/csaf/csaf-validator.js';
import { csafFileName, type CsafDocument } from '../../src/kb/csaf/csaf-writer.js';
import { renderAdvisoryHtml, renderAtomFeed } from '../../src/kb/csaf/csaf-render.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const skip = skipWithoutCorpus('kb', 'csaf', 'schema', 'provider_json_schema.json');
let store: KbSqliteStore;
let clock = '2025-03-01T10:00:00.000Z';
let svc: AdvisoryService;
const publisher = { name: 'Vigil CERT', namespace: 'https://cert.vigil.example' };

before(async () => {
  store = await KbSqliteStore.open(':memory:');
  await loadStarterData(store);
  if (!skip) {
    await new KbImporter(store).importPath(corpusPath('kb', 'cve'));
    await new KbImporter(store).importPath(corpusPath('kb', 'nvd'));
  }
  svc = new AdvisoryService(store, () => clock);
});

test('draft -> publish -> edit: every version passes strict schema and all mandatory tests', async () => {
  const draft = await svc.draft({ trackingId: 'VIGIL-2025-0001', title: 'Windows RPC DCOM <buffer overrun>', summary: 'Patch MS03-026 & MS03-039 now.', cves: ['CVE-2003-0352', 'CVE-2003-0528', 'CVE-2017-0144'], publisher });
  assert.equal(draft.document.tracking.status, 'draft');
  assert.equal(draft.document.tracking.version, '0');
  const vulns = draft.vulnerabilities as Record<string, any>[];
  const blaster = vulns.find((v) => v.cve === 'CVE-2003-0352') as Record<string, any>;
  assert.ok(blaster.remediations.some((r: any) => r.category === 'vendor_fix' && /KB823980/.test(r.details)));
  assert.ok(blaster.threats.some((t: any) => t.category === 'exploit_status'));
  const tree = (draft.product_tree as any).full_product_names as any[];
  const xp = tree.find((p) => p.product_identification_helper?.cpe === 'cpe:2.3:o:microsoft:windows_xp:*:*:*:*:*:*:*:*');
  assert.ok(xp && blaster.product_status.known_affected.includes(xp.product_id));

  clock = '2025-03-02T09:00:00.000Z';
  const { doc: v1, validation } = await svc.publish('VIGIL-2025-0001');
  assert.equal(validation.valid, true);
  assert.equal(v1.document.tracking.status, 'final');
  assert.equal(v1.document.tracking.version, '1');
  assert.deepEqual(v1.document.tracking.revision_history.map((r) => r.number), ['1']);
  clock = '2025-03-05T09:00:00.000Z';
  const v2 = await svc.edit('VIGIL-2025-0001', { summary: 'Exploited by Blaster: patch now.' }, 'Summary updated.');
  assert.equal(v2.document.tracking.version, '2');
  assert.deepEqual(v2.document.tracking.revision_history.map((r) => r.number), ['1', '2']);
  assert.equal(v2.document.tracking.initial_release_date, '2025-03-02T09:00:00.000Z');
  const full = await validateCsaf(v2);
  assert.equal(full.valid, true, full.tests.filter((t) => !t.isValid).map((t) => t.id).join());
  await assert.rejects(svc.draft({ trackingId: 'VIGIL-2025-0002', title: 't', summary: 's', cves: ['CVE-1999-0001'], publisher }), /not in the knowledge base/);
});

test('provider directory: metadata validates against the corpus provider schema; hashes, index and changes agree', { skip }, async () => {
  await svc.draft({ trackingId: 'VIGIL-2025-0003', title: 'Draft only', summary: 'Not yet public.', cves: ['CVE-2003-0605'], publisher });
  const dir = await svc.directory({ baseUrl: 'https://vigil.example', publisher: { category: 'coordinator', ...publisher } });
  const meta = JSON.parse(dir.get('/.well-known/csaf/provider-metadata.json')!.body);
  const require = createRequire(import.meta.url);
  const Ajv2020 = require('ajv/dist/2020').default;
  const addFormats = require('ajv-formats').default;
  const ajv = new Ajv2020({ strict: false, validateSchema: false }); // the CVSS schemas are draft-04
  addFormats(ajv);
  for (const f of ['cvss-v2.0.json', 'cvss-v3.0.json', 'cvss-v3.1.json', 'csaf_json_schema.json']) {
    const schema = JSON.parse(readFileSync(corpusPath('kb', 'csaf', 'schema', f), 'utf8'));
    // The CSAF schema refers to the CVSS schemas by URL without their "?date" suffix.
    const id = String(schema.$id ?? schema.id).replace(/\?.*$/, '');
    delete schema.$id;
    delete schema.id;
    ajv.addSchema(schema, id);
  }
  const validate = ajv.compile(JSON.parse(readFileSync(corpusPath('kb', 'csaf', 'schema', 'provider_json_schema.json'), 'utf8')));
  assert.equal(validate(meta), true, JSON.stringify(validate.errors));
  assert.equal(validate(JSON.parse(readFileSync(corpusPath('kb', 'csaf', 'schema', 'example-01-provider-metadata.json'), 'utf8'))), true, 'schema sanity');

  const path = '/.well-known/csaf/white/2025/' + csafFileName('VIGIL-2025-0001');
  assert.equal(csafFileName('VIGIL-2025-0001'), 'vigil-2025-0001.json');
  const body = dir.get(path)!.body;
  assert.equal(dir.get(path + '.sha256')!.body, `${createHash('sha256').update(body).digest('hex')}  vigil-2025-0001.json\n`);
  assert.equal(dir.get(path + '.sha512')!.body.split('  ')[0], createHash('sha512').update(body).digest('hex'));
  assert.equal(dir.get('/.well-known/csaf/white/index.txt')!.body, '2025/vigil-2025-0001.json\n', 'drafts are not listed');
  assert.equal(dir.get('/.well-known/csaf/white/changes.csv')!.body, '"2025/vigil-2025-0001.json","2025-03-05T09:00:00.000Z"\n');
  const feed = JSON.parse(dir.get('/.well-known/csaf/white/csaf-feed-tlp-white.json')!.body).feed;
  assert.equal(feed.entry.length, 1);
  assert.equal(feed.entry[0].content.src, 'https://vigil.example' + path);
  const served = JSON.parse(body) as CsafDocument;
  const self = (served.document.references as any[]).find((r) => r.category === 'self');
  assert.equal(self.url, 'https://cert.vigil.example' + path, 'canonical URL names the year folder and file name');
});

test('HTML and Atom: content shown, markup escaped, drafts left out of the feed', async () => {
  const a = (await store.getAdvisory('VIGIL-2025-0001'))!.document as CsafDocument;
  const html = renderAdvisoryHtml(a);
  assert.match(html, /Windows RPC DCOM &lt;buffer overrun&gt;/);
  assert.ok(!html.includes('<buffer overrun>'));
  assert.match(html, /CVE-2003-0352/);
  assert.match(html, /microsoft windows_xp/);
  const evil = structuredClone(a);
  (evil.vulnerabilities as any[])[0].remediations[0].url = 'javascript:alert(1)';
  assert.ok(!renderAdvisoryHtml(evil).includes('href="javascript:'));
  const all = (await store.listAdvisories()).map((x) => x.document as CsafDocument);
  const atom = renderAtomFeed(all, { feedUrl: 'https://vigil.example/advisories.atom', title: 'Vigil', entryUrl: (d) => `https://vigil.example/advisories/${d.document.tracking.id}` });
  assert.equal((atom.match(/<entry>/g) ?? []).length, all.filter((d) => d.document.tracking.status !== 'draft').length);
  assert.match(atom, /<updated>2025-03-05T09:00:00.000Z<\/updated>/);
  assert.match(atom, /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
});
