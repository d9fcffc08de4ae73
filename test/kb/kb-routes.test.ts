// The KB's HTTP resources through the real app factory (app.inject, no listening): /api/v1/vulns search
// and lookup, /api/v1/advisories with HTML and Atom, and the public CSAF provider directory. The KB
// tables live in the node's own SQLite store (all areas' migrations), as `vigil up` wires them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { buildServer } from '../../src/server/app.js';
import { kbRoutePlugins } from '../../src/server/routes/vulns.js';
import { loadStarterData } from '../../src/kb/data/starter-data.js';
import { KbImporter } from '../../src/kb/import/kb-importer.js';
import { AdvisoryService } from '../../src/kb/csaf/advisory-service.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const skip = skipWithoutCorpus('kb', 'cve');
const TOKEN = 't0ken-for-tests-only-0123456789';
let node: SqliteStore;
let kb: KbSqliteStore;
let app: FastifyInstance;
const auth = { authorization: `Bearer ${TOKEN}` };

before(async () => {
  node = await openSqliteStore({ file: ':memory:', background: false });
  kb = new KbSqliteStore(node.kysely);
  await loadStarterData(kb);
  if (!skip) {
    const imp = new KbImporter(kb);
    await imp.importPath(corpusPath('kb', 'cve'));
    await imp.importPath(corpusPath('kb', 'nvd'));
    await imp.importPath(corpusPath('kb', 'kev', 'known_exploited_vulnerabilities.json'));
  }
  const svc = new AdvisoryService(kb, () => '2025-04-01T00:00:00.000Z');
  await svc.draft({ trackingId: 'VIGIL-2025-0042', title: 'DCOM', summary: 'Patch.', cves: ['CVE-2003-0352'], publisher: { name: 'Vigil', namespace: 'https://vigil.example' } });
  await svc.publish('VIGIL-2025-0042');
  const publisher = { category: 'coordinator', name: 'Vigil', namespace: 'https://vigil.example' };
  app = await buildServer({ store: node, registry: new Registry(), token: TOKEN, routes: kbRoutePlugins({ kb, baseUrl: 'https://vigil.example', publisher }) });
});
after(async () => { await app?.close(); await node?.close(); });

test('GET /api/v1/vulns/:id by CVE and by bulletin alias; 404 and 401', async () => {
  const r = await app.inject({ url: '/api/v1/vulns/CVE-2003-0352', headers: auth });
  assert.equal(r.statusCode, 200);
  const v = r.json();
  assert.deepEqual(v.ports, [135, 139, 445, 593]);
  assert.equal(v.provenance.title, 'vigil');
  assert.equal((await app.inject({ url: '/api/v1/vulns/MS03-026', headers: auth })).json().id, 'CVE-2003-0352');
  assert.equal((await app.inject({ url: '/api/v1/vulns/CVE-1999-9999', headers: auth })).statusCode, 404);
  assert.equal((await app.inject({ url: '/api/v1/vulns/CVE-2003-0352' })).statusCode, 401);
});

test('alias lookup and search take % and _ literally, and a description word is no alias', async () => {
  for (const id of ['___________', 'MS03_026', 'windows']) {
    const r = await app.inject({ url: `/api/v1/vulns/${id}`, headers: auth });
    assert.equal(r.statusCode, 404, `${id}: ${r.body.slice(0, 80)}`);
  }
  const search = async (q: string) => (await app.inject({ url: `/api/v1/vulns?q=${encodeURIComponent(q)}`, headers: auth })).json().total;
  assert.equal(await search('_'.repeat(12)), 0);
  assert.equal(await search('%%'), 0);
  assert.ok((await search('DCOM')) > 0);
  // The route's id pattern keeps % out; the store must not depend on that.
  assert.equal(await kb.getVulnerability('%MS03%'), undefined);
  assert.equal((await kb.getVulnerability('ms03-026'))?.id, 'CVE-2003-0352');
});

test('GET /api/v1/vulns: out-of-range paging answers 400 naming the parameter', async () => {
  for (const [qs, name] of [['offset=99999999999999999999', 'offset'], ['offset=-1', 'offset'], ['limit=99999999999999999999', 'limit'], ['limit=0', 'limit']]) {
    const r = await app.inject({ url: `/api/v1/vulns?${qs}`, headers: auth });
    assert.equal(r.statusCode, 400, `${qs}: ${r.body}`);
    assert.match(r.json().message, new RegExp(name), qs);
  }
  assert.equal((await app.inject({ url: '/api/v1/vulns?offset=1000000', headers: auth })).json().items.length, 0);
});

