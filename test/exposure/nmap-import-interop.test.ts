// Real nmap: `nmap -sV -oX` against a Vigil sensor persona on an ephemeral loopback port, and the
// XML it wrote imported into assets (the issue 13 "done means" import case).

import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { assetView } from '../../src/exposure/asset-merge.js';
import { skipWithoutPeer } from '../helpers/peers.js';
import { startSensor } from '../sensor/sensor-harness.js';
import { openFixture } from './exposure-fixture.js';

const run = promisify(execFile);

test('nmap -sV -oX of a persona on loopback imports as an asset with the msrpc service and nmap provenance', { skip: skipWithoutPeer('nmap'), timeout: 180_000 }, async () => {
  const sensor = await startSensor({ ports: [135] });
  const fx = await openFixture();
  try {
    const port = sensor.port(135);
    const xml = join(fx.dir, 'persona.xml');
    await run('nmap', ['-sV', '-Pn', '-n', '-p', String(port), '--host-timeout', '120s', '-oX', xml, '127.0.0.1'], { timeout: 150_000 });
    const s = await fx.service.importFiles([{ path: xml }]);
    assert.deepEqual(s.files.map((f) => [f.format, f.hosts]), [['nmap', 1]]);
    const asset = (await fx.store.listAssets({ match: '127.0.0.1' })).items[0];
    assert.ok(asset, 'the scanned address is an asset');
    const v = assetView(asset);
    assert.deepEqual(v.services, [`tcp/${port}`]);
    const svc = asset.facts.find((f) => f.kind === 'service')!;
    assert.equal(svc.source, 'nmap');
    assert.equal(svc.origin, xml);
    assert.equal(svc.detail?.['name'], 'msrpc');
    assert.equal(svc.detail?.['product'], 'Microsoft Windows RPC');
    assert.ok(v.cpes.includes('cpe:/o:microsoft:windows'), `nmap's service CPE kept: ${v.cpes.join(', ')}`);
    // "Windows" without a version is not enough for the knowledge base to say MS03-026 applies
    assert.equal((await fx.store.listFindings({ vulnId: 'CVE-2003-0352' })).total, 0);
  } finally {
    await fx.close();
    await sensor.stop();
  }
});
