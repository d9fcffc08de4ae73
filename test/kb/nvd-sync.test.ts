// NVD API 2.0 sync client against a local HTTP server on 127.0.0.1 serving corpus-derived pages:
// paging, 120-day windows, the stored watermark, rate limiting (virtual clock) and retries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { NvdSyncClient, RateLimiter, syncWindows, NVD_STATE_KEY } from '../../src/kb/import/nvd-sync.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const NVD = ['kb', 'nvd', 'CVE-2017-0144.nvd-api-2.0.cve.json'];

function serve(handler: (u: URL) => { status: number; body?: unknown }): Promise<{ server: Server; url: string; seen: URL[] }> {
  const seen: URL[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push(u);
    const r = handler(u);
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(r.body === undefined ? '' : JSON.stringify(r.body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rest/json/cves/2.0`, seen });
  }));
}

/** A virtual clock: sleeping advances time instantly, so rate limits are checked without waiting. */
function virtualTime(start: number): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; }, slept };
}

test('rate limiter: at most N starts per rolling window', async () => {
  const vt = virtualTime(0);
  const rl = new RateLimiter(5, 30_000, vt.now, vt.sleep);
  const starts: number[] = [];
  for (let i = 0; i < 12; i++) { await rl.acquire(); starts.push(vt.now()); }
  for (let i = 5; i < starts.length; i++) assert.ok(starts[i] - starts[i - 5] >= 30_000, `request ${i}`);
  assert.deepEqual(starts.slice(0, 6), [0, 0, 0, 0, 0, 30_000]);
});

test('sync windows never exceed 120 days', () => {
  const w = syncWindows(Date.parse('2025-01-01T00:00:00Z'), Date.parse('2025-10-01T00:00:00Z'));
  assert.equal(w.length, 3);
  for (const [s, e] of w) assert.ok(e - s <= 120 * 86_400_000);
  assert.equal(w[2][1], Date.parse('2025-10-01T00:00:00Z'));
});

test('sync pages through a window, stores the watermark, retries 503, and the next sync starts there', { skip: skipWithoutCorpus(...NVD) }, async () => {
  const cve = JSON.parse(readFileSync(corpusPath(...NVD), 'utf8'));
  const all = ['CVE-2017-0143', 'CVE-2017-0144', 'CVE-2017-0145', 'CVE-2017-0146', 'CVE-2017-0147'].map((id) => ({ cve: { ...cve, id } }));
  let failOnce = true;
  const { server, url, seen } = await serve((u) => {
    if (failOnce && u.searchParams.get('startIndex') === '2') { failOnce = false; return { status: 503 }; }
    const start = Number(u.searchParams.get('startIndex'));
    const per = Number(u.searchParams.get('resultsPerPage'));
    return { status: 200, body: { resultsPerPage: per, startIndex: start, totalResults: all.length, format: 'NVD_CVE', version: '2.0', vulnerabilities: all.slice(start, start + per) } };
  });
  try {
    const store = await KbSqliteStore.open(':memory:');
    const vt = virtualTime(Date.parse('2025-10-22T00:00:00Z'));
    const client = new NvdSyncClient(store, { baseUrl: url, resultsPerPage: 2, initialStart: '2025-09-01T00:00:00.000Z', now: vt.now, sleep: vt.sleep });
    const r = await client.sync();
    assert.equal(r.records, 5);
    assert.equal(r.inserted, 5);
    assert.equal(r.requests, 4, '3 pages + 1 retry');
    assert.equal(seen[0].searchParams.get('lastModStartDate'), '2025-09-01T00:00:00.000Z');
    assert.equal(seen[0].searchParams.get('lastModEndDate'), '2025-10-22T00:00:00.000Z');
    assert.deepEqual(seen.map((u) => u.searchParams.get('startIndex')), ['0', '2', '2', '4']);
    assert.equal(await store.getKbState(NVD_STATE_KEY), '2025-10-22T00:00:00.000Z');
    assert.equal((await store.getVulnerability('CVE-2017-0147'))?.configurations.length, 9);
    assert.ok(vt.slept.includes(1000), 'backoff before the retry');

    vt.sleep(3_600_000);
    const again = await new NvdSyncClient(store, { baseUrl: url, resultsPerPage: 2, now: vt.now, sleep: vt.sleep }).sync();
    assert.equal(seen[4].searchParams.get('lastModStartDate'), '2025-10-22T00:00:00.000Z', 'incremental: starts at the watermark');
    assert.equal(again.inserted + again.updated, 0, 'same records: nothing changes');
    await store.close();
  } finally { server.close(); }
});

test('sync gives up on a non-retryable status with the HTTP code', async () => {
  const { server, url } = await serve(() => ({ status: 404 }));
  try {
    const store = await KbSqliteStore.open(':memory:');
    const vt = virtualTime(Date.parse('2025-10-22T00:00:00Z'));
    const client = new NvdSyncClient(store, { baseUrl: url, initialStart: '2025-10-01T00:00:00.000Z', now: vt.now, sleep: vt.sleep });
    await assert.rejects(client.sync(), /HTTP 404 after 1 attempt/);
    assert.equal(await store.getKbState(NVD_STATE_KEY), undefined, 'the watermark does not move');
    await store.close();
  } finally { server.close(); }
});

const EMPTY_PAGE = { resultsPerPage: 0, startIndex: 0, totalResults: 0, format: 'NVD_CVE', version: '2.0', vulnerabilities: [] };

/** A raw server on 127.0.0.1 recording each request's apiKey header (undefined when absent). */
async function raw(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; base: string; keys: (string | undefined)[] }> {
  const keys: (string | undefined)[] = [];
  const server = createServer((req, res) => { keys.push(req.headers.apikey as string | undefined); handler(req, res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys };
}

const answerEmpty = (_req: IncomingMessage, res: ServerResponse): void => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(EMPTY_PAGE)); };

test('the API key follows a same-origin redirect but not a cross-origin one', async () => {
  const other = await raw(answerEmpty);
  const home = await raw((req, res) => {
    if (req.url?.startsWith('/moved')) { answerEmpty(req, res); return; }
    const to = req.url?.includes('cross') ? `${other.base}/rest/json/cves/2.0` : '/moved/cves/2.0';
    res.writeHead(302, { location: to }); res.end();
  });
  try {
    for (const [path, where] of [['/same/cves/2.0', home], ['/cross/cves/2.0', other]] as const) {
      const store = await KbSqliteStore.open(':memory:');
      const vt = virtualTime(Date.parse('2025-10-22T00:00:00Z'));
      await new NvdSyncClient(store, { baseUrl: home.base + path, apiKey: 'SECRET-KEY', initialStart: '2025-10-01T00:00:00.000Z', now: vt.now, sleep: vt.sleep }).sync();
      await store.close();
      assert.equal(where.keys.length > 0, true, `${path}: redirect followed`);
    }
    assert.deepEqual(home.keys, ['SECRET-KEY', 'SECRET-KEY', 'SECRET-KEY'], 'same origin: the key is sent after the redirect');
    assert.deepEqual(other.keys, [undefined], 'another origin (port) never sees the key');
  } finally { home.server.close(); other.server.close(); }
});

test('a silent NVD server times out and an oversized page is refused at the body limit', { timeout: 10_000 }, async () => {
  const silent = await raw(() => { /* never answers */ });
  const huge = await raw((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(Buffer.alloc(256 * 1024, 0x20)); });
  try {
    const vt = virtualTime(Date.parse('2025-10-22T00:00:00Z'));
    const opts = { initialStart: '2025-10-01T00:00:00.000Z', now: vt.now, sleep: vt.sleep, limits: { idle_timeout_ms: 300, max_body_bytes: 64 * 1024 } };
    const store = await KbSqliteStore.open(':memory:');
    await assert.rejects(new NvdSyncClient(store, { ...opts, baseUrl: silent.base + '/cves' }).sync(), /idle_timeout_ms/);
    await assert.rejects(new NvdSyncClient(store, { ...opts, baseUrl: huge.base + '/cves' }).sync(), /max_body_bytes/);
    assert.equal(await store.getKbState(NVD_STATE_KEY), undefined, 'the watermark does not move');
    await store.close();
  } finally { silent.server.closeAllConnections(); silent.server.close(); huge.server.close(); }
});
