// Dashboard: server time of the overview and of each list and detail page with a large store (1,000,000
// sessions, 10,000 alerts and 10,000 assets with their findings by default), beside /healthz on the
// same server in the same run.
// VIGIL_BENCH_WEB_SESSIONS sets the session count (seeding a million takes a few minutes).

import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Alert } from '../src/model/alert.js';
import type { SessionRecord } from '../src/model/session.js';
import { buildServer } from '../src/server/app.js';
import { loadStarterData } from '../src/kb/data/starter-data.js';
import { AlertSqliteStore } from '../src/store/sqlite/alert-sqlite-store.js';
import { CommentSqliteStore } from '../src/store/sqlite/comment-sqlite-store.js';
import { KbSqliteStore } from '../src/store/sqlite/kb-sqlite-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { dashboardPlugin } from '../src/web/web-plugin.js';
import { ManualClock } from '../src/core/clock.js';
import type { AssetObservation } from '../src/exposure/asset-observation.js';
import { ExposureService } from '../src/exposure/exposure-service.js';
import { ExposureSqliteStore } from '../src/store/sqlite/exposure-sqlite-store.js';

export const title = 'Dashboard: page server time with a large store, beside /healthz (loopback)';

const SESSIONS = Number(process.env.VIGIL_BENCH_WEB_SESSIONS ?? 1_000_000);
const ALERTS = 10_000;
const ASSETS = 10_000;
const DAY = 86_400_000;
const REQUESTS = Number(process.env.VIGIL_BENCH_WEB_REQUESTS ?? 60);
const progress = (m: string): void => void process.stderr.write(`bench web: ${m}\n`);
const TOKEN = 'vgl_bench-token-0123456789';
const HOUR = 3_600_000;

function session(i: number, now: number): SessionRecord {
  // Spread over the last 30 days so the overview's 7-day and 30-day windows both have data.
  const startTs = now - 30 * 24 * HOUR + Math.floor((i / SESSIONS) * 30 * 24 * HOUR);
  return { id: `s${String(i).padStart(9, '0')}`, sensor: 'bench', proto: 'tcp', src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, sport: 2000 + (i % 50000), dst: '127.0.0.1', dport: [135, 445, 4444, 139, 593][i % 5], startTs, bytesIn: 72, bytesOut: 60, limitsHit: [], anomalies: [], calls: [] };
}

function alert(i: number, now: number): Alert {
  const rules = [['exploit', 'ms03_026_unc_server', 'critical'], ['trw', 'scanner', 'medium'], ['surge', 'port_surge', 'high'], ['recon', 'recon_sensor_sweep', 'medium']] as const;
  const [detector, rule, severity] = rules[i % rules.length];
  return {
    id: i.toString(16).padStart(16, '0'), ts: now - (i % 7000) * 60_000, detector, rule, severity, title: `${rule} from 10.0.${(i >> 8) & 255}.${i & 255}`,
    cves: detector === 'exploit' ? ['CVE-2003-0352'] : [], src: `10.0.${(i >> 8) & 255}.${i & 255}`, dport: 135, session: `s${String(i).padStart(9, '0')}`,
    evidence: {}, indicators: [], dedupKey: `${rule}:${i}`,
  };
}

/** An inventory row: Windows XP (its KB matches open the MS03-026 family of findings), an owner of
 * 20 teams, the RPC endpoint mapper open on half of them. */
