// End to end with a real browser: `vigil up` (startNode) on loopback, live MS03-026-shaped traffic
// (inert filler) and a shell line full of markup sent to its sensor; Chromium signs in, sees the
// alert, filters, drills down to the session's decoded call, acknowledges, posts a comment and sees
// it, with no console error, no dialog and no script from attacker bytes. Screenshots go to
// artifacts/screenshots/ (CI keeps them) after the layout checks pass.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
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
      if (!r.url().startsWith(`http://${node.httpAddress}/`)) problems.push(`request off the node: ${r.url()}`);
    });
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
