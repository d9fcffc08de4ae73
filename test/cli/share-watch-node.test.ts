// A node watches for its partners' indicators: one partner's TAXII collection is polled (added_after
// kept), another partner POSTs to the node's inbox; live traffic from a listed source then raises an
// intel/partner_indicator alert for each, naming the partner and the indicator.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/cli/config.js';
import { startNode } from '../../src/cli/node.js';
import { buildServer } from '../../src/server/app.js';
import { taxiiPlugin } from '../../src/server/routes/taxii.js';
import { TaxiiClient } from '../../src/share/taxii/taxii-client.js';
import { collectionId, TaxiiService } from '../../src/share/taxii/taxii-service.js';
import { api, freePort, tempDir } from './up-helpers.js';

const indicator = (n: number, addr: string, name: string) => ({
  type: 'indicator', spec_version: '2.1', id: `indicator--0b6b2b1e-1d7a-4d4c-8a8e-${String(n).padStart(12, '0')}`,
  created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name, pattern: `[ipv4-addr:value = '${addr}']`, pattern_type: 'stix', valid_from: '2026-01-01T00:00:00Z',
});

test('vigil up: indicators polled from a partner and posted to the inbox raise alerts on matching traffic', async () => {
  const partner = new TaxiiService({ title: 'Partner CERT', apiRoot: 'vigil', collections: [{ alias: 'feed', title: 'feed' }] });
  partner.publish('feed', [indicator(1, '127.0.0.1', 'loopback scanner (polled)')]);
  const partnerApp = await buildServer({ store: {} as never, registry: new Registry(), token: 'partner-admin-token-0123456789', routes: [taxiiPlugin({ service: partner, prefix: '/taxii2', apiToken: () => 'partner-admin-token-0123456789', users: [] })] });
  const partnerBase = await partnerApp.listen({ host: '127.0.0.1', port: 0 });
  const dataDir = tempDir('node-watch');
  const config = loadConfig({
    env: {},
    flags: {
      dataDir, http: { host: '127.0.0.1', port: await freePort() }, sensor: { ports: [135] }, log: { level: 'silent' },
      share: { taxii: {
        users: [{ name: 'cert-b', token: 'cert-b-token-0123456789', read: [], write: ['partner-inbox'] }],
        poll: [{ name: 'cert-a', url: `${partnerBase}/taxii2/vigil/collections/${collectionId('feed')}/`, token: 'partner-admin-token-0123456789', intervalSeconds: 1 }],
      } },
    },
  });
  const n = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
  try {
    const inbox = new TaxiiClient({ collectionUrl: `http://${n.httpAddress}/taxii2/vigil/collections/${collectionId('partner-inbox')}/`, auth: { username: 'cert-b', password: 'cert-b-token-0123456789' } });
    assert.equal((await inbox.push([indicator(2, '127.0.0.1', 'loopback scanner (pushed)')])).success_count, 1);
    // Wait for the first poll to have stored its added_after state.
    const state = join(dataDir, 'taxii', 'poll-cert-a.added-after');
    for (let i = 0; i < 200 && !existsSync(state); i++) await new Promise((r) => setTimeout(r, 25));
    assert.match(readFileSync(state, 'utf8'), /^\d{4}-\d\d-\d\dT/);
    await new Promise<void>((resolve, reject) => {
      const s = connect(n.sensor.portFor(135)!, '127.0.0.1', () => s.end());
      s.on('error', reject);
      s.on('close', () => resolve());
    });
    let alerts: { rule: string; src?: string; evidence: { partner?: string; indicator?: string } }[] = [];
    for (let i = 0; i < 200; i++) {
      alerts = (await api<{ items: typeof alerts }>(n.httpAddress, n.token, '/api/v1/alerts?rule=partner_indicator')).body.items;
      if (alerts.length >= 2) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.deepEqual(alerts.map((a) => `${a.evidence.partner}: ${a.evidence.indicator}`).sort(), ['cert-a: loopback scanner (polled)', 'cert-b: loopback scanner (pushed)']);
    assert.ok(alerts.every((a) => a.src === '127.0.0.1'));
  } finally {
    await n.stop();
    await partnerApp.close();
  }
});
