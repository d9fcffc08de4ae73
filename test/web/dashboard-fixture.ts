// The node's app with the dashboard over a real in-memory SQLite store, seeded with sessions, an
// MS03-026 alert, the KB starter data, assets with MS03-026 findings (one overdue) and hostile strings
// in every attacker-controlled field (and in an inventory's host name and owner).

import type { AlertRecord } from '../../src/model/alert.js';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/clock.js';
import type { Alert } from '../../src/model/alert.js';
import { buildServer } from '../../src/server/app.js';
import { commentRoutePlugin } from '../../src/server/routes/comments.js';
import { loadStarterData } from '../../src/kb/data/starter-data.js';
import { AlertSqliteStore } from '../../src/store/sqlite/alert-sqlite-store.js';
import { CommentSqliteStore } from '../../src/store/sqlite/comment-sqlite-store.js';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { dashboardPlugin } from '../../src/web/web-plugin.js';
import { UserService } from '../../src/server/users.js';
import { WhatIfPresets } from '../../src/cli/what-if-runner.js';
import { UserSqliteStore } from '../../src/store/sqlite/user-sqlite-store.js';
import { ExposureService } from '../../src/exposure/exposure-service.js';
import { ExposureSqliteStore } from '../../src/store/sqlite/exposure-sqlite-store.js';
import type { HostScanResult } from '../../src/model/scan.js';
import type { Comment } from '../../src/model/comment.js';
import { T0, activationCall, lookupCall, makeSession } from '../store/fixtures.js';

export const TOKEN = 'vgl_dashboard-test-token-0123456789';

/** Strings an attacker controls, each of which must reach the page as inert text. */
export const HOSTILE = {
  script: '<script>window.__pwned=1</script>',
  img: '"><img src=x onerror="window.__pwned=2">',
  js: 'javascript:window.__pwned=3',
  bidi: 'user\u202Eexe.txt\u202C',
  big: 'B'.repeat(100 * 1024),
} as const;

export interface DashboardFixture {
  readonly app: FastifyInstance;
  readonly store: SqliteStore;
  readonly alerts: AlertSqliteStore;
  readonly comments: CommentSqliteStore;
  readonly clock: ManualClock;
  readonly users: UserService;
  /** Passwords of the users the fixture made: `vera` (viewer), `andy` (analyst). */
  readonly passwords: { readonly vera: string; readonly andy: string };
  readonly alertId: string;
  readonly hostileAlertId: string;
  readonly sessionId: string;
  readonly hostileSessionId: string;
  readonly exposure: ExposureSqliteStore;
  /** Findings by asset address: 10.20.0.5 (overdue), 10.20.0.6 (due later), 10.20.0.7 (hostile inventory). */
  readonly findingIds: { readonly overdue: string; readonly current: string; readonly hostile: string };
  /** Comments the dashboard and API reported as new (the node sends them to webhooks). */
  readonly announced: Comment[];
  /** Alerts escalated through the dashboard, as the node would announce them. */
  readonly escalated: AlertRecord[];
  close(): Promise<void>;
}

