// HTTP API: requests per second and p50/p99 latency for a page of sessions and for port stats,
// beside /healthz (routing, auth and serialisation only) on the same server in the same run.

import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { buildServer } from '../src/server/app.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { SessionRecord } from '../src/model/session.js';

export const title = 'HTTP API: sessions and port stats beside /healthz (loopback)';

const SESSIONS = 20_000;
const REQUESTS = 500;
const CONCURRENCY = 16;
const RUNS = 3;
const TOKEN = 'vgl_bench-token-0123456789';

function session(i: number): SessionRecord {
  const startTs = 1_060_617_600_000 + i * 1000;
  return { id: `b${String(i).padStart(8, '0')}`, sensor: 'bench', proto: 'tcp', src: `10.1.${(i >> 8) & 255}.${i & 255}`, sport: 2000 + (i % 50000), dst: '127.0.0.1', dport: [135, 445, 4444][i % 3], startTs, bytesIn: 72, bytesOut: 60, limitsHit: [], anomalies: [], calls: [] };
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${TOKEN}` }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(port: number, path: string): Promise<{ rps: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (sent++ < REQUESTS) lat.push(await get(port, path));
  }));
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { rps: lat.length / secs, p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)] };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-api-'));
  const store = await openSqliteStore({ file: join(dir, 'vigil.db'), synchronous: 'normal' });
  const app = await buildServer({ store, registry: new Registry(), token: TOKEN });
  try {
    for (let i = 0; i < SESSIONS; i += 1000) await store.saveSessions(Array.from({ length: 1000 }, (_, k) => session(i + k)));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const paths = ['/healthz', '/api/v1/sessions?limit=100', '/api/v1/sessions?port=445&limit=100', '/api/v1/stats/ports?since=2003-08-11T00:00:00Z&until=2003-08-12T00:00:00Z&bucket=3600'];
    const rows: string[] = [];
    let base = 0;
    for (const path of paths) {
      const runs = [];
      for (let r = 0; r < RUNS; r++) runs.push(await load(port, path));
      const rps = median(runs.map((x) => x.rps));
      if (path === '/healthz') base = rps;
      rows.push(`| \`${path}\` | ${rps.toFixed(0)} | ${(rps / base).toFixed(2)} | ${median(runs.map((x) => x.p50)).toFixed(2)} | ${median(runs.map((x) => x.p99)).toFixed(2)} |`);
    }
    return [
      `${SESSIONS} stored sessions; ${REQUESTS} requests per measurement, ${CONCURRENCY} concurrent clients (new connection each), median of ${RUNS} runs.`,
      'Command: `npm run bench -- api`.',
      '',
      '| request | req/s | ratio to /healthz | p50 ms | p99 ms |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n');
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
