// `vigil up` links the warning side to the response side: an MS03-026 exploit sent to the live sensor
// from an address that is a known asset (imported before the node started) marks that asset probably
// compromised, and its MS03-026 finding becomes p1, through the node's API.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { openExposure } from '../../src/cli/exposure-wiring.js';
import { startNode } from '../../src/cli/node.js';
import { activationCall, deliveryVariants } from '../helpers/delivery-variants.js';
import { api, freePort, tempDir, deliver } from '../cli/up-helpers.js';

test('vigil up: a sensor alert from a known asset marks it probably compromised and raises its finding to p1', async () => {
  const dataDir = tempDir('node-exposure');
  const httpPort = await freePort();
  const config = loadConfig({ env: {}, flags: { dataDir, http: { host: '127.0.0.1', port: httpPort }, sensor: { ports: [135] }, log: { level: 'silent' } } });
  const inv = join(dataDir, 'inv.csv');
  writeFileSync(inv, 'ip,hostname,os,owner\n127.0.0.1,ws-lab,Windows XP,alice\n');
  const h = await openExposure(config, { create: true });
  await h.service.importFiles([{ path: inv }]);
  await h.close();

  const n = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
  try {
    const before = await api<{ items: { priority: { label: string } }[] }>(n.httpAddress, n.token, '/api/v1/findings?cve=CVE-2003-0352');
    assert.equal(before.body.items[0]?.priority.label, 'p3');
    const v = deliveryVariants(activationCall('RemoteActivation'))[0]!;
    await deliver(n.sensor.portFor(135)!, v.chunks);
    let assets: { items: { addresses: string[]; compromised?: { rule: string } }[] } = { items: [] };
    for (let i = 0; i < 200 && assets.items.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      assets = (await api<typeof assets>(n.httpAddress, n.token, '/api/v1/assets?compromised=true')).body;
    }
    assert.deepEqual(assets.items.map((a) => a.addresses), [['127.0.0.1']]);
    assert.match(assets.items[0]!.compromised!.rule, /^exploit\//);
    const after = await api<{ items: { priority: { label: string; reasons: string[] } }[] }>(n.httpAddress, n.token, '/api/v1/findings?cve=CVE-2003-0352');
    assert.equal(after.body.items[0]?.priority.label, 'p1', JSON.stringify(after.body.items[0]?.priority));
  } finally {
    await n.stop();
  }
});
