// CSAF provider sync against our own provider directory served on 127.0.0.1: metadata -> ROLIE feed ->
// documents with hash checks; the watermark makes a second sync fetch nothing; a tampered document is refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { loadStarterData } from '../../src/kb/data/starter-data.js';
import { AdvisoryService } from '../../src/kb/csaf/advisory-service.js';
import { CsafSyncClient } from '../../src/kb/import/csaf-sync.js';

test('sync imports a provider\'s TLP:WHITE advisories, verifies hashes, and is incremental', async () => {
  const source = await KbSqliteStore.open(':memory:');
  await loadStarterData(source);
  const svc = new AdvisoryService(source, () => '2025-05-01T00:00:00.000Z');
  await svc.draft({ trackingId: 'PEER-2025-0001', title: 'DCOM', summary: 'Patch.', cves: ['CVE-2003-0352'], publisher: { name: 'Peer CERT', namespace: 'https://peer.example' } });
  await svc.publish('PEER-2025-0001');

  let tamper = false;
  const fetched: string[] = [];
  const server = createServer(async (req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = await svc.directory({ baseUrl: base, publisher: { category: 'coordinator', name: 'Peer CERT', namespace: 'https://peer.example' } });
    fetched.push(req.url ?? '');
    const f = dir.get(req.url ?? '');
    if (!f) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': f.contentType });
    res.end(tamper && req.url?.endsWith('.json') && req.url.includes('/2025/') ? f.body.replace('Patch.', 'Patched!') : f.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/csaf/provider-metadata.json`;
  try {
    const kb = await KbSqliteStore.open(':memory:');
    const client = new CsafSyncClient(kb);
    const r = await client.sync(url);
    assert.deepEqual(r.rejected, []);
    assert.equal(r.documents, 1);
    assert.ok(fetched.some((u) => u.endsWith('.sha512')), 'the strongest hash is checked');
    const v = await kb.getVulnerability('CVE-2003-0352');
    assert.ok(v?.sources.includes('csaf:PEER-2025-0001'));
    assert.ok(v?.remedies.some((m) => m.category === 'vendor_fix'));
    const again = await client.sync(url);
    assert.equal(again.documents, 0);
    assert.equal(again.skipped, 1, 'older than the watermark');

    tamper = true;
    const fresh = await KbSqliteStore.open(':memory:');
    const bad = await new CsafSyncClient(fresh).sync(url);
    assert.equal(bad.documents, 0);
    assert.match(bad.rejected[0].message, /sha512 mismatch/);
    assert.equal(await fresh.getVulnerability('CVE-2003-0352'), undefined);
  } finally { server.close(); }
});

/** A provider on 127.0.0.1 whose every answer comes from `handler`; `written` counts body bytes sent. */
async function hostile(handler: (req: IncomingMessage, res: ServerResponse, sent: { bytes: number }) => void): Promise<{ server: Server; url: string; sent: { bytes: number } }> {
  const sent = { bytes: 0 };
  const server = createServer((req, res) => handler(req, res, sent));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/csaf/provider-metadata.json`, sent };
}

test('a provider sending an endless document is cut at the body limit, not read whole', { timeout: 20_000 }, async () => {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const { server, url, sent } = await hostile((_req, res, s) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const pump = (): void => {
      // Stop after 64 MiB so that an unbounded reader ends too (and fails the assertion below).
      while (s.bytes < 64 * 1024 * 1024 && !res.destroyed) { s.bytes += chunk.length; if (!res.write(chunk)) { res.once('drain', pump); return; } }
      res.end();
    };
    pump();
  });
  try {
    const kb = await KbSqliteStore.open(':memory:');
    const limit = 1024 * 1024;
    await assert.rejects(new CsafSyncClient(kb, { limits: { max_body_bytes: limit } }).sync(url), (e: Error) => {
      assert.match(e.message, /max_body_bytes/);
      assert.ok(e.message.includes(url), e.message);
      return true;
    });
    // What the server got out before the connection closed: the limit plus what socket buffers hold.
    assert.ok(sent.bytes < limit + 24 * 1024 * 1024, `server sent ${sent.bytes} bytes`);
  } finally { server.closeAllConnections(); server.close(); }
});

test('a silent provider times out instead of hanging the sync', { timeout: 10_000 }, async () => {
  const { server, url } = await hostile(() => { /* accepts, never answers */ });
  try {
    const kb = await KbSqliteStore.open(':memory:');
    const t0 = Date.now();
    await assert.rejects(new CsafSyncClient(kb, { limits: { idle_timeout_ms: 300 } }).sync(url), /idle_timeout_ms/);
    assert.ok(Date.now() - t0 < 5_000);
  } finally { server.closeAllConnections(); server.close(); }
});
