// Findings from scan checks, installed hotfixes and CPE matches: open -> fixed only when the fix is
// observed -> reopened when the flaw is seen again; people's decisions stay; due dates and priority.

import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HostScanResult } from '../../src/model/scan.js';
import { assetView } from '../../src/exposure/asset-merge.js';
import { AlertRouter } from '../../src/detect/alert-router.js';
import { alertFrom, openFixture, T0 } from './exposure-fixture.js';

const DAY = 86_400_000;

function scan(verdict: 'vulnerable' | 'patched' | 'unknown', at: number, address = '127.0.0.7'): HostScanResult {
  return {
    address, scannedAt: at, hostname: 'FILESRV01',
    ports: [{ port: 135, proto: 'tcp', state: 'open', service: 'msrpc' }, { port: 445, proto: 'tcp', state: 'closed' }],
    os: { family: 'Windows', version: 'Windows XP', confidence: 0.8, evidence: ['ServerAlive2 bindings'] },
    checks: [{ check: 'ms03-026', cve: 'CVE-2003-0352', verdict, reason: verdict === 'patched' ? 'fault 0x80070005' : 'no fault', evidenceHex: '0500', port: 135 }],
  };
}

test('scan verdicts: vulnerable opens, patched fixes, vulnerable again reopens; due date from the policy', async () => {
  const fx = await openFixture();
  try {
    let s = await fx.service.applyScan([scan('vulnerable', T0)]);
    assert.equal(s.assetsCreated, 1);
    let [f] = (await fx.store.listFindings({ vulnId: 'CVE-2003-0352' })).items;
    assert.ok(f);
    assert.equal(f.status, 'open');
    assert.equal(f.severity, 'high'); // CVSS 2.0 7.5, not in KEV
    assert.equal(f.dueDate, '2026-12-31'); // 30 days for high
    assert.match(f.evidence[0]!.detail, /ms03-026 on 127\.0\.0\.7:135: vulnerable/);

    fx.clock.advance(DAY);
    s = await fx.service.applyScan([scan('patched', T0 + DAY)]);
    assert.equal(s.findingsFixed, 1);
    f = (await fx.store.getFinding(f.id))!;
    assert.equal(f.status, 'fixed');
    assert.equal(f.closedBy, 'check');
    assert.equal(f.fixedAt, T0 + DAY);

    // An unknown verdict changes nothing but is kept as evidence.
    s = await fx.service.applyScan([scan('unknown', T0 + 2 * DAY)]);
    assert.equal((await fx.store.getFinding(f.id))!.status, 'fixed');

    s = await fx.service.applyScan([scan('vulnerable', T0 + 10 * DAY)]);
    assert.equal(s.findingsReopened, 1);
    f = (await fx.store.getFinding(f.id))!;
    assert.equal(f.status, 'reopened');
    assert.equal(f.fixedAt, undefined);
    assert.equal(f.dueDate, '2027-01-10'); // counted again from the reopening
    assert.deepEqual(f.history.map((h) => h.to), ['reopened', 'fixed', 'open']);
  } finally {
    await fx.close();
  }
});

test('a scan target that showed nothing is no asset; for a known asset it closes the ports it had open', async () => {
  const fx = await openFixture();
  try {
    const silent = (address: string, at: number): HostScanResult => ({ address, scannedAt: at, ports: [{ port: 135, proto: 'tcp', state: 'filtered' }] });
    const s = await fx.service.applyScan([silent('127.0.0.50', T0), scan('vulnerable', T0)]);
    assert.equal(s.assetsCreated, 1);
    await fx.service.applyScan([silent('127.0.0.7', T0 + DAY)]);
    const a = (await fx.store.listAssets({ match: '127.0.0.7' })).items[0]!;
    assert.deepEqual(assetView(a).services, []);
    assert.deepEqual(assetView(a).names, ['filesrv01']);
  } finally {
    await fx.close();
  }
});

