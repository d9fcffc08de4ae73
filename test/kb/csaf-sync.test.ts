// CSAF provider sync against our own provider directory served on 127.0.0.1: metadata -> ROLIE feed ->
// documents with hash checks; the watermark makes a second sync fetch nothing; a tampered document is refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
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
