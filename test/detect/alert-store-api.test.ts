// Alerts persisted in SQLite (migration 0200_) through the AlertRepository port, routed by the
// store sink, and served by /api/v1/alerts with filters and acknowledgement (Fastify inject).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { AlertSqliteStore } from '../../src/store/sqlite/alert-sqlite-store.js';
import { AlertRouter } from '../../src/detect/alert-router.js';
import { storeSink, type AlertRepository } from '../../src/detect/alert-store-port.js';
import { makeAlert } from '../../src/detect/alert-factory.js';
import { buildServer } from '../../src/server/app.js';
import { alertRoutePlugin } from '../../src/server/routes/alerts.js';
import { ManualClock } from '../../src/core/clock.js';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { loadStarterData } from '../../src/kb/data/starter-data.js';
import { resolveCveId } from '../../src/kb/cve-alias.js';

const T = Date.UTC(2003, 7, 11, 16);
const alerts = [
  makeAlert({ ts: T, detector: 'exploit', rule: 'ms03_026_unc_server', severity: 'critical', title: 'MS03-026', cves: ['CVE-2003-0352'], src: '198.51.100.1', dport: 135 }),
  makeAlert({ ts: T + 1000, detector: 'trw', rule: 'trw_scanner', severity: 'medium', title: 'scanner', src: '198.51.100.2', dport: 135 }),
  makeAlert({ ts: T + 2000, detector: 'exploit', rule: 'ms03_039_long_file_name', severity: 'critical', title: 'MS03-039', cves: ['CVE-2003-0528'], src: '198.51.100.1', dport: 135 }),
];