test('a scan with a Windows XP fingerprint and no check opens findings from the knowledge base (CPE match); a patched check wins over it', async () => {
  const fx = await openFixture();
  try {
    const r = { ...scan('vulnerable', T0), checks: [] };
    await fx.service.applyScan([r]);
    const ids = (await fx.store.listFindings()).items.map((f) => f.vulnId);
    // the 2003 DCOM flaws, and the starter data's later XP worms (Sasser's MS04-011, Conficker's MS08-067)
    for (const id of ['CVE-2003-0352', 'CVE-2003-0528', 'CVE-2003-0605', 'CVE-2003-0715', 'CVE-2003-0533', 'CVE-2008-4250']) assert.ok(ids.includes(id), id);
    await fx.service.applyScan([scan('patched', T0 + DAY)]);
    const f = (await fx.store.listFindings({ vulnId: 'CVE-2003-0352' })).items[0]!;
    assert.equal(f.status, 'fixed');
    // the next inventory still says Windows XP (a CPE match): a weak observation does not reopen a checked fix
    await fx.service.applyScan([{ ...r, scannedAt: T0 + 2 * DAY }]);
    assert.equal((await fx.store.getFinding(f.id))!.status, 'fixed');
  } finally {
    await fx.close();
  }
});

test('an osquery result with KB823980 closes the MS03-026 finding; a later snapshot without it reopens it', async () => {
  const fx = await openFixture();
  try {
    const file = join(fx.dir, 'osquery.log');
    const osv = { name: 'Microsoft Windows XP Professional', version: '5.1.2600', major: '5', minor: '1', build: '2600', platform: 'windows' };
    const line = (name: string, snapshot: object[], t: number) => JSON.stringify({ name, hostIdentifier: 'FILESRV01', unixTime: t / 1000, action: 'snapshot', snapshot });
    writeFileSync(file, `${line('os_version', [osv], T0)}\n${line('patches', [{ hotfix_id: 'KB819696', description: 'Update', installed_on: '7/1/2003' }], T0)}\n`);
    await fx.service.importFiles([{ path: file }]);
    const [asset] = (await fx.store.listAssets()).items;
    assert.deepEqual(assetView(asset!).cpes, ['cpe:2.3:o:microsoft:windows_xp:*:*:*:*:*:*:*:*']);
    let f = (await fx.store.listFindings({ vulnId: 'CVE-2003-0352' })).items[0]!;
    assert.equal(f.status, 'open');
    assert.equal(f.evidence[0]!.kind, 'cpe');

    writeFileSync(file, `${line('patches', [{ hotfix_id: 'KB819696' }, { hotfix_id: 'KB823980', description: 'Security Update' }], T0 + DAY)}\n`);
    fx.clock.advance(DAY);
    const s = await fx.service.importFiles([{ path: file }]);
    assert.equal(s.findingsFixed, 1);
    f = (await fx.store.getFinding(f.id))!;
    assert.equal(f.status, 'fixed');
    assert.equal(f.closedBy, 'hotfix');
    assert.match(f.evidence[0]!.detail, /KB823980 installed \(reported by osquery\)/);
    // MS03-039's flaws need KB824146: still open
    assert.equal((await fx.store.listFindings({ vulnId: 'CVE-2003-0528' })).items[0]!.status, 'open');

    // the hotfix was uninstalled: the next snapshot of patches lacks it, the OS is still XP
    writeFileSync(file, `${line('os_version', [osv], T0 + 2 * DAY)}\n${line('patches', [{ hotfix_id: 'KB819696' }], T0 + 2 * DAY)}\n`);
    await fx.service.importFiles([{ path: file }]);
    assert.equal((await fx.store.getFinding(f.id))!.status, 'reopened');
  } finally {
    await fx.close();
  }
});