test('GET /api/v1/vulns filters: text, KEV, CVSS, published range, CPE applicability', { skip }, async () => {
  const get = async (qs: string) => (await app.inject({ url: `/api/v1/vulns?${qs}`, headers: auth })).json();
  assert.ok((await get('q=DCOM')).items.some((i: { id: string }) => i.id === 'CVE-2003-0352'));
  const kevOld = await get('kev=true&publishedTo=2018-01-01&vendor=microsoft');
  assert.deepEqual(kevOld.items.map((i: { id: string }) => i.id).sort(), ['CVE-2017-0144']);
  const high = await get('cvssAbove=9.9&publishedFrom=2021-01-01');
  assert.ok(high.items.some((i: { id: string }) => i.id === 'CVE-2021-44228'));
  const w7 = await get(`cpe=${encodeURIComponent('cpe:2.3:o:microsoft:windows_xp:-:sp1:*:*:*:*:*:*')}`);
  const ids = w7.items.map((i: { id: string }) => i.id);
  assert.ok(ids.includes('CVE-2003-0352') && ids.includes('CVE-2003-0715'));
  assert.equal(w7.items.find((i: { id: string }) => i.id === 'CVE-2003-0352').verdict, 'affected');
  const enc = encodeURIComponent;
  const eb = await get(`cpe=${enc('cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*')}&cpe=${enc('cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*')}`);
  assert.ok(eb.items.some((i: { id: string; verdict: string }) => i.id === 'CVE-2017-0144' && i.verdict === 'affected'), 'two CPEs of one host: running-on/with');
  assert.equal((await app.inject({ url: '/api/v1/vulns?cpe=nonsense', headers: auth })).statusCode, 400);
  assert.equal((await app.inject({ url: '/api/v1/vulns?epssAbove=2', headers: auth })).statusCode, 400);
});

test('advisories: list, CSAF document, HTML; the Atom feed and provider directory are public', async () => {
  const list = (await app.inject({ url: '/api/v1/advisories', headers: auth })).json();
  assert.deepEqual(list.items.map((a: { trackingId: string; version: string }) => [a.trackingId, a.version]), [['VIGIL-2025-0042', '1']]);
  const doc = (await app.inject({ url: '/api/v1/advisories/VIGIL-2025-0042', headers: auth })).json();
  assert.equal(doc.document.tracking.status, 'final');
  const html = await app.inject({ url: '/api/v1/advisories/VIGIL-2025-0042/html', headers: auth });
  assert.match(html.headers['content-type'] as string, /text\/html/);
  const atom = await app.inject({ url: '/api/v1/advisories/feed.atom' });
  assert.equal(atom.statusCode, 200);
  assert.match(atom.body, /<entry>[\s\S]*VIGIL-2025-0042/);
  const meta = await app.inject({ url: '/.well-known/csaf/provider-metadata.json' });
  assert.equal(meta.statusCode, 200);
  assert.equal(meta.json().canonical_url, 'https://vigil.example/.well-known/csaf/provider-metadata.json');
  const index = await app.inject({ url: '/.well-known/csaf/white/index.txt' });
  assert.equal(index.body, '2025/vigil-2025-0042.json\n');
  const file = await app.inject({ url: '/.well-known/csaf/white/2025/vigil-2025-0042.json' });
  assert.equal(file.json().document.tracking.id, 'VIGIL-2025-0042');
  assert.equal((await app.inject({ url: '/.well-known/csaf/white/2025/nope.json' })).statusCode, 404);
});

test('every response carries the security headers; the advisory HTML is under a strict CSP', async () => {
  const cases: [string, Record<string, string>, number][] = [
    ['/api/v1/advisories/VIGIL-2025-0042/html', auth, 200], ['/api/v1/advisories/feed.atom', {}, 200],
    ['/.well-known/csaf/provider-metadata.json', {}, 200], ['/.well-known/csaf/white/index.txt', {}, 200],
    ['/healthz', {}, 200], ['/metrics', auth, 200], ['/api/v1/vulns/CVE-2003-0352', auth, 200], ['/api/v1/openapi.json', auth, 200],
    ['/api/v1/vulns/CVE-2003-0352', {}, 401], ['/api/v1/vulns?limit=0', auth, 400], ['/api/v1/vulns/CVE-1999-9999', auth, 404], ['/no-such-route', auth, 404],
  ];
  for (const [url, headers, status] of cases) {
    const r = await app.inject({ url, headers });
    assert.equal(r.statusCode, status, url);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', url);
    assert.equal(r.headers['x-frame-options'], 'DENY', url);
    assert.equal(r.headers['referrer-policy'], 'no-referrer', url);
    const csp = String(r.headers['content-security-policy']);
    for (const directive of ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) assert.ok(csp.includes(directive), `${url}: ${csp}`);
    assert.doesNotMatch(csp, /unsafe|script-src/, url);
  }
});

test('the OpenAPI document lists the KB resources', async () => {
  const r = await app.inject({ url: '/api/v1/openapi.json', headers: auth });
  assert.equal(r.statusCode, 200);
  const paths = Object.keys(r.json().paths);
  for (const p of ['/api/v1/vulns/', '/api/v1/vulns/{id}', '/api/v1/advisories/', '/api/v1/advisories/{id}']) assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
});
