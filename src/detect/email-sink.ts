// E-mail alert sink over SMTP with nodemailer 7 (RFC 5321 transport, RFC 5322 message): one
// plain-text message per alert at or above a severity, the alert JSON attached for machines.

import nodemailer from 'nodemailer';
import type { Logger } from '../core/logger.js';
import type { Alert } from '../model/alert.js';
import type { Severity } from '../model/anomaly.js';
import { SEVERITY_RANK } from './alert-factory.js';
import type { AlertSink } from './alert-router.js';

export interface EmailOptions {
  /** nodemailer transport: an SMTP URL (smtps://user:pass@host) or transport options. */
  readonly transport: string | Parameters<typeof nodemailer.createTransport>[0];
  readonly from: string;
  readonly to: readonly string[];
  /** Only alerts at or above this severity are mailed (default high). */
  readonly minSeverity?: Severity;
  readonly logger?: Logger;
}

export function emailBody(a: Alert): string {
  return [
    a.title, '',
    `severity: ${a.severity}`, `detector: ${a.detector} / ${a.rule}`, `time: ${new Date(a.ts).toISOString()}`,
    ...(a.cves.length ? [`CVEs: ${a.cves.join(', ')}`] : []), ...(a.src ? [`source: ${a.src}`] : []), ...(a.dport !== undefined ? [`port: ${a.dport}`] : []),
    ...(a.indicators.length ? ['', 'indicators:', ...a.indicators.map((i) => `  ${i.type}: ${i.value}`)] : []),
    '', `alert id: ${a.id}`,
  ].join('\n');
}

/** A sink that mails; an SMTP failure is logged, never thrown at the router (webhooks are the durable path). */
export function emailSink(o: EmailOptions): AlertSink & { sent: number } {
  const transporter = nodemailer.createTransport(o.transport as Parameters<typeof nodemailer.createTransport>[0]);
  const min = SEVERITY_RANK[o.minSeverity ?? 'high'];
  const sink = {
    name: 'email',
    sent: 0,
    async deliver(a: Alert): Promise<void> {
      if (SEVERITY_RANK[a.severity] < min) return;
      try {
        await transporter.sendMail({
          from: o.from, to: [...o.to], subject: `[vigil ${a.severity}] ${a.title}`.slice(0, 200), text: emailBody(a),
          attachments: [{ filename: `alert-${a.id}.json`, content: JSON.stringify(a, null, 2), contentType: 'application/json' }],
        });
        sink.sent++;
      } catch (e) {
        o.logger?.error({ sink: 'email', alertId: a.id, err: String(e) }, 'alert e-mail failed');
      }
    },
    async close(): Promise<void> {
      transporter.close();
    },
  };
  return sink;
}
