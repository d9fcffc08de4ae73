// End to end with a real browser: `vigil up` (startNode) on loopback, live MS03-026-shaped traffic
// (inert filler) and a shell line full of markup sent to its sensor; Chromium signs in, sees the
// alert, filters, drills down to the session's decoded call, acknowledges, posts a comment and sees
// it, with no console error, no dialog and no script from attacker bytes. Screenshots go to
// artifacts/screenshots/ (CI keeps them) after the layout checks pass.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../src/cli/config.js';
import { startNode } from '../../src/cli/node.js';
import { activationCall, deliveryVariants } from '../helpers/delivery-variants.js';
import { api, freePort, tempDir, deliver, poll } from '../cli/up-helpers.js';
import { chromiumMissing, launchChromium } from './browser.js';
import { UserService } from '../../src/server/users.js';
import { UserSqliteStore } from '../../src/store/sqlite/user-sqlite-store.js';
import { ExposureService } from '../../src/exposure/exposure-service.js';
import { ExposureSqliteStore } from '../../src/store/sqlite/exposure-sqlite-store.js';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';

const SHOTS = 'artifacts/screenshots';
/** Typed on the 4444 shell: markup, a javascript: link and a direction override, as an attacker may. */
const HOSTILE_LINE = 'echo <script>window.__pwned=1</script> "><img src=x onerror="window.__pwned=2"> javascript:window.__pwned=3 \u202Eexe.txt';

/** Every element named is present, visible and of a sane size (the layout held). */
async function assertLaidOut(page: Page, selectors: readonly string[]): Promise<void> {
  for (const sel of selectors) {
    const box = await page.locator(sel).first().boundingBox();
    assert.ok(box, `${sel} is visible`);
    assert.ok(box.width > 20 && box.height > 8, `${sel} has a size (${box.width}x${box.height})`);
    assert.ok(box.x >= 0 && box.x + box.width <= 1400 + 1, `${sel} fits the viewport width (x ${box.x}, width ${box.width})`);
  }
}

