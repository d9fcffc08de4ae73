// Readers for the peers' expected outputs shipped with the corpus (Zeek dce_rpc.log baselines,
// suricata-verify test.yaml filters) and our records in the shape those peers log, for comparison.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CallRecord } from '../../src/model/call.js';
import type { FlowJson, PduEvent } from '../../src/ingest/capture/pcap-types.js';

export interface ZeekRow {
  readonly orig_h: string;
  readonly orig_p: number;
  readonly resp_h: string;
  readonly resp_p: number;
  /** Seconds, as logged (microsecond precision). */
  readonly rtt: string;
  readonly named_pipe: string;
  readonly endpoint: string;
  readonly operation: string;
}

/** Rows of a Zeek TSV log (btest baseline: timestamps and uids masked, columns from #fields). */
export function readZeekLog(path: string): ZeekRow[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const fields = (lines.find((l) => l.startsWith('#fields')) ?? '').split('\t').slice(1);
  return lines
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => Object.fromEntries(l.split('\t').map((v, i) => [fields[i].replace('id.', ''), v])))
    .map((r) => ({ ...r, orig_p: Number(r.orig_p), resp_p: Number(r.resp_p) }) as unknown as ZeekRow);
}

/** A suricata-verify filter on EVE `dcerpc` events: how many events must match these dotted paths. */
export interface EveFilter {
  readonly count: number;
  readonly match: Readonly<Record<string, unknown>>;
}

export function readDcerpcFilters(path: string): EveFilter[] {
  const doc = parse(readFileSync(path, 'utf8')) as { checks?: { filter?: EveFilter }[] };
  return (doc.checks ?? []).map((c) => c.filter).filter((f): f is EveFilter => f !== undefined && f.match.event_type === 'dcerpc');
}

export type EveEvent = Record<string, unknown>;

const REQUEST_NAMES: Readonly<Record<string, string>> = { bind: 'BIND', alter_context: 'ALTER_CONTEXT' };
const ACK_NAMES: Readonly<Record<string, string>> = { bind_ack: 'BINDACK', alter_context_resp: 'ALTER_CONTEXT_RESP', bind_nak: 'BIND_NAK' };

/**
 * Our PDUs and calls as Suricata logs them (one EVE `dcerpc` event per bind/alter_context exchange
 * and per call). An acknowledgement whose request the capture lost is REQUEST_LOST, as in Suricata.
 */
export function eveEvents(pdus: readonly PduEvent[], calls: readonly { call: CallRecord; flow: FlowJson }[]): EveEvent[] {
  const out: EveEvent[] = [];
  const openBinds = new Map<string, PduEvent>();
  const flowKey = (f: FlowJson, callId: number): string => `${f.src}:${f.sport}>${f.dst}:${f.dport}#${callId}`;
  for (const e of pdus) {
    const p = e.pdu;
    if (p === undefined) continue;
    const key = flowKey(e.flow, e.header.callId);
    if (p.type === 'bind' || p.type === 'alter_context') openBinds.set(key, e);
    if (!(p.type in ACK_NAMES)) continue;
    const req = openBinds.get(key);
    openBinds.delete(key);
    const offered = req?.pdu?.type === 'bind' || req?.pdu?.type === 'alter_context' ? req.pdu.contexts : [];
    const results = p.type === 'bind_ack' || p.type === 'alter_context_resp' ? p.results : [];
    out.push(flowFields(e.flow, {
      request: req ? REQUEST_NAMES[req.pdu!.type] : 'REQUEST_LOST',
      response: ACK_NAMES[p.type],
      call_id: e.header.callId,
      rpc_version: '5.0',
      interfaces: offered.map((c, i) => ({ uuid: c.abstractSyntax.uuid, version: `${c.abstractSyntax.versionMajor}.${c.abstractSyntax.versionMinor}`, ack_result: results[i]?.result })),
    }));
  }
  for (const { call: c, flow } of calls) {
    out.push(flowFields(flow, {
      request: 'REQUEST',
      response: c.faultStatus !== undefined ? 'FAULT' : c.respFrags > 0 ? 'RESPONSE' : 'UNREPLIED',
      call_id: c.callId,
      rpc_version: '5.0',
      interfaces: c.ifaceUuid ? [{ uuid: c.ifaceUuid, version: c.ifaceVersion, service: c.endpoint, procedure: c.operation }] : [],
      req: { opnum: c.opnum, frag_cnt: c.reqFrags, stub_data_size: c.reqStubLen, object_uuid: c.objectUuid },
      res: { frag_cnt: c.respFrags, stub_data_size: c.respStubLen },
    }));
  }
  return out;
}

function flowFields(f: FlowJson, dcerpc: Record<string, unknown>): EveEvent {
  return { event_type: 'dcerpc', proto: 'TCP', src_ip: f.src, src_port: f.sport, dest_ip: f.dst, dest_port: f.dport, dcerpc };
}

/** Value at a suricata-verify dotted path such as `dcerpc.interfaces[0].uuid`. */
export function at(event: unknown, path: string): unknown {
  let v: unknown = event;
  for (const part of path.split('.')) {
    const m = /^([^[]+)(?:\[(\d+)\])?$/.exec(part);
    if (!m || v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[m[1]];
    if (m[2] !== undefined) v = Array.isArray(v) ? v[Number(m[2])] : undefined;
  }
  return v;
}
