// The app as `vigil up` composes it (sessions, stats, alerts, KB, advisories, CSAF directory): the
// OpenAPI document's per-operation security must say exactly which routes answer without a token.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { systemClock } from '../../src/core/clock.js';
import { buildServer } from '../../src/server/app.js';
import { alertRoutePlugin } from '../../src/server/routes/alerts.js';
import { kbRoutePlugins } from '../../src/server/routes/vulns.js';
import { AlertSqliteStore } from '../../src/store/sqlite/alert-sqlite-store.js';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const TOKEN = 'vgl_test-token-0123456789abcdef';
const publisher = { category: 'coordinator', name: 'Vigil', namespace: 'https://vigil.example' };
let store: SqliteStore;
let app: FastifyInstance;

before(async () => {
  store = await openSqliteStore({ file: ':memory:', background: false });
  const kb = new KbSqliteStore(store.kysely);
  const routes = [alertRoutePlugin({ alerts: new AlertSqliteStore(store.kysely), clock: systemClock }), ...kbRoutePlugins({ kb, baseUrl: 'https://vigil.example', publisher })];
  app = await buildServer({ store, registry: new Registry(), token: TOKEN, routes });
});
after(async () => { await app?.close(); await store?.close(); });

interface Operation { security?: unknown[] }

test('OpenAPI: public routes declare security [], and every operation\'s security matches what a request without a token gets', async () => {
  const doc = (await app.inject({ url: '/api/v1/openapi.json', headers: { authorization: `Bearer ${TOKEN}` } })).json() as {
    security: unknown[]; paths: Record<string, Record<string, Operation>>;
  };
  assert.deepEqual(doc.security, [{ bearerAuth: [] }], 'the bearer token is the default');
  const open: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      if (isPublic) open.push(path);
      const url = path.replace(/\{[^}]+\}/g, 'x');
      const r = await app.inject({ method: method.toUpperCase() as 'GET', url });
      assert.equal(r.statusCode === 401, !isPublic, `${method} ${path}: documented ${isPublic ? 'public' : 'bearer'}, answered ${r.statusCode} without a token`);
    }
  }
  assert.deepEqual(open.sort(), ['/.well-known/csaf/{*}', '/api/v1/advisories/feed.atom', '/healthz']);
});