test('dashboard in Chromium: sign in, see the live alert, drill down to the call, acknowledge, comment; hostile bytes stay text', { skip: chromiumMissing(), timeout: 120_000 }, async () => {
  const dataDir = tempDir('web-e2e');
  const httpPort = await freePort();
  const config = loadConfig({ env: {}, flags: { dataDir, http: { host: '127.0.0.1', port: httpPort }, sensor: { ports: [135, 4444] }, log: { level: 'silent' } } });
  let adminPassword = '';
  const node = await startNode(config, {
    ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }),
    onAdminCreated: (_name, password) => (adminPassword = password),
  });
  const browser = await launchChromium();
  try {
    const variant = deliveryVariants(activationCall('RemoteActivation')).find((v) => /fragment/i.test(v.name)) ?? deliveryVariants()[0];
    await deliver(node.sensor.portFor(135)!, variant.chunks, 50);
    await deliver(node.sensor.portFor(4444)!, [Buffer.from(`${HOSTILE_LINE}\r\n`)], 50);
    const alert = await poll(async () => {
      const r = await api<{ items: { id: string; rule: string; session?: string }[] }>(node.httpAddress, node.token, '/api/v1/alerts?cve=CVE-2003-0352');
      return r.body.items.find((a) => a.rule === 'ms03_026_unc_server');
    }, 'the MS03-026 alert', 300);
    assert.ok(alert.session, 'the alert names its session');
    const shell = await poll(async () => {
      const r = await api<{ items: { id: string; service?: string }[] }>(node.httpAddress, node.token, '/api/v1/sessions');
      return r.body.items.find((s) => s.service === 'shell');
    }, 'the shell session', 300);

    const page = await browser.context.newPage();
    const problems = watchProblems(page, node.httpAddress);
    const base = `http://${node.httpAddress}`;

    // Sign in as the first admin `vigil up` created: the dashboard sends us to the login page and back.
    assert.ok(adminPassword.length >= 20, 'the first start created the admin and handed over its password');
    await page.goto(`${base}/`);
    assert.match(page.url(), /\/login\?next=%2F$/);
    await page.fill('input[name=name]', 'admin');
    await page.fill('input[name=password]', adminPassword);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
    await page.locator('h2', { hasText: 'Open alerts' }).waitFor();
    await assertLaidOut(page, ['header.top nav', 'table.ports svg.chart', 'text=ms03_026_unc_server', 'h2:has-text("Sensor health")', 'h2:has-text("Knowledge base")']);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/overview.png`, fullPage: true });

    // Alerts: the live one is listed; the filter narrows the list through htmx without a reload.
    await page.click('header.top nav >> text=Alerts');
    const row = page.locator('#alert-rows tr', { hasText: 'ms03_026_unc_server' });
    await row.first().waitFor();
    await page.selectOption('select[name=minSeverity]', 'critical');
    await page.waitForURL(/minSeverity=critical/);
    const critical = await page.locator('#alert-rows tbody tr').count();
    await page.selectOption('select[name=minSeverity]', '');
    await page.fill('input[name=rule]', 'no_such_rule');
    await page.press('input[name=rule]', 'Enter');
    await page.waitForURL(/rule=no_such_rule/);
    await page.locator('#alert-rows tbody tr').first().waitFor({ state: 'detached' });
    assert.ok(critical >= 0);
    await page.goto(`${base}/alerts`);

    // Drill down: alert -> session -> decoded call with its UNC server.
    await page.click(`a[href="/alerts/${alert.id}"]`);
    await page.locator('h2', { hasText: 'Discussion' }).waitFor();
    await page.click('#session-link');
    await page.locator('table.calls').waitFor();
    const callText = await page.locator('table.calls').innerText();
    assert.match(callText, /RemoteActivation/);
    assert.match(callText, /UNC server/);
    assert.match(callText, /AAAAAAAAAA/);
    await assertLaidOut(page, ['table.calls', 'ol.timeline', 'pre.hex']);
    await page.screenshot({ path: `${SHOTS}/session.png`, fullPage: true });

    // Acknowledge and comment (htmx posts with the CSRF token), then reload: both stuck.
    await page.goto(`${base}/alerts/${alert.id}`);
    await page.click('#ack-button');
    await page.locator('#ack', { hasText: 'Acknowledged by admin' }).waitFor();
    await page.fill('#comment-body', 'Source blocked at the border; checking 10.1.0.0/16 for unpatched hosts.');
    await page.click('.comment-form button[type=submit]');
    await page.locator('.comment .body', { hasText: 'Source blocked at the border' }).waitFor();
    await page.reload();
    assert.match(await page.locator('#thread').innerText(), /admin[\s\S]*Source blocked at the border/);
    assert.match(await page.locator('#ack').innerText(), /Acknowledged by admin/);
    await page.screenshot({ path: `${SHOTS}/alert.png`, fullPage: true });

    // Attacker bytes from the live shell session: shown as text, nothing runs.
    await page.goto(`${base}/sessions/${shell.id}`);
    const stored = await api<{ transcript: { entries: { dir: string; text: string }[] } }>(node.httpAddress, node.token, `/api/v1/sessions/${shell.id}`);
    const typed = stored.body.transcript.entries.find((e) => e.dir === 'in')?.text ?? '';
    // The sensor stores the line as safe text (core/safe-text: the direction override as an escape).
    assert.equal(typed, HOSTILE_LINE.replace('\u202E', '\\u{202e}'));
    const transcript = await page.locator('pre.transcript').innerText();
    assert.ok(transcript.includes(`> ${typed}`), `the DOM text equals the stored line: ${JSON.stringify(transcript)}`);
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined, 'no attacker script ran');
    assert.equal(await page.locator('main img').count(), 0, 'no element came from attacker markup');
    await assertLaidOut(page, ['pre.transcript']);

    // Every other page renders too.
    for (const path of ['/sessions', '/vulns', '/vulns/CVE-2003-0352', '/exposure', '/advisories', '/what-if', '/what-if?preset=witty']) {
      await page.goto(`${base}${path}`);
      await assertLaidOut(page, ['header.top nav', 'main h1']);
      if (path === '/vulns/CVE-2003-0352') await page.screenshot({ path: `${SHOTS}/vulnerability.png`, fullPage: true });
    }
    await assertLaidOut(page, ['svg.chart']);
    await page.screenshot({ path: `${SHOTS}/what-if.png`, fullPage: true });
    assert.deepEqual(problems, [], 'no console error, failed request, dialog or off-node request on any page');
    // A form post without the CSRF token is refused, even from the signed-in browser.
    const forged = await page.evaluate(async (id) => {
      const r = await fetch(`/alerts/${id}/ack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      return r.status;
    }, alert.id);
    assert.equal(forged, 403);

    // A viewer reads the alert but has no button to acknowledge it (and the server refuses anyway: inject tests).
    const viewerPassword = await new UserService(new UserSqliteStore(node.store.kysely), { now: () => Date.now() }).add('vera', 'viewer');
    await browser.context.clearCookies();
    await page.goto(`${base}/login`);
    await page.fill('input[name=name]', 'vera');
    await page.fill('input[name=password]', viewerPassword);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
    const open = await api<{ items: { id: string }[] }>(node.httpAddress, node.token, '/api/v1/alerts?acknowledged=false');
    assert.ok(open.body.items.length > 0, 'an open alert is left (the follow-up or the reconnaissance one)');
    await page.goto(`${base}/alerts/${open.body.items[0].id}`);
    assert.match(await page.locator('header.top .who').innerText(), /vera · viewer/);
    assert.match(await page.locator('#ack').innerText(), /Your role may not acknowledge alerts/);
    assert.equal(await page.locator('#ack-button').count(), 0);
    assert.equal(await page.locator('.comment-form').count(), 0);
  } finally {
    await browser.close();
    await node.stop();
  }
});

