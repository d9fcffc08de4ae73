// Alerts as Elastic Common Schema documents (ECS 8.x field reference: event.*, rule.*, source.*,
// destination.*, vulnerability.*, observer.*, related.*), one JSON line each, ready for Filebeat/Elastic Agent.

import type { Alert } from '../../model/alert.js';
import type { Severity } from '../../model/anomaly.js';

export const ECS_VERSION = '8.11.0';

/** event.severity (long) and event.risk_score (float, 0-100) by alert severity. */
const ECS_SEVERITY: Readonly<Record<Severity, number>> = { info: 1, low: 21, medium: 47, high: 73, critical: 99 };

export interface SiemContext {
  /** observer.name / CEF deviceHostName / syslog HOSTNAME: the sensor or node. */
  readonly observer: string;
  readonly version?: string;
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The destination the alert names in its evidence (exploit alerts carry `dst`, shell alerts `host`). */
export function alertDestination(a: Alert): string | undefined {
  return stringOf(a.evidence.dst) ?? stringOf(a.evidence.host);
}

export function alertToEcs(a: Alert, ctx: SiemContext): Record<string, unknown> {
  const dst = alertDestination(a);
  const ips = [...new Set([a.src, dst, ...a.indicators.filter((i) => i.type === 'ipv4-addr' || i.type === 'ipv6-addr').map((i) => i.value)].filter((x): x is string => x !== undefined))];
  return {
    '@timestamp': new Date(a.ts).toISOString(),
    message: a.title,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'alert', category: ['intrusion_detection', 'network'], type: ['info'], module: 'vigil', dataset: 'vigil.alert', provider: a.detector,
      id: a.id, action: a.rule, reason: a.title, severity: ECS_SEVERITY[a.severity], risk_score: ECS_SEVERITY[a.severity],
    },
    rule: { id: a.rule, name: a.rule, category: a.detector, ruleset: 'vigil' },
    ...(a.src !== undefined ? { source: { ip: a.src } } : {}),
    ...(dst !== undefined || a.dport !== undefined ? { destination: { ...(dst !== undefined ? { ip: dst } : {}), ...(a.dport !== undefined ? { port: a.dport } : {}) } } : {}),
    network: { transport: 'tcp' },
    ...(a.cves.length > 0 ? { vulnerability: { id: a.cves.length === 1 ? a.cves[0] : [...a.cves], enumeration: 'CVE', scanner: { vendor: 'Vigil' } } } : {}),
    observer: { name: ctx.observer, hostname: ctx.observer, type: 'honeypot', vendor: 'Vigil', product: 'Vigil', ...(ctx.version ? { version: ctx.version } : {}) },
    ...(ips.length > 0 ? { related: { ip: ips } } : {}),
    tags: ['vigil', a.severity],
    labels: { vigil_severity: a.severity, ...(a.session !== undefined ? { vigil_session: a.session } : {}) },
  };
}
