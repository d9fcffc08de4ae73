// /api/v1/assets and /api/v1/findings (Fastify inject): the bearer token, filters, detail, PATCH of a
// decision, the CSV export, and the Prometheus gauges of findings.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { registerExposureMetrics } from '../../src/exposure/exposure-metrics.js';
import type { HostScanResult } from '../../src/model/scan.js';
import { buildServer } from '../../src/server/app.js';
import { assetRoutePlugin } from '../../src/server/routes/assets.js';
import { findingRoutePlugin } from '../../src/server/routes/findings.js';
import { openFixture, T0 } from './exposure-fixture.js';

const DAY = 86_400_000;

const host = (address: string, verdict: 'vulnerable' | 'patched'): HostScanResult => ({
  address, scannedAt: T0, hostname: `HOST-${address.split('.').pop()}`, ports: [{ port: 135, proto: 'tcp', state: 'open' }],
  checks: [{ check: 'ms03-026', cve: 'CVE-2003-0352', verdict, reason: 'test', port: 135 }],
});

test('assets and findings API: token, filters, detail, PATCH, CSV, metrics', async () => {
  const fx = await openFixture();
  const registry = new Registry();
  registerExposureMetrics(registry, fx.store, fx.clock);
  const app = await buildServer({
    store: fx.db, registry, token: 'tok', clock: fx.clock,
    routes: [assetRoutePlugin({ store: fx.store, clock: fx.clock }), findingRoutePlugin({ store: fx.store, service: fx.service, clock: fx.clock })],
  });
  const auth = { authorization: 'Bearer tok' };
  try {
    await fx.service.applyScan([host('127.0.0.21', 'vulnerable'), host('127.0.0.22', 'vulnerable'), host('127.0.0.23', 'patched')]);
    for (const url of ['/api/v1/assets', '/api/v1/findings', '/api/v1/findings?format=csv']) {
      assert.equal((await app.inject({ url })).statusCode, 401, url);
      assert.equal((await app.inject({ url, headers: { authorization: 'Bearer nope' } })).statusCode, 401, url);
    }
    const assets = (await app.inject({ url: '/api/v1/assets', headers: auth })).json() as { total: number; items: { id: string; addresses: string[]; facts: { source: string }[] }[] };
    assert.equal(assets.total, 3);
    assert.ok(assets.items.every((a) => a.facts.every((f) => f.source === 'scan')));
    const one = (await app.inject({ url: '/api/v1/assets/127.0.0.22', headers: auth })).json() as { asset: { id: string }; findings: { vulnId: string; asset: string }[] };
    assert.deepEqual(one.findings.map((f) => [f.vulnId, f.asset]), [['CVE-2003-0352', '127.0.0.22']]);
    assert.equal((await app.inject({ url: '/api/v1/assets/nothing-here', headers: auth })).statusCode, 404);
    assert.equal((await app.inject({ url: '/api/v1/assets?limit=0', headers: auth })).statusCode, 400);

    const list = (await app.inject({ url: '/api/v1/findings?status=open', headers: auth })).json() as { total: number; items: { id: string; asset: string; overdue: boolean }[] };
    assert.equal(list.total, 2); // the patched host has no finding
    assert.deepEqual(list.items.map((f) => f.asset).sort(), ['127.0.0.21', '127.0.0.22']);
    assert.equal((await app.inject({ url: '/api/v1/findings?status=bogus', headers: auth })).statusCode, 400);
    const id = list.items[0]!.id;

    const bad = await app.inject({ method: 'PATCH', url: `/api/v1/findings/${id}`, headers: auth, payload: { status: 'closed' } });
    assert.equal(bad.statusCode, 400);
    assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/findings/${id}`, headers: auth, payload: {} })).statusCode, 400);
    assert.equal((await app.inject({ method: 'PATCH', url: '/api/v1/findings/0123456789abcdef', headers: auth, payload: { note: 'x' } })).statusCode, 404);
    assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/findings/${id}`, payload: { owner: 'x' } })).statusCode, 401);
    const patched = await app.inject({ method: 'PATCH', url: `/api/v1/findings/${id}`, headers: auth, payload: { status: 'false-positive', owner: 'carol', note: 'honeypot', by: 'dave' } });
    assert.equal(patched.statusCode, 200, patched.body);
    const pf = patched.json() as { status: string; owner: string; history: { by: string; note: string }[] };
    assert.deepEqual([pf.status, pf.owner, pf.history[0]!.by, pf.history[0]!.note], ['false-positive', 'carol', 'dave', 'owner - -> carol; honeypot']);
    assert.deepEqual(((await app.inject({ url: '/api/v1/findings?owner=carol', headers: auth })).json() as { items: { id: string }[] }).items.map((f) => f.id), [id]);
    assert.equal(((await app.inject({ url: `/api/v1/findings/${id}`, headers: auth })).json() as { status: string }).status, 'false-positive');

    // 31 days later the remaining open finding (high: 30 days) is overdue
    fx.clock.advance(31 * DAY);
    const overdue = (await app.inject({ url: '/api/v1/findings?overdue=true', headers: auth })).json() as { items: { id: string; overdue: boolean }[] };
    assert.equal(overdue.items.length, 1);
    assert.equal(overdue.items[0]!.overdue, true);
    assert.notEqual(overdue.items[0]!.id, id);

    const csv = await app.inject({ url: '/api/v1/findings?format=csv', headers: auth });
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    const lines = csv.body.trimEnd().split('\r\n');
    assert.equal(lines[0], 'id,asset_id,asset,vuln_id,status,severity,cvss,epss,priority,priority_label,owner,due_date,overdue,first_seen,last_seen,fixed_at,title');
    assert.equal(lines.length, 3);
    assert.ok(lines.some((l) => l.includes(',false-positive,') && l.includes(',carol,')));

    const metrics = (await app.inject({ url: '/metrics', headers: auth })).body;
    assert.match(metrics, /vigil_findings\{status="open"\} 1/);
    assert.match(metrics, /vigil_findings\{status="false-positive"\} 1/);
    assert.match(metrics, /vigil_findings_overdue 1/);
    assert.match(metrics, /vigil_assets\{state="all"\} 3/);

    const openapi = (await app.inject({ url: '/api/v1/openapi.json', headers: auth })).json() as { paths: Record<string, unknown> };
    for (const p of ['/api/v1/assets/', '/api/v1/assets/{id}', '/api/v1/findings/', '/api/v1/findings/{id}']) assert.ok(p in openapi.paths, p);
  } finally {
    await app.close();
    await fx.close();
  }
});
