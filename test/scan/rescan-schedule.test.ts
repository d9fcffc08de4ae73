// Scheduled rescans of `vigil up` (scan.* keys): the node scans its configured target at start, the
// MS03-026 check's verdict reaches the findings, and /api/v1/scans lists the run with what it did.
// The target is an unpatched persona on an ephemeral loopback port.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startNode } from '../../src/cli/node.js';
import type { ScanRun } from '../../src/model/scan.js';
import { api, freePort, tempDir } from '../cli/up-helpers.js';
import { startSensor } from '../sensor/sensor-harness.js';

test('vigil up rescans its targets on schedule: the run is listed and its MS03-026 verdict opens a finding', { timeout: 90_000 }, async () => {
  const persona = await startSensor({ ports: [135], persona: { hostname: 'SCHEDULED', rpcssPatch: 'none' } });
  const port = persona.port(135);
  const config = loadConfig({
    env: {},
    flags: {
      dataDir: tempDir('rescan'), http: { host: '127.0.0.1', port: await freePort() }, sensor: { ports: [4444] }, log: { level: 'silent' },
      scan: { intervalMinutes: 60, targets: ['127.0.0.1'], ports: [port], rpcPorts: [port], checks: ['ms03-026'] },
    },
  });
  const n = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
  try {
    let runs: ScanRun[] = [];
    for (let i = 0; i < 300 && !runs.some((r) => r.state !== 'running'); i++) {
      runs = (await api<{ configured: boolean; items: ScanRun[] }>(n.httpAddress, n.token, '/api/v1/scans')).body.items;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(runs.map((r) => [r.state, r.hostsUp, r.assetsCreated]), [['done', 1, 1]], JSON.stringify(runs));
    assert.ok((runs[0].findingsOpened ?? 0) >= 1);
    const findings = await api<{ items: { vulnId: string; status: string }[] }>(n.httpAddress, n.token, '/api/v1/findings?cve=CVE-2003-0352');
    assert.deepEqual(findings.body.items.map((f) => [f.vulnId, f.status]), [['CVE-2003-0352', 'open']]);
  } finally {
    await n.stop();
    await persona.stop();
  }
});
