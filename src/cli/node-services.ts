// The node's knowledge base and detection, composed for `vigil up`: starter data loaded into the KB,
// the live detector pipeline (same as `vigil replay`) fed by sensor events, alerts routed to the
// store, log, webhooks and e-mail, and the API routes of both.

import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { VigilEvent } from '../model/event.js';
import { DetectionService, buildAlertRouter } from '../detect/detection-service.js';
import { loadStarterData } from '../kb/data/starter-data.js';
import { AlertSqliteStore } from '../store/sqlite/alert-sqlite-store.js';
import { KbSqliteStore } from '../store/sqlite/kb-sqlite-store.js';
import { resolveCveId } from '../kb/cve-alias.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { alertRoutePlugin } from '../server/routes/alerts.js';
import { kbRoutePlugins } from '../server/routes/vulns.js';
import type { RoutePlugin } from '../server/route-plugin.js';
import type { VigilConfig } from './config.js';
import { nodePipelineOptions } from './detect-config.js';

export interface NodeServices {
  readonly detection: DetectionService;
  readonly routes: RoutePlugin[];
  /** The sensor sink's listener: every event the store accepted goes through the detectors. */
  readonly onEvents: (events: readonly VigilEvent[]) => void;
}

export async function startNodeServices(
  config: VigilConfig,
  deps: { store: SqliteStore; registry: Registry; logger: Logger; httpAddress: string; clock?: Clock },
): Promise<NodeServices> {
  const clock = deps.clock ?? systemClock;
  const kb = new KbSqliteStore(deps.store.kysely);
  // Idempotent: a restart re-applies the same facts and changes nothing.
  const loaded = await loadStarterData(kb);
  deps.logger.info({ starter: loaded }, 'knowledge base starter data loaded');
  const alerts = new AlertSqliteStore(deps.store.kysely);
  const { email } = config.alerts;
  const router = buildAlertRouter({
    dataDir: config.dataDir,
    repository: alerts,
    registry: deps.registry,
    logger: deps.logger,
    webhooks: config.alerts.webhooks,
    ...(email.smtpUrl !== '' && email.to.length > 0
      ? { email: { transport: email.smtpUrl, from: email.from, to: email.to, minSeverity: email.minSeverity, logger: deps.logger } }
      : {}),
    router: {
      minSeverity: config.alerts.minSeverity,
      windowByDetector: Object.fromEntries(Object.entries(config.alerts.suppressSeconds).map(([d, s]) => [d, s * 1000])),
    },
  });
  const detection = new DetectionService({ router, clock, pipeline: nodePipelineOptions(config) });
  detection.start();
  const publicUrl = config.http.publicUrl !== '' ? config.http.publicUrl.replace(/\/+$/, '') : `http://${deps.httpAddress}`;
  const routes = [
    alertRoutePlugin({ alerts, clock, resolveCve: (s) => resolveCveId(kb, s) }),
    ...kbRoutePlugins({
      kb,
      baseUrl: publicUrl,
      publisher: { category: config.csaf.publisherCategory, name: config.csaf.publisherName, namespace: config.csaf.publisherNamespace },
    }),
  ];
  return { detection, routes, onEvents: (events) => events.forEach((e) => detection.handle(e)) };
}