/** An inventory whose first host's name and owner are attacker-style markup (a CSV anyone could hand in). */
const HOSTILE_NAME = '<script>window.__pwned=4</script>';
const HOSTILE_OWNER = '"><img src=x onerror="window.__pwned=5"> javascript:window.__pwned=6 \u202Eexe.txt';
const csvCell = (s: string): string => `"${s.replace(/"/g, '""')}"`;

test('exposure in Chromium: overdue counts lead to the list, htmx filters, an analyst changes findings in bulk, a viewer and a forged post are refused; hostile inventory text stays text', { skip: chromiumMissing(), timeout: 120_000 }, async () => {
  const dataDir = tempDir('web-exposure');
  const httpPort = await freePort();
  const config = loadConfig({ env: {}, flags: { dataDir, http: { host: '127.0.0.1', port: httpPort }, sensor: { ports: [135] }, log: { level: 'silent' } } });
  const node = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
  const browser = await launchChromium();
  try {
    const users = new UserService(new UserSqliteStore(node.store.kysely), { now: () => Date.now() });
    const andyPassword = await users.add('andy', 'analyst');
    const veraPassword = await users.add('vera', 'viewer');
    // Imported 60 days ago: every MS03-026-class finding (high: 30 days, critical: 15) is overdue now.
    const inventory = join(dataDir, 'inventory.csv');
    writeFileSync(inventory, [
      'ip,hostname,owner,os,ports',
      `10.40.0.5,${csvCell(HOSTILE_NAME)},${csvCell(HOSTILE_OWNER)},Windows XP,135`,
      '10.40.0.6,filesrv01,windows-team,Windows XP,135;445',
      '10.40.0.7,printsrv02,windows-team,Windows XP,135',
    ].join('\n') + '\n');
    const exposureStore = new ExposureSqliteStore(node.store.kysely);
    await new ExposureService({ store: exposureStore, kb: new KbSqliteStore(node.store.kysely), clock: { now: () => Date.now() - 60 * 86_400_000 } }).importFiles([{ path: inventory }]);
    const overdue = (await exposureStore.findingCounts(new Date().toISOString().slice(0, 10))).overdue;
    assert.ok(overdue >= 3, `findings overdue: ${overdue}`);

    const page = await browser.context.newPage();
    const problems = watchProblems(page, node.httpAddress);
    const base = `http://${node.httpAddress}`;
    await signInAs(page, base, 'andy', andyPassword);

    // The overview's overdue count leads to the list it counts.
    const count = page.locator('#x-overdue');
    assert.equal(await count.innerText(), String(overdue));
    await Promise.all([page.waitForURL(/\/exposure\?overdue=yes$/), count.click()]);
    await page.locator('#exposure-rows tbody tr').first().waitFor();
    assert.equal(await page.locator('#exposure-rows tbody tr.overdue').count(), overdue);
    await assertLaidOut(page, ['header.top nav', 'main h1', 'form.filters', 'table.findings', 'fieldset.bulk']);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/exposure.png`, fullPage: true });

    // Hostile inventory text: the DOM text equals the input, nothing ran, no element came of it.
    const ownerCells = await page.locator('#exposure-rows tbody td.untrusted bdi').allInnerTexts();
    assert.ok(ownerCells.includes(HOSTILE_OWNER), `the owner shows as the text it is: ${JSON.stringify(ownerCells.slice(0, 3))}`);
    await page.goto(`${base}/exposure?view=assets`);
    const names = await page.locator('#exposure-rows tbody td.untrusted bdi').allInnerTexts();
    assert.ok(names.includes(HOSTILE_NAME), `the host name shows as text: ${JSON.stringify(names.slice(0, 4))}`);
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined, 'no attacker script ran');
    assert.equal(await page.locator('main img').count(), 0, 'no element came from inventory markup');
    assert.equal(await page.locator('main a[href^="javascript:"]').count(), 0);
    await assertLaidOut(page, ['table.assets']);

    // Filters through htmx (only the table is replaced, the URL kept).
    await page.goto(`${base}/exposure`);
    await page.fill('input[name=owner]', 'windows-team');
    await page.press('input[name=owner]', 'Enter');
    await page.waitForURL(/owner=windows-team/);
    await page.locator('#exposure-rows tbody tr', { hasText: HOSTILE_OWNER }).first().waitFor({ state: 'detached' }).catch(() => undefined);
    const owners = await page.locator('#exposure-rows tbody tr td:nth-child(8)').allInnerTexts();
    assert.ok(owners.length > 0 && owners.every((o) => o.trim() === 'windows-team'), JSON.stringify(owners));

    // Bulk: check two findings, mark them risk-accepted with a note.
    const boxes = page.locator('#exposure-rows input[name=ids]');
    const ids = [await boxes.nth(0).getAttribute('value'), await boxes.nth(1).getAttribute('value')];
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.selectOption('fieldset.bulk select[name=status]', 'risk-accepted');
    await page.fill('fieldset.bulk input[name=note]', 'segment isolated until the patch window');
    await Promise.all([page.waitForURL(/changed=2/), page.click('#bulk-apply')]);
    assert.match(await page.locator('#changed').innerText(), /2 findings changed/);
    for (const id of ids) {
      const r = await api<{ status: string; history: { by: string; note?: string }[] }>(node.httpAddress, node.token, `/api/v1/findings/${id}`);
      assert.equal(r.body.status, 'risk-accepted');
      assert.equal(r.body.history[0]?.by, 'andy');
      assert.equal(r.body.history[0]?.note, 'segment isolated until the patch window');
    }

    // All matching: every finding the filtered list holds gets the note, no box checked.
    const remaining = await page.locator('#exposure-rows input[name=ids]').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    assert.ok(remaining.length > 0 && !remaining.some((id) => ids.includes(id)));
    await page.fill('fieldset.bulk input[name=note]', 'owner confirmed by the Windows team');
    await Promise.all([page.waitForURL(new RegExp(`changed=${remaining.length}`)), page.click('#bulk-apply-all')]);
    for (const id of remaining) {
      const r = await api<{ history: { by: string; note?: string }[] }>(node.httpAddress, node.token, `/api/v1/findings/${id}`);
      assert.deepEqual([r.body.history[0]?.by, r.body.history[0]?.note], ['andy', 'owner confirmed by the Windows team']);
    }

    // A finding's page: its history and a comment in its thread.
    await page.goto(`${base}/exposure/findings/${ids[0]}`);
    assert.match(await page.locator('#history').innerText(), /open → risk-accepted by andy/i);
    await page.fill('#comment-body', 'CHG-2003-0811 opened for the patch.');
    await page.click('.comment-form button[type=submit]');
    await page.locator('.comment .body', { hasText: 'CHG-2003-0811' }).waitFor();
    await assertLaidOut(page, ['#history', '#thread']);
    assert.deepEqual(problems, [], 'no console error, failed request, dialog or off-node request');

    // A form post without the CSRF token is refused, from the signed-in analyst's own page.
    const forged = await page.evaluate(async (id) => (await fetch('/exposure/findings/bulk', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `ids=${id}&status=fixed`,
    })).status, ids[0]);
    assert.equal(forged, 403);

    // A viewer reads the list without checkboxes and is refused even with a valid token of its own.
    await browser.context.clearCookies();
    await signInAs(page, base, 'vera', veraPassword);
    await page.goto(`${base}/exposure`);
    await page.locator('#exposure-rows tbody tr').first().waitFor();
    assert.equal(await page.locator('input[name=ids]').count(), 0);
    assert.match(await page.locator('#exposure-rows').innerText(), /Your role may not change findings/);
    const refused = await page.evaluate(async (id) => {
      const body = (globalThis as unknown as { document: { body: { getAttribute(n: string): string | null } } }).document.body;
      const token = (JSON.parse(body.getAttribute('hx-headers') ?? '{}') as Record<string, string>)['x-csrf-token'] ?? '';
      return (await fetch('/exposure/findings/bulk', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(token)}&ids=${id}&status=fixed` })).status;
    }, ids[1]);
    assert.equal(refused, 403);
    assert.equal((await api<{ status: string }>(node.httpAddress, node.token, `/api/v1/findings/${ids[1]}`)).body.status, 'risk-accepted');
  } finally {
    await browser.close();
    await node.stop();
  }
});

/** Console errors, failed requests, dialogs and requests off the node, collected for one assertion. */
function watchProblems(page: Page, httpAddress: string): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(`http://${httpAddress}/`)) problems.push(`request off the node: ${r.url()}`);
  });
  return problems;
}

async function signInAs(page: Page, base: string, name: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
}
