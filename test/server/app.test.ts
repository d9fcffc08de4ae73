// The HTTP API through app.inject over a real SQLite store: auth on every route but /healthz,
// filters and paging, one session with calls, port stats, Prometheus text, the OpenAPI document.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Counter, Registry } from 'prom-client';
import { ManualClock } from '../../src/core/clock.js';
import { buildServer } from '../../src/server/app.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { T0, activationCall, lookupCall, makeSession } from '../store/fixtures.js';

const TOKEN = 'vgl_test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('HTTP API', () => {
  let dir = '';
  let store: SqliteStore;
  let app: FastifyInstance;
  const registry = new Registry();
  const clock = new ManualClock(T0 + 2 * 3_600_000);
  const sessions = Array.from({ length: 12 }, (_, i) =>
    makeSession({
      id: `api${String(i).padStart(3, '0')}`,
      startTs: T0 + i * 600_000,
      dport: i % 3 === 0 ? 445 : 135,
      src: i < 6 ? '192.0.2.1' : `198.51.100.${i}`,
      calls: i === 4 ? [lookupCall(T0 + i * 600_000), activationCall(T0 + i * 600_000 + 5)] : [],
    }),
  );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-api-'));
    store = await openSqliteStore({ file: join(dir, 'vigil.db'), clock });
    await store.saveSessions(sessions);
    // What the sensor does: its own counters in the node's registry.
    new Counter({ name: 'vigil_sensor_connections_total', help: 'accepted connections', registers: [registry] }).inc(3);
    const extra = async (a: FastifyInstance) => {
      a.get('/', { schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({ ok: true }));
    };
    app = await buildServer({ store, registry, token: TOKEN, clock, routes: [{ prefix: '/api/v1/extra', plugin: extra }] });
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = auth) => app.inject({ method: 'GET', url, headers });

  it('answers /healthz without a token', async () => {
    const r = await get('/healthz', {});
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().status, 'ok');
  });

  it('refuses every other route without the right bearer token, with a Bearer challenge', async () => {
    for (const url of ['/metrics', '/api/v1/sessions', '/api/v1/sessions/api000', '/api/v1/stats/ports', '/api/v1/openapi.json', '/api/v1/extra', '/api/v1/no-such-route']) {
      const variants: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }, { authorization: 'Bearer' }];
      for (const headers of variants) {
        const r = await get(url, headers);
        assert.equal(r.statusCode, 401, `${url} with ${JSON.stringify(headers)}`);
        assert.equal(r.headers['www-authenticate'], 'Bearer realm="vigil"');
      }
    }
    assert.equal((await get('/api/v1/extra')).statusCode, 200, 'a plugin passed in deps.routes is mounted behind auth');
    assert.equal((await get('/api/v1/sessions', { authorization: `bearer ${TOKEN}` })).statusCode, 200, 'the scheme name is case-insensitive (RFC 7235)');
  });

  it('lists sessions with filters and walks pages with nextCursor', async () => {
    const r = await get('/api/v1/sessions?port=445&order=asc');
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json().items.map((s: { id: string }) => s.id), ['api000', 'api003', 'api006', 'api009']);
    const bySource = await get('/api/v1/sessions?source=192.0.2.1&since=2003-08-11T16:20:00Z&until=2003-08-11T16:50:00Z');
    assert.deepEqual(bySource.json().items.map((s: { id: string }) => s.id), ['api004', 'api003', 'api002']);
    const mapped = await get('/api/v1/sessions?source=%3A%3Affff%3A198.51.100.7');
    assert.deepEqual(mapped.json().items.map((s: { id: string }) => s.id), ['api007'], 'an IPv4-mapped query finds the IPv4 peer');
    const anomalous = await get('/api/v1/sessions?hasAnomaly=true');
    assert.deepEqual(anomalous.json().items.map((s: { id: string }) => s.id), ['api004']);
    const seen: string[] = [];
    let url = '/api/v1/sessions?limit=5';
    for (let i = 0; i < 10; i++) {
      const page = (await get(url)).json() as { items: Array<{ id: string; startTime: string }>; nextCursor?: string };
      seen.push(...page.items.map((s) => s.id));
      if (!page.nextCursor) break;
      url = `/api/v1/sessions?limit=5&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    assert.deepEqual(seen, sessions.map((s) => s.id).reverse());
  });

  it('answers 400 naming the parameter for malformed queries', async () => {
    for (const [url, pattern] of [
      ['/api/v1/sessions?port=abc', /port/],
      ['/api/v1/sessions?port=70000', /port/],
      ['/api/v1/sessions?limit=0', /limit/],
      ['/api/v1/sessions?since=last-tuesday', /since: expected an RFC 3339/],
      ['/api/v1/sessions?cursor=bogus', /cursor/],
      ['/api/v1/sessions?source=192.0.2.300', /source: expected an IPv4 or IPv6 address/],
      ['/api/v1/sessions?colour=red', /additional properties|colour/],
      ['/api/v1/stats/ports?bucket=90', /bucket: expected a multiple of 60/],
      ['/api/v1/stats/ports?bucket=60&since=2003-01-01T00:00:00Z', /more than 10000 buckets/],
    ] as const) {
      const r = await get(url);
      assert.equal(r.statusCode, 400, url);
      assert.match(r.json().message, pattern, url);
      assert.equal(r.json().code, 'VIGIL_ERR_BAD_ARGUMENT');
    }
  });

  it('returns one session with its decoded calls, and 404 for an unknown id', async () => {
    const r = await get('/api/v1/sessions/api004');
    assert.equal(r.statusCode, 200);
    const { startTime, ...body } = r.json() as Record<string, unknown>;
    // the stored record, plus the fault's name beside its number
    const [lookup, activation] = sessions[4].calls;
    assert.deepEqual(body, { ...sessions[4], calls: [lookup, { ...activation, faultName: 'nca_op_rng_error' }] });
    assert.equal(startTime, '2003-08-11T16:40:00.000000Z');
    const missing = await get('/api/v1/sessions/nope');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'VIGIL_ERR_NOT_FOUND');
  });

  it('reports connections and unique sources per port per bucket', async () => {
    const r = await get('/api/v1/stats/ports?since=2003-08-11T16:00:00Z&until=2003-08-11T18:00:00Z&bucket=3600&port=135');
    assert.equal(r.statusCode, 200);
    const body = r.json() as { bucketSeconds: number; buckets: Array<{ bucketTime: string; count: number; uniqueSources: number }> };
    assert.equal(body.bucketSeconds, 3600);
    // 16:00-17:00: sessions 0..5, of which 1,2,4,5 on 135, all from 192.0.2.1; 17:00-18:00: 7,8,10,11 from four sources.
    assert.deepEqual(body.buckets.map((b) => [b.bucketTime, b.count, b.uniqueSources]), [
      ['2003-08-11T16:00:00.000000Z', 4, 1],
      ['2003-08-11T17:00:00.000000Z', 4, 4],
    ]);
  });

  it('serves Prometheus text with the sensor counters and its own request counter', async () => {
    const r = await get('/metrics');
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(r.body, /^vigil_sensor_connections_total 3$/m);
    assert.match(r.body, /^vigil_http_requests_total\{method="GET",route="\/api\/v1\/sessions",status="401"\} \d+$/m);
  });

  it('publishes an OpenAPI 3 document covering every route with schemas and the bearer scheme', async () => {
    const doc = (await get('/api/v1/openapi.json')).json() as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: Array<{ name: string; in: string }>; security?: unknown[] }>>;
      components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, unknown> };
    };
    assert.match(doc.openapi, /^3\./);
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer' });
    for (const p of ['/healthz', '/metrics', '/api/v1/sessions', '/api/v1/sessions/{id}', '/api/v1/stats/ports', '/api/v1/openapi.json']) assert.ok(doc.paths[p]?.get, `${p} documented`);
    const list = doc.paths['/api/v1/sessions'].get;
    assert.deepEqual(list.parameters?.filter((x) => x.in === 'query').map((x) => x.name).sort(), ['cursor', 'hasAnomaly', 'limit', 'order', 'port', 'since', 'source', 'until']);
    assert.ok(list.responses['200'] && list.responses['400'] && list.responses['401']);
    assert.deepEqual(doc.paths['/healthz'].get.security, [], 'health is documented as public');
    for (const name of ['Session', 'SessionSummary', 'Call', 'Anomaly', 'PortStatsBucket', 'Error']) assert.ok(doc.components.schemas[name], `schema ${name}`);
  });
});
