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
import { FeedWatcher } from '../kb/watch/feed-watcher.js';
import { noticeAlert } from '../detect/kb-notice-alert.js';
import { ensurePrivateDir } from '../core/private-files.js';
import { join, resolve } from 'node:path';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { alertRoutePlugin } from '../server/routes/alerts.js';
import { kbRoutePlugins } from '../server/routes/vulns.js';
import { StixPublisher } from '../share/taxii/stix-publisher.js';
import type { RoutePlugin } from '../server/route-plugin.js';
import { ExposureService } from '../exposure/exposure-service.js';
import { registerExposureMetrics } from '../exposure/exposure-metrics.js';
import { ExposureSqliteStore } from '../store/sqlite/exposure-sqlite-store.js';
import { assetRoutePlugin } from '../server/routes/assets.js';
import { findingRoutePlugin } from '../server/routes/findings.js';
import { commentCreatedEvent, commentRoutePlugin } from '../server/routes/comments.js';
import { alertEscalatedEvent } from '../detect/alert-escalation.js';
import type { AlertRecord } from '../model/alert.js';
import { threadPage } from '../web/pages/comment-routes.js';
import { CommentSqliteStore } from '../store/sqlite/comment-sqlite-store.js';
import type { Comment, CommentSubject } from '../model/comment.js';
import { dashboardPlugin } from '../web/web-plugin.js';
import { UserSqliteStore } from '../store/sqlite/user-sqlite-store.js';
import { UserService } from '../server/users.js';
import { WhatIfPresets } from './what-if-runner.js';
import { RescanSchedule } from './rescan-schedule.js';
import { scanRoutePlugin } from '../server/routes/scans.js';
import type { VigilConfig } from './config.js';
import { nodePipelineOptions } from './detect-config.js';
import { addShareSinks, PartnerWatch, pushTargets, stixOptions, taxiiRoutes } from './share-services.js';

export interface NodeServices {
  readonly detection: DetectionService;
  /** Syncs the feeds on a schedule (feeds.intervalMinutes > 0); stopped with the node. */
  readonly feeds: FeedWatcher | undefined;
  readonly routes: RoutePlugin[];
  /** Assets and findings: `applyScan` takes the scanner's results (scheduled rescans). */
  readonly exposure: ExposureService;
  /** The sensor sink's listener: every event the store accepted goes through the detectors. */
  readonly onEvents: (events: readonly VigilEvent[]) => void;
  /** The first admin's one-time password when this start created it (the caller prints it once). */
  readonly firstAdminPassword?: string;
}

