// Suricata EVE JSON reader (event_type flow, alert, dcerpc) to Vigil events. Field names per the
// Suricata user guide "Eve JSON Format" (src_ip, dest_ip, flow.*, tcp.*, alert.*, dcerpc.*).

import type { CallRecord } from '../model/call.js';
import type { VigilEvent } from '../model/event.js';
import type { LineResult } from './ingest-types.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** EVE timestamps look like 2009-11-24T21:27:09.534255+0100: microseconds and a colon-less offset. */
export function parseEveTimestamp(s: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(s);
  if (!m) return NaN;
  const zone = m[3] === undefined || m[3] === 'Z' ? 'Z' : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`;
  const base = Date.parse(`${m[1]}${zone}`);
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return base + frac;
}

/**
 * A flow failed (TRW "failure") when the responder never answered (no packets to the client) or
 * answered only with a reset to a SYN (tcp.syn and tcp.rst seen, nothing beyond one packet back);
 * it succeeded when the responder sent data or the TCP state machine got past the handshake.
 */
export function eveFlowOutcome(flow: Obj | undefined, tcp: Obj | undefined): 'success' | 'failure' | 'unknown' {
  const toClient = num(flow?.['pkts_toclient']);
  if (toClient === 0) return 'failure';
  if (tcp && tcp['syn'] === true && tcp['rst'] === true && (toClient ?? 0) <= 1) return 'failure';
  const state = tcp?.['state'];
  if (state === 'syn_sent' || state === 'none') return 'failure';
  if ((num(flow?.['bytes_toclient']) ?? 0) > 0 && toClient !== undefined) return 'success';
  return 'unknown';
}

export function parseEveLine(line: string): LineResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  const o = obj(parsed);
  if (!o) return { error: 'not a JSON object' };
  const type = o['event_type'];
  if (type !== 'flow' && type !== 'alert' && type !== 'dcerpc') return undefined;
  const ts = typeof o['timestamp'] === 'string' ? parseEveTimestamp(o['timestamp']) : NaN;
  if (!Number.isFinite(ts)) return { error: `bad timestamp ${JSON.stringify(o['timestamp'])}` };
  const src = o['src_ip'];
  const dst = o['dest_ip'];
  const dport = num(o['dest_port']);
  if (typeof src !== 'string' || typeof dst !== 'string') return { error: 'lacks src_ip or dest_ip' };
  const proto = String(o['proto'] ?? '').toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp') return undefined;
  if (dport === undefined) return { error: 'lacks dest_port' };
  const sport = num(o['src_port']);
  const flowId = o['flow_id'];
  const base = {
    ts, source: 'suricata' as const, src, dst, proto: proto as 'tcp' | 'udp', dport,
    ...(sport !== undefined ? { sport } : {}),
    ...(flowId !== undefined ? { session: String(flowId) } : {}),
  };
  if (type === 'flow') return flowEvent(base, o);
  if (type === 'alert') return alertEvent(base, obj(o['alert']));
  return dcerpcEvent(base, ts, obj(o['dcerpc']));
}

type Base = Omit<VigilEvent & { type: 'conn' }, 'type' | 'outcome'>;

function flowEvent(base: Base, o: Obj): VigilEvent {
  const flow = obj(o['flow']);
  return {
    ...base, type: 'conn', outcome: eveFlowOutcome(flow, obj(o['tcp'])),
    bytesIn: num(flow?.['bytes_toserver']) ?? 0, bytesOut: num(flow?.['bytes_toclient']) ?? 0,
  };
}

function alertEvent(base: Base, alert: Obj | undefined): LineResult {
  if (!alert || typeof alert['signature'] !== 'string') return { error: 'alert record lacks alert.signature' };
  const sid = num(alert['signature_id']);
  const sev = num(alert['severity']);
  return { ...base, type: 'external_alert', signature: alert['signature'], ...(sid !== undefined ? { signatureId: sid } : {}), ...(sev !== undefined ? { severity: sev } : {}) };
}

/** EVE dcerpc (request REQUEST, `req`/`res` objects) has no decoded stub: opnum, sizes and ids only. */
function dcerpcEvent(base: Base, ts: number, d: Obj | undefined): LineResult {
  if (!d) return { error: 'dcerpc record lacks the dcerpc object' };
  if (d['request'] !== 'REQUEST') return undefined; // BIND/ALTER_CONTEXT records carry no call
  const req = obj(d['req']);
  const res = obj(d['res']);
  const call: CallRecord = {
    ts, callId: num(d['call_id']) ?? 0, ctxId: num(req?.['ctxid']) ?? 0, opnum: num(req?.['opnum']) ?? 0,
    reqFrags: num(req?.['frag_cnt']) ?? 1, respFrags: num(res?.['frag_cnt']) ?? 0,
    reqStubLen: num(req?.['stub_data_size']) ?? 0, respStubLen: num(res?.['stub_data_size']) ?? 0,
    anomalies: [],
  };
  return { ...base, type: 'call', call };
}
