// A vulnerability published after the inventory concerns the assets it affects the day a feed brings
// it: the feed watcher (against a loopback NVD API server) raises a notice naming the asset, and the
// finding opens at once; a record without CPEs yet names the asset as possibly affected; an unrelated
// record raises nothing. Synthetic CVE ids (CVE-2026-9999x), served by the test itself.

import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { FeedWatcher } from '../../src/kb/watch/feed-watcher.js';
import type { HostScanResult } from '../../src/model/scan.js';
import { openFixture, T0 } from './exposure-fixture.js';

const xpHost: HostScanResult = {
  address: '127.0.0.7', scannedAt: T0, hostname: 'FILESRV01',
  ports: [{ port: 135, proto: 'tcp', state: 'open', service: 'msrpc' }],
  os: { family: 'Windows', version: 'Windows XP', confidence: 0.8, evidence: ['ServerAlive2 bindings'] },
};

function nvdCve(id: string, description: string, cpes: readonly string[]): object {
  return {
    id, sourceIdentifier: 'secure@microsoft.com', published: '2026-12-02T10:00:00.000', lastModified: '2026-12-02T10:00:00.000', vulnStatus: 'Analyzed',
    descriptions: [{ lang: 'en', value: description }],
    metrics: { cvssMetricV31: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', baseScore: 9.8, baseSeverity: 'CRITICAL' } }] },
    weaknesses: [],
    configurations: cpes.length === 0 ? [] : [{ nodes: [{ operator: 'OR', negate: false, cpeMatch: cpes.map((criteria) => ({ vulnerable: true, criteria, matchCriteriaId: '00000000-0000-0000-0000-000000000000' })) }] }],
    references: [],
  };
}

test('a new NVD record that affects an inventoried Windows XP host names it and opens its finding; a record without CPEs names it as possibly affected', async () => {
  const fx = await openFixture();
  let page: object[] = [];
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ resultsPerPage: 2000, startIndex: 0, totalResults: page.length, format: 'NVD_CVE', version: '2.0', vulnerabilities: page.map((cve) => ({ cve })) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fx.service.applyScan([xpHost]);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let t = Date.parse('2026-12-01T00:00:00Z');
    const watcher = new FeedWatcher({
      store: fx.kb, sources: { kevUrl: '', epssUrl: '', nvdUrl: `${base}/rest/json/cves/2.0`, csafProviders: [] }, workDir: join(fx.dir, 'feeds'), epssJump: 0.1,
      subscriptions: { vendors: [], products: [], keywords: [] },
      assetsOf: (rec) => fx.service.concernedBy(rec),
      nvd: { initialStart: '2026-11-01T00:00:00.000Z', now: () => t, sleep: async (ms) => { t += ms; } },
    });
    assert.deepEqual((await watcher.runOnce()).notices, [], 'the first sync is the baseline');
    t += 3_600_000;
    page = [
      nvdCve('CVE-2026-99991', 'A remote code execution flaw in the RPC runtime of Microsoft Windows XP.', ['cpe:2.3:o:microsoft:windows_xp:*:*:*:*:*:*:*:*']),
      nvdCve('CVE-2026-99992', 'Microsoft Windows XP Explorer mishandles crafted shortcut files.', []),
      nvdCve('CVE-2026-99993', 'Apache HTTP Server mod_example overflows.', ['cpe:2.3:a:apache:http_server:2.4.99:*:*:*:*:*:*:*']),
    ];
    const r = await watcher.runOnce();
    const byId = new Map(r.notices.map((n) => [n.vulnId, n.reasons]));
    assert.deepEqual([...byId.keys()].sort(), ['CVE-2026-99991', 'CVE-2026-99992'], 'the Apache record concerns no asset');
    assert.deepEqual(byId.get('CVE-2026-99991'), ['asset filesrv01 affected (cpe:2.3:o:microsoft:windows_xp:*:*:*:*:*:*:*:*, configurations)']);
    assert.equal(byId.get('CVE-2026-99992')?.length, 1);
    assert.match(byId.get('CVE-2026-99992')![0]!, /^asset filesrv01 possibly affected \(.*windows_xp.*keyword\)$/);

    const affected = (await fx.store.listFindings({ vulnId: 'CVE-2026-99991' })).items;
    assert.equal(affected.length, 1, 'the finding opens the day the record arrives');
    assert.equal(affected[0]!.status, 'open');
    assert.equal((await fx.store.listFindings({ vulnId: 'CVE-2026-99992' })).total, 0, 'a keyword match names the asset but opens no finding');

    // A later change to the same record: the open finding is named, not opened twice.
    t += 3_600_000;
    page = [{ ...(page[0] as object), lastModified: '2026-12-03T10:00:00.000', descriptions: [{ lang: 'en', value: 'A remote code execution flaw in the RPC runtime of Microsoft Windows XP (revised).' }] }];
    const again = await watcher.runOnce();
    assert.deepEqual(again.notices.map((n) => [n.kind, n.vulnId, n.reasons.length]), [['changed', 'CVE-2026-99991', 1]]);
    assert.equal((await fx.store.listFindings({ vulnId: 'CVE-2026-99991' })).total, 1);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await fx.close();
  }
});
