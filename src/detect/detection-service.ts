// Live detection for `vigil up`: sensor events go through the same DetectPipeline as replays, alerts
// through the router to the store, log, webhooks and e-mail; a timer closes surge buckets by the clock.

import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Alert } from '../model/alert.js';
import type { VigilEvent } from '../model/event.js';
import { alertMetrics } from './alert-metrics.js';
import { AlertRouter, logSink, type RouterOptions } from './alert-router.js';
import { storeSink, type AlertRepository } from './alert-store-port.js';
import { DetectPipeline, type PipelineOptions } from './detect-pipeline.js';
import { emailSink, type EmailOptions } from './email-sink.js';
import { WebhookSink } from './webhook-sink.js';

export interface AlertingConfig {
  /** Data directory: webhook spools live in `<dataDir>/spool`. */
  readonly dataDir: string;
  readonly repository?: AlertRepository;
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly webhooks?: readonly { readonly name: string; readonly url: string; readonly secret: string }[];
  readonly email?: EmailOptions;
  readonly router?: Omit<RouterOptions, 'logger' | 'onCount'>;
}

/** Compose the router and its sinks from configuration (the CLI's one call). */
export function buildAlertRouter(c: AlertingConfig): AlertRouter {
  const metrics = c.registry ? alertMetrics(c.registry) : undefined;
  const router = new AlertRouter({ ...c.router, ...(c.logger ? { logger: c.logger } : {}), ...(metrics ? { onCount: metrics.onCount } : {}) });
  if (c.repository) router.addSink(storeSink(c.repository));
  if (c.logger) router.addSink(logSink(c.logger));
  for (const w of c.webhooks ?? []) {
    const sink = new WebhookSink({ ...w, spoolDir: join(c.dataDir, 'spool'), ...(c.logger ? { logger: c.logger } : {}) });
    metrics?.watchWebhook(sink);
    router.addSink(sink);
  }
  if (c.email) router.addSink(emailSink(c.email));
  return router;
}

export interface DetectionServiceOptions {
  readonly router: AlertRouter;
  readonly clock: Clock;
  readonly pipeline?: PipelineOptions;
  /** How often surge buckets are closed by the clock when traffic is quiet. */
  readonly flushEveryMs?: number;
  readonly onAlert?: (a: Alert) => void;
}

export class DetectionService {
  readonly pipeline: DetectPipeline;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: DetectionServiceOptions) {
    this.pipeline = new DetectPipeline({ ...o.pipeline, clock: o.clock });
  }

  /** Feed one event (the sensor's sink). Alerts are routed in the order they were raised. */
  handle(ev: VigilEvent): void {
    this.route(this.pipeline.push(ev));
  }

  /** Route alerts raised outside the pipeline (the feed watcher's), in order with the rest. */
  raise(alerts: Alert[]): void {
    this.route(alerts);
  }

  start(): void {
    this.timer ??= setInterval(() => this.route(this.pipeline.flush(this.o.clock.now())), this.o.flushEveryMs ?? 60_000);
    this.timer.unref();
  }

  /** Stop the timer, wait for routing to finish, close the sinks (webhooks keep their spools). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.queue;
    await this.o.router.close();
  }

  private route(alerts: Alert[]): void {
    for (const a of alerts) {
      this.o.onAlert?.(a);
      this.queue = this.queue.then(() => this.o.router.route(a).then(() => undefined));
    }
  }
}