test('alert store: idempotent save, filters, acknowledgement kept once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alerts-'));
  const store = await AlertSqliteStore.open(join(dir, 'vigil.db'));
  const repo: AlertRepository = store; // structural: the store satisfies detect's port
  const router = new AlertRouter().addSink(storeSink(repo));
  for (const a of alerts) await router.route(a);
  await repo.saveAlert(alerts[0]!); // replayed: stored once
  assert.equal((await repo.listAlerts()).length, 3);
  assert.deepEqual((await repo.listAlerts()).map((a) => a.ts), [T + 2000, T + 1000, T]);
  assert.deepEqual((await repo.listAlerts({ cve: 'CVE-2003-0352' })).map((a) => a.rule), ['ms03_026_unc_server']);
  assert.deepEqual((await repo.listAlerts({ cve: 'CVE-2003-035' })), [], 'a CVE filter matches whole ids only');
  assert.equal((await repo.listAlerts({ minSeverity: 'high' })).length, 2);
  assert.equal((await repo.listAlerts({ since: T + 1000, until: T + 2000 }))[0]?.detector, 'trw');
  assert.equal((await repo.listAlerts({ src: '198.51.100.1', detector: 'exploit', limit: 1 })).length, 1);
  assert.equal(await repo.acknowledge(alerts[1]!.id, 'analyst', T + 5000), true);
  assert.equal(await repo.acknowledge(alerts[1]!.id, 'other', T + 6000), true);
  const acked = await repo.getAlert(alerts[1]!.id);
  assert.deepEqual([acked?.acknowledged, acked?.ackBy, acked?.ackAt], [true, 'analyst', T + 5000]);
  assert.equal((await repo.listAlerts({ acknowledged: false })).length, 2);
  assert.equal(await repo.acknowledge('ffffffffffff', 'x', 1), false);
  assert.deepEqual((await repo.getAlert(alerts[0]!.id))?.evidence, alerts[0]!.evidence);
  // handling: assign (and unassign), escalate once
  assert.equal(await repo.assign(alerts[2]!.id, 'bob', 'ana', T + 7000), true);
  assert.equal(await repo.assign('ffffffffffff', 'bob', 'ana', T), false);
  assert.deepEqual((await repo.listAlerts({ assignee: 'bob' })).map((a) => [a.id, a.assignedBy, a.assignedAt]), [[alerts[2]!.id, 'ana', T + 7000]]);
  assert.equal((await repo.listAlerts({ assignee: '' })).length, 2, 'the unassigned ones');
  assert.equal(await repo.escalate(alerts[2]!.id, 'ana', T + 8000), true);
  assert.equal(await repo.escalate(alerts[2]!.id, 'bob', T + 9000), false, 'the first escalation is kept');
  assert.deepEqual((await repo.listAlerts({ escalated: true })).map((a) => [a.escalatedBy, a.escalatedAt]), [['ana', T + 8000]]);
  assert.equal(await repo.assign(alerts[2]!.id, undefined, 'ana', T + 10_000), true);
  assert.equal((await repo.getAlert(alerts[2]!.id))?.assignee, undefined);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('/api/v1/alerts: list with filters, get one, acknowledge, 404, auth', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alerts-'));
  const store = await AlertSqliteStore.open(join(dir, 'vigil.db'));
  for (const a of alerts) await store.saveAlert(a);
  const clock = new ManualClock(T + 60_000);
  const sessions = { listSessions: async () => ({ items: [] }), getSession: async () => undefined, portStats: async () => [] };
  const app = await buildServer({
    store: sessions, registry: new Registry(), token: 'tok', clock,
    routes: [alertRoutePlugin({ alerts: store, clock })],
  });
  const auth = { authorization: 'Bearer tok' };
  assert.equal((await app.inject({ url: '/api/v1/alerts' })).statusCode, 401);
  const list = await app.inject({ url: '/api/v1/alerts?cve=CVE-2003-0528&since=2m', headers: auth });
  assert.equal(list.statusCode, 200);
  const items = (list.json() as { items: { id: string; time: string }[] }).items;
  assert.deepEqual(items.map((i) => i.id), [alerts[2]!.id]);
  assert.equal(items[0]!.time, '2003-08-11T16:00:02.000000Z');
  assert.equal((await app.inject({ url: '/api/v1/alerts?minSeverity=bogus', headers: auth })).statusCode, 400);
  const ack = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alerts[0]!.id}/ack`, headers: auth, payload: { by: 'soc' } });
  assert.equal(ack.statusCode, 200);
  assert.deepEqual([ack.json().acknowledged, ack.json().ackBy, ack.json().ackAt], [true, 'soc', T + 60_000]);
  assert.equal((await app.inject({ url: `/api/v1/alerts/${alerts[0]!.id}`, headers: auth })).json().acknowledged, true);
  assert.equal((await app.inject({ url: '/api/v1/alerts/0123456789ab', headers: auth })).statusCode, 404);
  assert.equal((await app.inject({ url: '/api/v1/alerts?acknowledged=false', headers: auth })).json().items.length, 2);
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('/api/v1/alerts?cve= takes an alias the knowledge base knows (MS03-026), as GET /vulns/{id} does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alerts-'));
  const store = await AlertSqliteStore.open(join(dir, 'vigil.db'));
  for (const a of alerts) await store.saveAlert(a);
  const kb = await KbSqliteStore.open(':memory:');
  await loadStarterData(kb);
  const clock = new ManualClock(T + 60_000);
  const sessions = { listSessions: async () => ({ items: [] }), getSession: async () => undefined, portStats: async () => [] };
  const app = await buildServer({
    store: sessions, registry: new Registry(), token: 'tok', clock,
    routes: [alertRoutePlugin({ alerts: store, clock, resolveCve: (s) => resolveCveId(kb, s) })],
  });
  const auth = { authorization: 'Bearer tok' };
  const byAlias = await app.inject({ url: '/api/v1/alerts?cve=MS03-026', headers: auth });
  assert.equal(byAlias.statusCode, 200, byAlias.body);
  assert.deepEqual((byAlias.json() as { items: { id: string }[] }).items.map((i) => i.id), [alerts[0]!.id]);
  const byId = await app.inject({ url: '/api/v1/alerts?cve=CVE-2003-0528', headers: auth });
  assert.deepEqual((byId.json() as { items: { id: string }[] }).items.map((i) => i.id), [alerts[2]!.id]);
  const unknown = await app.inject({ url: '/api/v1/alerts?cve=MS99-999', headers: auth });
  assert.equal(unknown.statusCode, 400);
  assert.match(unknown.json().message, /^cve: MS99-999 is neither a CVE id nor an alias/);
  await app.close();
  await kb.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('/api/v1/alerts: ack without a body; validation errors name the parameter', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alerts-'));
  const store = await AlertSqliteStore.open(join(dir, 'vigil.db'));
  for (const a of alerts) await store.saveAlert(a);
  const clock = new ManualClock(T + 60_000);
  const sessions = { listSessions: async () => ({ items: [] }), getSession: async () => undefined, portStats: async () => [] };
  const app = await buildServer({ store: sessions, registry: new Registry(), token: 'tok', clock, routes: [alertRoutePlugin({ alerts: store, clock })] });
  const auth = { authorization: 'Bearer tok' };
  const bare = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alerts[0]!.id}/ack`, headers: auth });
  assert.equal(bare.statusCode, 200, bare.body);
  assert.deepEqual([bare.json().acknowledged, bare.json().ackBy], [true, 'api']);
  // what `curl -X POST -H 'content-type: application/json'` sends: the header and no bytes
  const emptyJson = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alerts[1]!.id}/ack`, headers: { ...auth, 'content-type': 'application/json' } });
  assert.equal(emptyJson.statusCode, 200, emptyJson.body);
  const badJson = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alerts[2]!.id}/ack`, headers: { ...auth, 'content-type': 'application/json' }, payload: '{"__proto__": {"x": 1}}' });
  assert.equal(badJson.statusCode, 400, 'the default parser (prototype poisoning check) still applies');
  const message = async (url: string): Promise<string> => {
    const r = await app.inject({ url, headers: auth });
    assert.equal(r.statusCode, 400, url);
    return (r.json() as { message: string }).message;
  };
  assert.equal(await message('/api/v1/alerts?limit=5000'), 'limit: must be <= 1000');
  assert.equal(await message('/api/v1/alerts?bogus=1'), 'bogus: unknown query parameter');
  assert.equal(await message('/api/v1/alerts?minSeverity=bogus'), 'minSeverity: must be one of info, low, medium, high, critical');
  assert.equal(await message('/api/v1/alerts?acknowledged=maybe'), 'acknowledged: must be boolean');
  assert.match(await message('/api/v1/alerts/xyz'), /^id: must match pattern/);
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('alert store on the node database: SqliteStore migrated the alerts table, AlertSqliteStore reads and writes it', async () => {
  const { openSqliteStore, sqliteFileIn } = await import('../../src/store/sqlite/sqlite-store.js');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alerts-node-'));
  const core = await openSqliteStore({ file: sqliteFileIn(dir), background: false });
  const repo: AlertRepository = new AlertSqliteStore(core.kysely);
  await repo.saveAlert(alerts[0]!);
  assert.deepEqual((await repo.listAlerts()).map((a) => a.id), [alerts[0]!.id]);
  await core.close();
  const reopened = await AlertSqliteStore.open(sqliteFileIn(dir)); // what `vigil alerts` does
  assert.equal((await reopened.getAlert(alerts[0]!.id))?.rule, 'ms03_026_unc_server');
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });
});