function inventoryRow(i: number, seen: number): AssetObservation {
  return {
    source: 'csv', seen,
    facts: [
      { kind: 'address', value: `10.${100 + ((i >> 16) & 255)}.${(i >> 8) & 255}.${i & 255}` }, { kind: 'name', value: `host${i}` },
      { kind: 'owner', value: `team-${i % 20}` }, { kind: 'os', value: 'Windows XP' }, { kind: 'cpe', value: 'cpe:2.3:o:microsoft:windows_xp:-:*:*:*:*:*:*:*' },
      { kind: 'service', value: i % 2 === 0 ? 'tcp/135' : 'tcp/445' },
    ],
  };
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-web-'));
  const store = await openSqliteStore({ file: join(dir, 'vigil.db'), synchronous: 'normal', background: false });
  const now = Date.now();
  const kb = new KbSqliteStore(store.kysely);
  await loadStarterData(kb);
  const alerts = new AlertSqliteStore(store.kysely);
  const comments = new CommentSqliteStore(store.kysely);
  const exposureStore = new ExposureSqliteStore(store.kysely);
  const clock = { now: () => Date.now() };
  const app = await buildServer({
    store, registry: new Registry(), token: TOKEN,
    routes: [dashboardPlugin({ store, alerts, comments, kb, token: () => TOKEN, clock, exposure: { store: exposureStore, service: new ExposureService({ store: exposureStore, kb, clock }) } })],
  });
  try {
    const t0 = performance.now();
    for (let i = 0; i < SESSIONS; i += 2000) await store.saveSessions(Array.from({ length: Math.min(2000, SESSIONS - i) }, (_, k) => session(i + k, now)));
    progress(`${SESSIONS} sessions seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    for (let i = 0; i < ALERTS; i++) await alerts.saveAlert(alert(i, now));
    progress('alerts seeded');
    // Assets through the exposure service (as `vigil assets import` does): the first half imported 40
    // days ago (their findings overdue), the rest today, in batches of 1000 hosts.
    const seedClock = new ManualClock(now - 40 * DAY);
    const exposure = new ExposureService({ store: exposureStore, kb, clock: seedClock });
    for (let i = 0; i < ASSETS; i += 1000) {
      seedClock.set(i < ASSETS / 2 ? now - 40 * DAY : now);
      await exposure.ingest(Array.from({ length: Math.min(1000, ASSETS - i) }, (_, k) => inventoryRow(i + k, seedClock.now())));
    }
    progress('assets seeded');
    const findings = (await exposureStore.listFindings({ limit: 1 }));
    const findingId = findings.items[0]!.id;
    const seedSecs = (performance.now() - t0) / 1000;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const paths = ['/healthz', '/', '/alerts', '/alerts?status=all&detector=exploit', `/alerts/${alert(5, now).id}`, '/sessions', '/sessions?port=445', '/sessions?source=10.0.1.7', `/sessions/${session(777, now).id}`, '/vulns', '/vulns/CVE-2003-0352', '/advisories',
      '/exposure', '/exposure?overdue=yes', '/exposure?owner=team-3&status=all', '/exposure?view=assets', '/exposure?view=assets&service=tcp%2F135&overdue=yes', `/exposure/findings/${findingId}`];
    const rows: string[] = [];
    for (const path of paths) {
      const first = await get(port, path); // warm-up: template compile, statement cache
      progress(`${path}: first request ${first.toFixed(0)} ms`);
      const lat: number[] = [];
      for (let r = 0; r < REQUESTS; r++) lat.push(await get(port, path));
      rows.push(`| \`${path}\` | ${pct(lat, 0.5).toFixed(1)} | ${pct(lat, 0.95).toFixed(1)} | ${pct(lat, 0.95) < 200 ? 'yes' : '**no**'} |`);
    }
    return [
      `${SESSIONS.toLocaleString('en-US')} sessions over 30 days, ${ALERTS.toLocaleString('en-US')} alerts and ${ASSETS.toLocaleString('en-US')} assets with `
      + `${findings.total.toLocaleString('en-US')} findings (half of them overdue) in one SQLite store (seeded in ${seedSecs.toFixed(0)} s); `
      + `${REQUESTS} sequential requests per page after one warm-up, bearer token, full HTML.`,
      'Command: `npm run bench -- web` (`VIGIL_BENCH_WEB_SESSIONS=N` to change the session count).',
      '',
      '| page | p50 ms | p95 ms | p95 under 200 ms |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n');
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
