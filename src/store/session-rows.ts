// Mapping between the model's SessionRecord and the core tables' rows (see core-tables.ts):
// one sessions row, one calls row per call, one anomalies row per anomaly (session or call level).

import type { Anomaly } from '../model/anomaly.js';
import type { CallRecord } from '../model/call.js';
import type { CloseReason, SessionRecord, Transcript } from '../model/session.js';
import type { Transport } from '../model/flow.js';
import { AppError } from '../core/errors.js';
import type { AnomaliesTable, CallsTable, SessionPayloadsTable, SessionsTable } from './core-tables.js';
import type { SessionSummary } from './store.js';

export interface SessionRows {
  readonly session: SessionsTable;
  readonly calls: CallsTable[];
  readonly anomalies: AnomaliesTable[];
  readonly payloads: SessionPayloadsTable[];
}

const MAX_ID_LENGTH = 64;

/** Reject records that would store garbage: these are our own bugs, not peer behaviour. */
export function checkSessionRecord(r: SessionRecord): void {
  const bad = (what: string): never => {
    throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `session record ${JSON.stringify(r?.id)}: ${what}`);
  };
  if (typeof r?.id !== 'string' || r.id === '' || r.id.length > MAX_ID_LENGTH) bad(`id must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  if (!Number.isFinite(r.startTs)) bad('startTs must be a finite number');
  if (!Number.isInteger(r.dport) || !Number.isInteger(r.sport)) bad('sport and dport must be integers');
  if (typeof r.src !== 'string' || typeof r.dst !== 'string') bad('src and dst must be strings');
  if (!Array.isArray(r.calls) || !Array.isArray(r.anomalies) || !Array.isArray(r.limitsHit)) bad('calls, anomalies and limitsHit must be arrays');
}

function anomalyRow(sessionId: string, seq: number, callSeq: number | null, a: Anomaly): AnomaliesTable {
  return { session_id: sessionId, seq, call_seq: callSeq, name: a.name, proto: a.proto, detail: a.detail ?? null, offset: a.offset ?? null, call_id: a.callId ?? null };
}

export function toRows(r: SessionRecord): SessionRows {
  const anomalies: AnomaliesTable[] = r.anomalies.map((a, i) => anomalyRow(r.id, i, null, a));
  const calls: CallsTable[] = r.calls.map((c, seq) => {
    for (const a of c.anomalies) anomalies.push(anomalyRow(r.id, anomalies.length, seq, a));
    const { anomalies: _omit, ...rest } = c;
    return { session_id: r.id, seq, ts: c.ts, iface_uuid: c.ifaceUuid ?? null, opnum: c.opnum, operation: c.operation ?? null, record: JSON.stringify(rest) };
  });
  const session: SessionsTable = {
    id: r.id,
    sensor: r.sensor,
    proto: r.proto,
    src: r.src,
    sport: r.sport,
    dst: r.dst,
    dport: r.dport,
    start_ts: r.startTs,
    end_ts: r.endTs ?? null,
    bytes_in: r.bytesIn,
    bytes_out: r.bytesOut,
    first_bytes_hex: r.firstBytesHex ?? null,
    service: r.service ?? null,
    close_reason: r.closeReason ?? null,
    limits_hit: JSON.stringify(r.limitsHit),
    payload_sha256: r.payloadSha256 === undefined ? null : JSON.stringify(r.payloadSha256),
    call_count: r.calls.length,
    anomaly_count: anomalies.length,
    transcript: r.transcript === undefined ? null : JSON.stringify(r.transcript),
  };
  const payloads = (r.payloadSha256 ?? []).map((sha256, seq) => ({ session_id: r.id, seq, sha256 }));
  return { session, calls, anomalies, payloads };
}

export function anomalyFromRow(a: AnomaliesTable): Anomaly {
  return {
    name: a.name,
    proto: a.proto,
    ...(a.detail !== null && { detail: a.detail }),
    ...(a.offset !== null && { offset: Number(a.offset) }),
    ...(a.call_id !== null && { callId: Number(a.call_id) }),
  };
}

/** The session without calls; `anomalies` are the session-level rows (call_seq null), in order. */
export function summaryFromRow(s: SessionsTable, sessionAnomalies: readonly AnomaliesTable[]): SessionSummary {
  return {
    id: s.id,
    sensor: s.sensor,
    proto: s.proto as Transport,
    src: s.src,
    sport: Number(s.sport),
    dst: s.dst,
    dport: Number(s.dport),
    startTs: Number(s.start_ts),
    ...(s.end_ts !== null && { endTs: Number(s.end_ts) }),
    bytesIn: Number(s.bytes_in),
    bytesOut: Number(s.bytes_out),
    ...(s.first_bytes_hex !== null && { firstBytesHex: s.first_bytes_hex }),
    ...(s.service !== null && { service: s.service }),
    ...(s.close_reason !== null && { closeReason: s.close_reason as CloseReason }),
    limitsHit: JSON.parse(s.limits_hit) as string[],
    anomalies: sessionAnomalies.map(anomalyFromRow),
    ...(s.payload_sha256 !== null && { payloadSha256: JSON.parse(s.payload_sha256) as string[] }),
    callCount: Number(s.call_count),
    anomalyCount: Number(s.anomaly_count),
  };
}

/** Reassemble the full record from its rows (anomalies ordered by seq). */
export function recordFromRows(s: SessionsTable, calls: readonly CallsTable[], anomalies: readonly AnomaliesTable[]): SessionRecord {
  const perCall = new Map<number, Anomaly[]>();
  const own: AnomaliesTable[] = [];
  for (const a of anomalies) {
    if (a.call_seq === null) {
      own.push(a);
      continue;
    }
    const seq = Number(a.call_seq);
    const list = perCall.get(seq) ?? [];
    list.push(anomalyFromRow(a));
    perCall.set(seq, list);
  }
  const { callCount: _c, anomalyCount: _a, ...summary } = summaryFromRow(s, own);
  const decoded: CallRecord[] = calls.map((c) => ({ ...(JSON.parse(c.record) as Omit<CallRecord, 'anomalies'>), anomalies: perCall.get(Number(c.seq)) ?? [] }));
  // Only the full record carries the transcript: session lists stay small.
  return { ...summary, calls: decoded, ...(s.transcript != null && { transcript: JSON.parse(s.transcript) as Transcript }) };
}
