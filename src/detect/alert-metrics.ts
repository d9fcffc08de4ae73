// Prometheus counters for alerting (prom-client, exposition format per prometheus.io "Exposition
// formats"): alerts raised and suppressed by detector/rule/severity, webhook deliveries and failures.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { Alert } from '../model/alert.js';
import type { RouterOptions } from './alert-router.js';
import type { WebhookSink } from './webhook-sink.js';

export interface AlertMetrics {
  /** Pass as RouterOptions.onCount. */
  readonly onCount: NonNullable<RouterOptions['onCount']>;
  /** Register a webhook sink's delivered/failed/pending figures (collected at scrape time). */
  watchWebhook(sink: WebhookSink): void;
}

export function alertMetrics(registry: Registry): AlertMetrics {
  const raised = new Counter({ name: 'vigil_alerts_total', help: 'Alerts routed (after deduplication)', labelNames: ['detector', 'rule', 'severity'], registers: [registry] });
  const suppressed = new Counter({ name: 'vigil_alerts_suppressed_total', help: 'Alerts merged into an earlier one inside the suppression window', labelNames: ['detector', 'rule'], registers: [registry] });
  const sinks: WebhookSink[] = [];
  new Gauge({
    name: 'vigil_webhook_spool_bytes', help: 'Bytes of alerts spooled and not yet delivered, per webhook', labelNames: ['sink'], registers: [registry],
    collect() {
      for (const s of sinks) this.set({ sink: s.name }, s.pending());
    },
  });
  new Gauge({
    name: 'vigil_webhook_deliveries', help: 'Webhook deliveries (ok) and failed attempts since start', labelNames: ['sink', 'result'], registers: [registry],
    collect() {
      for (const s of sinks) {
        this.set({ sink: s.name, result: 'ok' }, s.delivered);
        this.set({ sink: s.name, result: 'failed_attempt' }, s.failures);
      }
    },
  });
  return {
    onCount: (a: Alert, routed: boolean) => {
      if (routed) raised.inc({ detector: a.detector, rule: a.rule, severity: a.severity });
      else suppressed.inc({ detector: a.detector, rule: a.rule });
    },
    watchWebhook: (s) => void sinks.push(s),
  };
}
