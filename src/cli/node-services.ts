// The node's knowledge base and detection, composed for `vigil up`: starter data loaded into the KB,
// the live detector pipeline (same as `vigil replay`) fed by sensor events, alerts routed to the
// store, log, webhooks and e-mail, and the API routes of both.

import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { VigilEvent } from '../model/event.js';
import { DetectionService, buildAlertRouter } from '../detect/detection-service.js';
import { vulnerabilityPortsOf } from '../detect/surge-detector.js';
import { loadStarterData, starterRecords } from '../kb/data/starter-data.js';
import { AlertSqliteStore } from '../store/sqlite/alert-sqlite-store.js';
import { KbSqliteStore } from '../store/sqlite/kb-sqlite-store.js';
import { resolveCveId } from '../kb/cve-alias.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { alertRoutePlugin } from '../server/routes/alerts.js';
import { kbRoutePlugins } from '../server/routes/vulns.js';
import { StixPublisher } from '../share/taxii/stix-publisher.js';
import type { RoutePlugin } from '../server/route-plugin.js';
import type { VigilConfig } from './config.js';
import { pipelineOptionsFrom } from './detect-config.js';
import { addShareSinks, PartnerWatch, pushTargets, stixOptions, taxiiRoutes } from './share-services.js';

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
  addShareSinks(router, config, deps.logger);
  const watch = new PartnerWatch();
  const taxii = taxiiRoutes(config, publicUrlOf(config, deps.httpAddress), watch.onAdded);
  if (taxii) router.addSink(new StixPublisher({ stix: stixOptions(config), service: taxii.service, push: pushTargets(config), spoolDir: join(config.dataDir, 'spool'), logger: deps.logger }));
  else if (config.share.taxii.push.length > 0) router.addSink(new StixPublisher({ stix: stixOptions(config), push: pushTargets(config), spoolDir: join(config.dataDir, 'spool'), logger: deps.logger }));
  const vulnerabilityPorts = vulnerabilityPortsOf(Object.entries(starterRecords()).map(([id, r]) => ({ id, ports: r.ports })));
  const pipeline = pipelineOptionsFrom(config);
  const detection = new DetectionService({ router, clock, pipeline: { ...pipeline, surge: { ...(pipeline.surge || {}), vulnerabilityPorts } } });
  detection.start();
  watch.start(config, taxii?.service, (list) => detection.pipeline.watchlist.replace(list), deps.logger);
  // The router closes its sinks when the node stops: polling stops with them.
  router.addSink({ name: 'partner-watch', deliver: () => {}, close: async () => watch.stop() });
  const publicUrl = publicUrlOf(config, deps.httpAddress);
  const routes = [
    ...(taxii ? [taxii.plugin] : []),
    alertRoutePlugin({ alerts, clock, resolveCve: (s) => resolveCveId(kb, s) }),
    ...kbRoutePlugins({
      kb,
      baseUrl: publicUrl,
      publisher: { category: config.csaf.publisherCategory, name: config.csaf.publisherName, namespace: config.csaf.publisherNamespace },
    }),
  ];
  return { detection, routes, onEvents: (events) => events.forEach((e) => detection.handle(e)) };
}

function publicUrlOf(config: VigilConfig, httpAddress: string): string {
  return config.http.publicUrl !== '' ? config.http.publicUrl.replace(/\/+$/, '') : `http://${httpAddress}`;
}
