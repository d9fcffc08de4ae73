// Alerts as Suricata EVE JSON `alert` records (Suricata user guide, "Eve JSON Format"), so that
// tools reading eve.json (and Vigil's own EVE reader) take them like Suricata's own.

import { createHash } from 'node:crypto';
import type { Alert } from '../../model/alert.js';
import type { Severity } from '../../model/anomaly.js';
import { alertDestination, type SessionLike } from './ecs-format.js';

/** EVE alert.severity: 1 is the highest. */
const EVE_SEVERITY: Readonly<Record<Severity, number>> = { info: 3, low: 3, medium: 2, high: 1, critical: 1 };
/** Signature ids of Vigil's rules: a stable number in the range Suricata leaves to local rules. */
const LOCAL_SID_BASE = 9_000_000;

/** EVE's timestamp: microseconds and a colon-less offset, e.g. 2003-08-11T16:00:00.000000+0000. */
export function eveTimestamp(ms: number): string {
  const iso = new Date(Math.floor(ms)).toISOString();
  const us = Math.round((ms - Math.floor(ms / 1000) * 1000) * 1000);
  return `${iso.slice(0, 19)}.${String(us).padStart(6, '0')}+0000`;
}

export function ruleSignatureId(detector: string, rule: string): number {
  return LOCAL_SID_BASE + (createHash('sha256').update(`${detector}:${rule}`).digest().readUInt32BE(0) % 1_000_000);
}

/** The EVE record of an alert, or undefined when it has no source (a surge concerns a port, not a flow). */
export function alertToEve(a: Alert, sensorAddress: string): Record<string, unknown> | undefined {
  if (a.src === undefined) return undefined;
  const flowId = createHash('sha256').update(a.session ?? a.id).digest().readBigUInt64BE(0) >> 12n; // 52 bits: exact in JSON numbers
  return {
    timestamp: eveTimestamp(a.ts), flow_id: Number(flowId), event_type: 'alert',
    src_ip: a.src, dest_ip: alertDestination(a) ?? sensorAddress, dest_port: a.dport ?? 0, proto: 'TCP',
    ...(a.dport === 135 || a.dport === 593 ? { app_proto: 'dcerpc' } : {}),
    alert: {
      action: 'allowed', gid: 1, signature_id: ruleSignatureId(a.detector, a.rule), rev: 1, signature: a.title, category: a.detector,
      severity: EVE_SEVERITY[a.severity], metadata: { vigil_alert_id: [a.id], ...(a.cves.length ? { cve: [...a.cves] } : {}) },
    },
  };
}

/** A sensor session as an EVE `flow` record (the responder's bytes are bytes_toclient). */
export function sessionToEveFlow(s: SessionLike): Record<string, unknown> {
  const flowId = createHash('sha256').update(s.id).digest().readBigUInt64BE(0) >> 12n;
  return {
    timestamp: eveTimestamp(s.endTs ?? s.startTs), flow_id: Number(flowId), event_type: 'flow',
    src_ip: s.src, src_port: s.sport, dest_ip: s.dst, dest_port: s.dport, proto: s.proto.toUpperCase(),
    ...(s.service && s.service !== 'unknown' ? { app_proto: s.service } : {}),
    flow: {
      bytes_toserver: s.bytesIn, bytes_toclient: s.bytesOut, start: eveTimestamp(s.startTs), end: eveTimestamp(s.endTs ?? s.startTs),
      // No packet counts: the sensor counts bytes, and an invented count would mislead a reader.
      reason: s.closeReason === 'idle_timeout' || s.closeReason === 'total_timeout' ? 'timeout' : 'shutdown', alerted: false,
    },
  };
}