export async function startNodeServices(
  config: VigilConfig,
  deps: {
    store: SqliteStore;
    /** Where sessions live when that is not `store` (a fleet hub's PostgreSQL): what the dashboard shows. */
    sessions?: Store; registry: Registry; logger: Logger; httpAddress: string; clock?: Clock; token: () => string },
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
  // An alert whose source is a known asset marks it probably compromised (and raises its findings).
  const exposureStore = new ExposureSqliteStore(deps.store.kysely);
  const exposure = new ExposureService({
    store: exposureStore, kb, clock, policy: config.exposure.dueDays, limits: config.exposure.import,
    alertsFrom: (src) => alerts.listAlerts({ src, limit: 1 }),
  });
  router.addSink(exposure.alertSink());
  registerExposureMetrics(deps.registry, exposureStore, clock);
  addShareSinks(router, config, deps.logger);
  const watch = new PartnerWatch();
  const taxii = taxiiRoutes(config, publicUrlOf(config, deps.httpAddress), watch.onAdded);
  if (taxii) router.addSink(new StixPublisher({ stix: stixOptions(config), service: taxii.service, push: pushTargets(config), spoolDir: join(config.dataDir, 'spool'), logger: deps.logger }));
  else if (config.share.taxii.push.length > 0) router.addSink(new StixPublisher({ stix: stixOptions(config), push: pushTargets(config), spoolDir: join(config.dataDir, 'spool'), logger: deps.logger }));
  const detection = new DetectionService({ router, clock, pipeline: nodePipelineOptions(config) });
  detection.start();
  watch.start(config, taxii?.service, (list) => detection.pipeline.watchlist.replace(list), deps.logger);
  // The router closes its sinks when the node stops: polling stops with them.
  router.addSink({ name: 'partner-watch', deliver: () => {}, close: async () => watch.stop() });
  const publicUrl = publicUrlOf(config, deps.httpAddress);
  // scheduled rescans (scan.*): their results go to exposure; stopped with the router's sinks
  const rescans = config.scan.intervalMinutes > 0 && config.scan.targets.length > 0 ? new RescanSchedule(config.scan, exposure, deps.logger.child?.({ module: 'scan' }) ?? deps.logger) : undefined;
  if (rescans) {
    rescans.start();
    router.addSink({ name: 'rescans', deliver: () => {}, close: async () => rescans.stop() });
  }
  const comments = new CommentSqliteStore(deps.store.kysely);
  const users = new UserService(new UserSqliteStore(deps.store.kysely), clock);
  const firstAdminPassword = await users.ensureFirstAdmin();
  const subjectExists = async (subject: CommentSubject, id: string): Promise<boolean> =>
    subject === 'alert' ? (await alerts.getAlert(id)) !== undefined
    : subject === 'vuln' ? (await kb.getVulnerability(id)) !== undefined
    : subject === 'advisory' ? (await kb.getAdvisory(id)) !== undefined
    : subject === 'finding' ? (await exposureStore.getFinding(id)) !== undefined
    : false;
  // A new comment is logged and told to the webhooks (`comment.created`, through their alert spools).
  const onComment = (c: Comment): void => {
    deps.logger.info({ comment: { id: c.id, subject: c.subject, subjectId: c.subjectId, author: c.author } }, 'comment posted');
    void router.announce(commentCreatedEvent(c, `${publicUrl}${threadPage(c.subject, c.subjectId)}`));
  };
  // An escalation is logged and told to the webhooks again (`alert.escalated`).
  const onEscalated = (a: AlertRecord): void => {
    deps.logger.info({ alert: { id: a.id, rule: a.rule, by: a.escalatedBy } }, 'alert escalated');
    void router.announce(alertEscalatedEvent(a, `${publicUrl}/alerts/${a.id}`));
  };
  const routes = [
    ...(taxii ? [taxii.plugin] : []),
    commentRoutePlugin({ comments, clock, subjectExists, onComment }),
    dashboardPlugin({ store: deps.sessions ?? deps.store, alerts, comments, kb, registry: deps.registry, token: deps.token, clock, onComment, onEscalated, verifyLogin: (n, p) => users.verify(n, p), whatIf: new WhatIfPresets(), exposure: { store: exposureStore, service: exposure } }),
    alertRoutePlugin({ alerts, clock, resolveCve: (s) => resolveCveId(kb, s) }),
    assetRoutePlugin({ store: exposureStore, clock }),
    findingRoutePlugin({ store: exposureStore, service: exposure, clock }),
    scanRoutePlugin({ schedule: rescans }),
    ...kbRoutePlugins({
      kb,
      baseUrl: publicUrl,
      publisher: { category: config.csaf.publisherCategory, name: config.csaf.publisherName, namespace: config.csaf.publisherNamespace },
    }),
  ];
  const feeds = startFeedWatcher(config, kb, exposure, detection, clock, deps.logger);
  return {
    detection, feeds, routes, exposure, onEvents: (events) => events.forEach((e) => detection.handle(e)),
    ...(firstAdminPassword !== undefined ? { firstAdminPassword } : {}),
  };
}

/** The feed watcher of `vigil up`: its notices become `kb` alerts through the node's router. */
function startFeedWatcher(config: VigilConfig, kb: KbSqliteStore, exposure: ExposureService, detection: DetectionService, clock: Clock, logger: Logger): FeedWatcher | undefined {
  const f = config.feeds;
  if (f.intervalMinutes === 0) return undefined;
  const workDir = join(resolve(config.dataDir), 'feeds');
  ensurePrivateDir(workDir, logger);
  const watcher = new FeedWatcher({
    store: kb,
    sources: { kevUrl: f.kevUrl, epssUrl: f.epssUrl, nvdUrl: f.nvdUrl, ...(f.nvdApiKey ? { nvdApiKey: f.nvdApiKey } : {}), csafProviders: f.csafProviders },
    subscriptions: config.subscriptions,
    workDir,
    epssJump: f.epssJump,
    // a vulnerability that affects our assets, or has open findings, concerns us whatever the
    // subscriptions say (a KEV addition or an EPSS jump on something we run matters most)
    assetsOf: (rec) => exposure.concernedBy(rec),
    logger: logger.child?.({ module: 'feeds' }) ?? logger,
  });
  watcher.start(f.intervalMinutes * 60_000, (r) => {
    logger.info({ sources: r.sources, notices: r.notices.length, changesDropped: r.changesDropped }, 'feeds synced');
    detection.raise(r.notices.map((n) => noticeAlert(n, clock.now())));
  });
  return watcher;
}

function publicUrlOf(config: VigilConfig, httpAddress: string): string {
  return config.http.publicUrl !== '' ? config.http.publicUrl.replace(/\/+$/, '') : `http://${httpAddress}`;
}