export async function dashboardFixture(): Promise<DashboardFixture> {
  const clock = new ManualClock(T0 + 6 * 3_600_000);
  const store = await openSqliteStore({ file: ':memory:', background: false, clock });
  const kb = new KbSqliteStore(store.kysely);
  await loadStarterData(kb);
  const alerts = new AlertSqliteStore(store.kysely);
  const comments = new CommentSqliteStore(store.kysely);
  const sessions = Array.from({ length: 30 }, (_, i) => makeSession({
    id: `web${String(i).padStart(3, '0')}`, startTs: T0 + i * 600_000, dport: i % 3 === 0 ? 445 : 135,
    src: i < 10 ? '192.0.2.1' : `198.51.100.${i}`,
    calls: i === 4 ? [lookupCall(T0 + i * 600_000), activationCall(T0 + i * 600_000 + 5)] : [],
  }));
  const base = activationCall(T0 + 3_600_000);
  const hostileSession = makeSession({
    id: 'hostile01', startTs: T0 + 3_600_000, dport: 135, src: '203.0.113.66',
    calls: [{ ...base, activation: { ...base.activation!, objectName: `${HOSTILE.script}${HOSTILE.img}`, serverName: HOSTILE.bidi, uncServer: HOSTILE.big, uncServerLength: HOSTILE.big.length } }],
    anomalies: [{ name: 'protocol_violation', proto: 'dcerpc', detail: HOSTILE.js }],
    transcript: { entries: [{ dir: 'in', offsetMs: 10, text: `echo ${HOSTILE.script}` }, { dir: 'out', offsetMs: 11, text: HOSTILE.img }], entriesCut: 0, bytesCut: 0 },
  });
  await store.saveSessions([...sessions, hostileSession]);
  const alert: Alert = {
    id: 'a1a1a1a1a1a1a1a1', ts: T0 + 4 * 600_000 + 5, detector: 'exploit', rule: 'ms03_026_unc_server', severity: 'critical',
    title: 'MS03-026 exploit attempt: overlong UNC server name in RemoteCreateInstance', cves: ['CVE-2003-0352'], src: '192.0.2.1', dport: 135,
    session: 'web004', evidence: { uncServerLength: 40 }, indicators: [{ type: 'ipv4-addr', value: '192.0.2.1' }], dedupKey: 'exploit:192.0.2.1',
  };
  const hostile: Alert = {
    id: 'b2b2b2b2b2b2b2b2', ts: T0 + 3_600_000, detector: 'exploit', rule: 'ms03_026_unc_server', severity: 'high',
    title: `${HOSTILE.script} ${HOSTILE.img} ${HOSTILE.bidi}`, cves: ['CVE-2003-0352'], src: '203.0.113.66', dport: 135, session: 'hostile01',
    evidence: { objectName: HOSTILE.script, link: HOSTILE.js }, indicators: [{ type: 'url', value: HOSTILE.js }, { type: 'file-name', value: HOSTILE.img }], dedupKey: 'exploit:203.0.113.66',
  };
  await alerts.saveAlert(alert);
  await alerts.saveAlert(hostile);
  await alerts.saveAlert({ ...alert, id: 'c3c3c3c3c3c3c3c3', detector: 'surge', rule: 'port_surge', severity: 'medium', title: 'Surge on port 135', session: undefined, ts: T0 + 5 * 3_600_000 });
  const exposure = new ExposureSqliteStore(store.kysely);
  const findingIds = await seedExposure(exposure, kb, clock.now());
  const users = new UserService(new UserSqliteStore(store.kysely), clock);
  const passwords = { vera: await users.add('vera', 'viewer'), andy: await users.add('andy', 'analyst') };
  const announced: Comment[] = [];
  const escalated: AlertRecord[] = [];
  const routes = [
    commentRoutePlugin({
      comments, clock, onComment: (c) => announced.push(c),
      subjectExists: async (s, id) => (s === 'alert' ? (await alerts.getAlert(id)) !== undefined : s === 'finding' ? (await exposure.getFinding(id)) !== undefined : (await kb.getVulnerability(id)) !== undefined),
    }),
    dashboardPlugin({
      store, alerts, comments, kb, token: () => TOKEN, clock, registry: new Registry(), verifyLogin: (n, p) => users.verify(n, p), whatIf: new WhatIfPresets(),
      exposure: { store: exposure, service: new ExposureService({ store: exposure, kb, clock }) }, onComment: (c) => announced.push(c),
      onEscalated: (a) => escalated.push(a),
    }),
  ];
  const app = await buildServer({ store, registry: new Registry(), token: TOKEN, clock, routes });
  return {
    app, store, alerts, comments, clock, users, passwords, alertId: alert.id, hostileAlertId: hostile.id, sessionId: 'web004', hostileSessionId: 'hostile01',
    exposure, findingIds, announced, escalated,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

const DAY = 86_400_000;

function vulnerableHost(address: string, at: number, hostname: string): HostScanResult {
  return {
    address, scannedAt: at, hostname, ports: [{ port: 135, proto: 'tcp', state: 'open', service: 'msrpc' }],
    os: { family: 'Windows', version: 'Windows XP', confidence: 0.8, evidence: ['ServerAlive2 bindings'] },
    checks: [{ check: 'ms03-026', cve: 'CVE-2003-0352', verdict: 'vulnerable', reason: 'no fault', port: 135 }],
  };
}

/** Three MS03-026 findings through the exposure service: one opened 60 days ago (overdue: high is 30
 * days), one today, and one on an asset whose inventory name and owner are hostile markup. */
async function seedExposure(store: ExposureSqliteStore, kb: KbSqliteStore, now: number): Promise<DashboardFixture['findingIds']> {
  const seedClock = new ManualClock(now - 60 * DAY);
  const service = new ExposureService({ store, kb, clock: seedClock });
  await service.applyScan([vulnerableHost('10.20.0.5', now - 60 * DAY, 'filesrv01')]);
  seedClock.set(now);
  await service.applyScan([vulnerableHost('10.20.0.6', now, 'printsrv02')]);
  const inventory = {
    source: 'csv', seen: now,
    facts: [
      { kind: 'address' as const, value: '10.20.0.7' }, { kind: 'name' as const, value: `${HOSTILE.script}${HOSTILE.img}` },
      { kind: 'owner' as const, value: `${HOSTILE.img}${HOSTILE.bidi}` }, { kind: 'service' as const, value: 'tcp/135' },
    ],
  };
  const check = { at: now, kind: 'check' as const, says: 'vulnerable' as const, strength: 'strong' as const, source: 'scan', detail: `ms03-026: vulnerable ${HOSTILE.js}` };
  await service.ingest([inventory], new Map([[inventory, new Map([['CVE-2003-0352', check]])]]));
  const idOf = async (address: string): Promise<string> => {
    const [asset] = (await store.listAssets({ match: address, limit: 1 })).items;
    const [f] = (await store.listFindings({ assetId: asset!.id, vulnId: 'CVE-2003-0352', limit: 1 })).items;
    return f!.id;
  };
  return { overdue: await idOf('10.20.0.5'), current: await idOf('10.20.0.6'), hostile: await idOf('10.20.0.7') };
}
