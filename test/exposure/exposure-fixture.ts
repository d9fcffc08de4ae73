// A node's store for exposure tests: a temporary vigil.db with the knowledge base's starter data
// (MS03-026 and friends), the exposure store on the same database, and a service with a manual clock.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { ExposureService, type ExposureServiceDeps } from '../../src/exposure/exposure-service.js';
import { loadStarterData } from '../../src/kb/data/starter-data.js';
import type { Alert } from '../../src/model/alert.js';
import { AlertSqliteStore } from '../../src/store/sqlite/alert-sqlite-store.js';
import { ExposureSqliteStore } from '../../src/store/sqlite/exposure-sqlite-store.js';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { openSqliteStore, sqliteFileIn, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export const T0 = Date.parse('2026-12-01T00:00:00Z');

export interface Fixture {
  readonly dir: string;
  readonly db: SqliteStore;
  readonly kb: KbSqliteStore;
  readonly store: ExposureSqliteStore;
  readonly alerts: AlertSqliteStore;
  readonly clock: ManualClock;
  readonly service: ExposureService;
  close(): Promise<void>;
}

export async function openFixture(extra: Partial<ExposureServiceDeps> = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-exposure-'));
  const db = await openSqliteStore({ file: sqliteFileIn(dir), synchronous: 'normal', background: false, writerThread: false });
  const kb = new KbSqliteStore(db.kysely);
  await loadStarterData(kb);
  const store = new ExposureSqliteStore(db.kysely);
  const alerts = new AlertSqliteStore(db.kysely);
  const clock = new ManualClock(T0);
  const service = new ExposureService({ store, kb, clock, alertsFrom: (src) => alerts.listAlerts({ src, limit: 1 }), ...extra });
  return {
    dir, db, kb, store, alerts, clock, service,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function alertFrom(src: string, ts: number, id = 'a1b2c3d4e5f60718'): Alert {
  return {
    id, ts, detector: 'exploit', rule: 'ms03_026_long_unc_server', severity: 'critical', title: 'MS03-026 exploit attempt',
    cves: ['CVE-2003-0352'], src, dport: 135, evidence: {}, indicators: [], dedupKey: `exploit:${src}`,
  };
}
