// The feed watcher of `vigil up` against loopback servers serving corpus files: the first sync of a
// source is its baseline; later syncs raise notices for what changed and concerns us (subscriptions),
// a KEV addition among them; a feed that is down, malformed or rate-limiting fails alone and loses
// nothing that was imported before; notices become `kb` alerts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { FeedWatcher, type FeedSources } from '../../src/kb/watch/feed-watcher.js';
import { subscriptionHits, NO_SUBSCRIPTIONS } from '../../src/kb/watch/subscriptions.js';
import { noticeAlert } from '../../src/detect/kb-notice-alert.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const KEV = ['kb', 'kev', 'known_exploited_vulnerabilities.json'];
const NVD = ['kb', 'nvd', 'CVE-2017-0144.nvd-api-2.0.cve.json'];

interface Route { status: number; body: string | Buffer; type?: string }
async function serve(routes: Map<string, () => Route>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const r = routes.get(u.pathname)?.() ?? { status: 404, body: 'not found' };
    res.writeHead(r.status, { 'content-type': r.type ?? 'application/json' });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const NONE: FeedSources = { kevUrl: '', epssUrl: '', nvdUrl: '', csafProviders: [] };

test('KEV: baseline first, then an addition that matches a subscription is one kb_kev_added alert; down, malformed and 429 lose nothing', { skip: skipWithoutCorpus(...KEV) }, async () => {
  const full = JSON.parse(readFileSync(corpusPath(...KEV), 'utf8')) as { vulnerabilities: { cveID: string; vendorProject: string }[]; count: number };
  // the first catalog lacks EternalBlue; the next one has it
  const without = { ...full, vulnerabilities: full.vulnerabilities.filter((v) => v.cveID !== 'CVE-2017-0144'), count: full.count - 1 };
  let current: () => Route = () => ({ status: 200, body: JSON.stringify(without) });
  const { server, base } = await serve(new Map([['/kev.json', () => current()]]));
  const work = mkdtempSync(join(tmpdir(), 'vigil-feeds-'));
  try {
    const store = await KbSqliteStore.open(':memory:');
    const watcher = new FeedWatcher({
      store, sources: { ...NONE, kevUrl: `${base}/kev.json` }, workDir: work, epssJump: 0.1,
      subscriptions: { vendors: [], products: [], keywords: ['SMBv1'] },
    });
    const first = await watcher.runOnce();
    assert.deepEqual(first.sources.map((s) => [s.source, s.ok, s.baseline]), [['kev', true, true]]);
    assert.ok(first.sources[0].inserted > 1000, `${first.sources[0].inserted} KEV entries imported`);
    assert.deepEqual(first.notices, [], 'the baseline raises nothing');

    current = () => ({ status: 200, body: JSON.stringify(full) });
    const second = await watcher.runOnce();
    assert.deepEqual(second.sources.map((s) => [s.source, s.ok, s.baseline, s.inserted]), [['kev', true, false, 1]]);
    assert.deepEqual(second.notices.map((n) => [n.kind, n.vulnId, n.reasons]), [['kev_added', 'CVE-2017-0144', ['keyword SMBv1']]]);
    const alert = noticeAlert(second.notices[0], Date.parse('2025-08-26T00:00:00Z'));
    assert.deepEqual([alert.detector, alert.rule, alert.severity, alert.cves], ['kb', 'kb_kev_added', 'high', ['CVE-2017-0144']]);
    assert.match(alert.title, /CVE-2017-0144 .*added to CISA KEV.*matches keyword SMBv1/);

    const third = await watcher.runOnce();
    assert.deepEqual([third.sources[0].inserted, third.sources[0].updated, third.notices.length], [0, 0, 0], 'the same catalog again: nothing new');

    const before = (await store.searchVulns({ kev: true, limit: 1 })).total;
    for (const [what, route] of [
      ['malformed', (): Route => ({ status: 200, body: '{"catalogVersion": "x", "vulnerabilities": [{"cveID": ' })],
      ['rate-limited', (): Route => ({ status: 429, body: '' })],
      ['server error', (): Route => ({ status: 503, body: '' })],
    ] as const) {
      current = route;
      const r = await watcher.runOnce();
      assert.equal(r.sources[0].ok, false, what);
      assert.ok(r.sources[0].error, `${what}: the error is reported`);
      assert.equal((await store.searchVulns({ kev: true, limit: 1 })).total, before, `${what}: nothing lost`);
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const down = await watcher.runOnce();
    assert.match(down.sources[0].error ?? '', /ECONNREFUSED|connect/i, 'a feed that is down fails alone');
    assert.equal((await store.searchVulns({ kev: true, limit: 1 })).total, before);
    await store.close();
  } finally {
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
});

test('NVD: a changed record for a subscribed product is a kb_changed notice; an unrelated one none', { skip: skipWithoutCorpus(...NVD) }, async () => {
  const cve = JSON.parse(readFileSync(corpusPath(...NVD), 'utf8')) as { id: string; descriptions: { lang: string; value: string }[] };
  let page = [cve];
  const { server, base } = await serve(new Map([['/rest/json/cves/2.0', () => ({
    status: 200,
    body: JSON.stringify({ resultsPerPage: 2000, startIndex: 0, totalResults: page.length, format: 'NVD_CVE', version: '2.0', vulnerabilities: page.map((c) => ({ cve: c })) }),
  })]]));
  const work = mkdtempSync(join(tmpdir(), 'vigil-feeds-'));
  try {
    const store = await KbSqliteStore.open(':memory:');
    let t = Date.parse('2025-10-01T00:00:00Z');
    const watcher = new FeedWatcher({
      store, sources: { ...NONE, nvdUrl: `${base}/rest/json/cves/2.0` }, workDir: work, epssJump: 0.1,
      subscriptions: { vendors: [], products: ['microsoft:server_message_block'], keywords: [] },
      nvd: { initialStart: '2025-09-01T00:00:00.000Z', now: () => t, sleep: async (ms) => { t += ms; } },
    });
    assert.deepEqual((await watcher.runOnce()).notices, []);
    t += 3_600_000;
    page = [{ ...cve, descriptions: [{ lang: 'en', value: 'The SMBv1 server in Microsoft Windows ... (revised)' }] }];
    const r = await watcher.runOnce();
    assert.deepEqual(r.notices.map((n) => [n.kind, n.vulnId, n.reasons, n.sources]), [['changed', 'CVE-2017-0144', ['product microsoft:server_message_block'], ['nvd']]]);
    assert.equal(noticeAlert(r.notices[0], t).severity, 'medium', 'CVSS 3.1 8.8');
    await store.close();
  } finally {
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
});

test('subscriptions match CNA and CPE vendor/product tokens and keywords, and nothing without subscriptions', async () => {
  const rec = {
    id: 'CVE-2003-0352', title: 'Buffer overflow in a DCOM interface for RPC', description: 'MS03-026, exploited by Blaster',
    affected: [{ vendor: 'Microsoft', product: 'Windows XP', versions: [], cpes: [], source: 'cve5:cna' }],
    configurations: [{ nodes: [{ operator: 'OR' as const, cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:o:microsoft:windows_2000:-:sp4:*:*:*:*:*:*' }] }] }],
    aliases: [], cvss: [], cwes: [], references: [], remedies: [], timeline: [], ports: [], state: 'PUBLISHED' as const, provenance: {}, sources: [],
  };
  const r = rec as unknown as Parameters<typeof subscriptionHits>[0];
  assert.deepEqual(subscriptionHits(r, { vendors: ['microsoft'], products: ['windows_xp', 'microsoft:windows_2000', 'linux'], keywords: ['blaster', 'zerologon'] }),
    ['vendor microsoft', 'product windows_xp', 'product microsoft:windows_2000', 'keyword blaster']);
  assert.deepEqual(subscriptionHits(r, NO_SUBSCRIPTIONS), []);
});
