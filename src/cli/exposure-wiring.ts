// Opening the exposure service on a data directory for `vigil assets` and `vigil findings`: the node's
// vigil.db (assets, findings, the knowledge base and alerts on one connection), the configured policy.

import { existsSync } from 'node:fs';
import { systemClock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { assetView } from '../exposure/asset-merge.js';
import { ExposureService } from '../exposure/exposure-service.js';
import { loadStarterData } from '../kb/data/starter-data.js';
import { AlertSqliteStore } from '../store/sqlite/alert-sqlite-store.js';
import { ExposureSqliteStore } from '../store/sqlite/exposure-sqlite-store.js';
import { KbSqliteStore } from '../store/sqlite/kb-sqlite-store.js';
import { openSqliteStore, sqliteFileIn } from '../store/sqlite/sqlite-store.js';
import type { VigilConfig } from './config.js';

export interface ExposureHandle {
  readonly service: ExposureService;
  readonly store: ExposureSqliteStore;
  /** "10.0.0.7" or "filesrv01" or the id: how lists name an asset. */
  assetLabel(id: string): Promise<string>;
  close(): Promise<void>;
}

/** `create`: an import may start a new data directory (with the starter knowledge base); reads need one. */
export async function openExposure(config: VigilConfig, opts: { create: boolean }): Promise<ExposureHandle> {
  const file = sqliteFileIn(config.dataDir);
  if (!opts.create && !existsSync(file)) throw new AppError('VIGIL_ERR_NOT_FOUND', `no store at ${file} (import an inventory with \`vigil assets import\`, start the node with \`vigil up\`, or pass --data-dir or --config)`);
  const db = await openSqliteStore({ file, synchronous: config.store.synchronous, background: false });
  const kb = new KbSqliteStore(db.kysely);
  // Idempotent (unchanged fragments are not written): an import on a fresh directory still knows MS03-026.
  if (opts.create) await loadStarterData(kb);
  const store = new ExposureSqliteStore(db.kysely);
  const alerts = new AlertSqliteStore(db.kysely);
  const service = new ExposureService({
    store, kb, clock: systemClock, policy: config.exposure.dueDays, limits: config.exposure.import,
    alertsFrom: (src) => alerts.listAlerts({ src, limit: 1 }),
  });
  const labels = new Map<string, string>();
  return {
    service, store,
    assetLabel: async (id) => {
      let l = labels.get(id);
      if (l === undefined) {
        const a = await store.getAsset(id);
        const v = a ? assetView(a) : undefined;
        l = v?.addresses[0] ?? v?.names[0] ?? v?.macs[0] ?? id;
        labels.set(id, l);
      }
      return l;
    },
    close: () => db.close(),
  };
}
