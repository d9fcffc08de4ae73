// The node's knowledge base and detection, composed for `vigil up`: starter data loaded into the KB,
// the live detector pipeline (same as `vigil replay`) fed by sensor events, alerts routed to the
// store, log, webhooks and e-mail, and the API routes of both.

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
import type { RoutePlugin } from '../server/route-plugin.js';
import { commentRoutePlugin } from '../server/routes/comments.js';
import { CommentSqliteStore } from '../store/sqlite/comment-sqlite-store.js';
import type { Comment, CommentSubject } from '../model/comment.js';
import { dashboardPlugin } from '../web/web-plugin.js';
import { UserSqliteStore } from '../store/sqlite/user-sqlite-store.js';
import { UserService } from '../server/users.js';
import { WhatIfPresets } from './what-if-runner.js';
import type { VigilConfig } from './config.js';
import { pipelineOptionsFrom } from './detect-config.js';

export interface NodeServices {
  readonly detection: DetectionService;
  readonly routes: RoutePlugin[];
  /** The sensor sink's listener: every event the store accepted goes through the detectors. */
  readonly onEvents: (events: readonly VigilEvent[]) => void;
  /** The first admin's one-time password when this start created it (the caller prints it once). */
  readonly firstAdminPassword?: string;
}

export async function startNodeServices(
  config: VigilConfig,
  deps: { store: SqliteStore; registry: Registry; logger: Logger; httpAddress: string; clock?: Clock; token: () => string },
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
  const vulnerabilityPorts = vulnerabilityPortsOf(Object.entries(starterRecords()).map(([id, r]) => ({ id, ports: r.ports })));
  const pipeline = pipelineOptionsFrom(config);
  const detection = new DetectionService({ router, clock, pipeline: { ...pipeline, surge: { ...(pipeline.surge || {}), vulnerabilityPorts } } });
  detection.start();
  const publicUrl = config.http.publicUrl !== '' ? config.http.publicUrl.replace(/\/+$/, '') : `http://${deps.httpAddress}`;
  const comments = new CommentSqliteStore(deps.store.kysely);
  const users = new UserService(new UserSqliteStore(deps.store.kysely), clock);
  const firstAdminPassword = await users.ensureFirstAdmin();
  const subjectExists = async (subject: CommentSubject, id: string): Promise<boolean> =>
    subject === 'alert' ? (await alerts.getAlert(id)) !== undefined
    : subject === 'vuln' ? (await kb.getVulnerability(id)) !== undefined
    : subject === 'advisory' ? (await kb.getAdvisory(id)) !== undefined
    : false;
  const onComment = (c: Comment): void => deps.logger.info({ comment: { id: c.id, subject: c.subject, subjectId: c.subjectId, author: c.author } }, 'comment posted');
  const routes = [
    commentRoutePlugin({ comments, clock, subjectExists, onComment }),
    dashboardPlugin({ store: deps.store, alerts, comments, kb, registry: deps.registry, token: deps.token, clock, onComment, verifyLogin: (n, p) => users.verify(n, p), whatIf: new WhatIfPresets() }),
    alertRoutePlugin({ alerts, clock, resolveCve: (s) => resolveCveId(kb, s) }),
    ...kbRoutePlugins({
      kb,
      baseUrl: publicUrl,
      publisher: { category: config.csaf.publisherCategory, name: config.csaf.publisherName, namespace: config.csaf.publisherNamespace },
    }),
  ];
  return {
    detection, routes, onEvents: (events) => events.forEach((e) => detection.handle(e)),
    ...(firstAdminPassword !== undefined ? { firstAdminPassword } : {}),
  };
}
