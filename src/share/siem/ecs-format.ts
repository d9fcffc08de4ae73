// Alerts as Elastic Common Schema documents (ECS 8.x field reference: event.*, rule.*, source.*,
// destination.*, vulnerability.*, observer.*, related.*), one JSON line each, ready for Filebeat/Elastic Agent.

import type { Alert } from '../../model/alert.js';
import type { SessionRecord } from '../../model/session.js';
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

/** A sensor session (calls left out) as an ECS network event. */
export type SessionLike = Omit<SessionRecord, 'calls'> & { readonly callCount?: number; readonly anomalyCount?: number };

export function sessionToEcs(s: SessionLike, ctx: SiemContext): Record<string, unknown> {
  const end = s.endTs ?? s.startTs;
  return {
    '@timestamp': new Date(s.startTs).toISOString(),
    message: `${s.proto} ${s.src}:${s.sport} -> ${s.dst}:${s.dport}${s.service ? ` (${s.service})` : ''}`,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event', category: ['network'], type: ['connection'], module: 'vigil', dataset: 'vigil.session', id: s.id,
      start: new Date(s.startTs).toISOString(), end: new Date(end).toISOString(), duration: Math.round((end - s.startTs) * 1e6),
      ...(s.closeReason ? { reason: s.closeReason } : {}),
    },
    source: { ip: s.src, port: s.sport, bytes: s.bytesIn },
    destination: { ip: s.dst, port: s.dport, bytes: s.bytesOut },
    network: { transport: s.proto, ...(s.service && s.service !== 'unknown' ? { protocol: s.service } : {}) },
    observer: { name: s.sensor || ctx.observer, hostname: ctx.observer, type: 'honeypot', vendor: 'Vigil', product: 'Vigil', ...(ctx.version ? { version: ctx.version } : {}) },
    related: { ip: [...new Set([s.src, s.dst])] },
    tags: ['vigil', ...(s.limitsHit.length ? ['limits_hit'] : []), ...((s.anomalyCount ?? s.anomalies.length) > 0 ? ['anomalous'] : [])],
    labels: { vigil_calls: String(s.callCount ?? 0), vigil_anomalies: String(s.anomalyCount ?? s.anomalies.length) },
  };
}