test('people decide risk-accepted and false-positive; scans do not override them; owner and note are kept', async () => {
  const fx = await openFixture();
  try {
    await fx.service.applyScan([scan('vulnerable', T0)]);
    const f = (await fx.store.listFindings({ vulnId: 'CVE-2003-0352' })).items[0]!;
    const set = await fx.service.updateFinding(f.id, { status: 'risk-accepted', owner: 'alice', note: 'isolated lab host', by: 'bob' });
    assert.equal(set.status, 'risk-accepted');
    assert.equal(set.owner, 'alice');
    assert.equal(set.history[0]!.note, 'owner - -> alice; isolated lab host');
    await fx.service.applyScan([scan('patched', T0 + DAY)]);
    await fx.service.applyScan([scan('vulnerable', T0 + 2 * DAY)]);
    const after = (await fx.store.getFinding(f.id))!;
    assert.equal(after.status, 'risk-accepted');
    assert.equal(after.lastSeen, T0 + 2 * DAY);
    assert.deepEqual((await fx.store.listFindings({ owner: 'alice' })).items.map((x) => x.id), [f.id]);
  } finally {
    await fx.close();
  }
});

test('an alert whose source is a known asset marks it probably compromised: +15 for its findings, p1 for the CVE it was seen exploiting', async () => {
  const fx = await openFixture();
  try {
    await fx.service.applyScan([scan('vulnerable', T0)]);
    const before = (await fx.store.listFindings({ vulnId: 'CVE-2003-0352' })).items[0]!;
    const other = (await fx.store.listFindings({ vulnId: 'CVE-2003-0528' })).items[0]!;
    assert.equal(before.priority.label, 'p3');
    assert.equal(await fx.service.noteAlert(alertFrom('192.0.2.99', T0 + 1)), false); // not an asset
    assert.equal(await fx.service.noteAlert(alertFrom('127.0.0.7', T0 + 1)), true);
    const after = (await fx.store.getFinding(before.id))!;
    assert.equal(after.priority.label, 'p1');
    assert.ok(after.priority.reasons.includes('the asset was seen exploiting this vulnerability'));
    const otherAfter = (await fx.store.getFinding(other.id))!;
    assert.equal(otherAfter.priority.score, other.priority.score + 15);
    const asset = (await fx.store.listAssets({ compromised: true })).items[0]!;
    assert.equal(asset.compromised?.rule, 'exploit/ms03_026_long_unc_server');

    // an alert stored before the asset was known links when the asset first appears
    await fx.alerts.saveAlert(alertFrom('127.0.0.8', T0, 'ffeeddccbbaa9988'));
    await fx.service.applyScan([scan('vulnerable', T0 + 5, '127.0.0.8')]);
    const b = (await fx.store.listAssets({ match: '127.0.0.8' })).items[0]!;
    assert.equal(b.compromised?.alertId, 'ffeeddccbbaa9988');
  } finally {
    await fx.close();
  }
});

test('the alert router delivers alerts to the exposure sink (as `vigil up` wires it): a sensor alert from an asset marks it', async () => {
  const fx = await openFixture();
  try {
    await fx.service.applyScan([scan('vulnerable', T0)]);
    const router = new AlertRouter().addSink(fx.service.alertSink());
    await router.route(alertFrom('127.0.0.7', T0 + 1000));
    const a = (await fx.store.listAssets({ compromised: true })).items;
    assert.equal(a.length, 1);
    assert.equal(a[0]!.compromised?.address, '127.0.0.7');
  } finally {
    await fx.close();
  }
});

test('a check over two transports: the decisive verdict wins over an unknown one, whatever the order', async () => {
  const { scanObservation } = await import('../../src/exposure/scan-observation.js');
  const { resolveLimits } = await import('../../src/core/limits.js');
  const { IMPORT_LIMITS } = await import('../../src/exposure/exposure-limits.js');
  const base = { cve: 'CVE-2003-0352', check: 'ms03-026' } as const;
  const o = scanObservation({
    address: '127.0.0.9', scannedAt: 1, ports: [{ port: 135, proto: 'tcp', state: 'open' }],
    checks: [{ ...base, verdict: 'vulnerable', reason: 'a', port: 135 }, { ...base, verdict: 'unknown', reason: 'b', port: 445, transport: 'ncacn_np' }],
  }, resolveLimits(IMPORT_LIMITS));
  assert.equal(o?.checks.get('CVE-2003-0352')?.says, 'vulnerable');
});
