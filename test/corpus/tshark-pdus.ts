// The per-PDU view both sides of the corpus agreement test produce: tshark's dissection (its JSON
// output, one dcerpc layer per PDU) and ours (PduEvent from the capture driver), as comparable keys.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PduEvent } from '../../src/ingest/capture/pcap-types.js';

const run = promisify(execFile);

/** (frame that completed it, ptype, call_id, frag_len, opnum of requests, context ids, bound interface UUIDs) of one PDU. */
export function pduKey(frame: number, ptype: number, callId: number, fragLen: number, opnum: number | undefined, ctxIds: readonly number[], uuids: readonly string[]): string {
  return `frame=${frame} ptype=${ptype} call_id=${callId} frag_len=${fragLen} opnum=${opnum ?? '-'} ctx=[${ctxIds.join(',')}] ifaces=[${uuids.join(',')}]`;
}

export function ourKey(e: PduEvent): string {
  const h = e.header;
  const p = e.pdu;
  const key = (opnum: number | undefined, ctxIds: readonly number[], uuids: readonly string[]): string => pduKey(e.frame, h.ptype, h.callId, h.fragLength, opnum, ctxIds, uuids);
  if (p === undefined) return key(undefined, [], []);
  switch (p.type) {
    case 'request':
      return key(p.opnum, [p.ctxId], []);
    case 'response':
    case 'fault':
      return key(undefined, [p.ctxId], []);
    case 'bind':
    case 'alter_context':
      return key(undefined, p.contexts.map((c) => c.ctxId), p.contexts.map((c) => c.abstractSyntax.uuid));
    default:
      return key(undefined, [], []);
  }
}

type Layer = Record<string, unknown>;
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const num = (v: unknown): number => Number(v);

function tsharkKey(frame: number, d: Layer): string {
  const ptype = num(d['dcerpc.pkt_type']);
  const items = list(d['dcerpc.cn_ctx_item'] as Layer | Layer[] | undefined);
  const isBind = ptype === 11 || ptype === 14;
  const ctxIds = isBind ? items.map((i) => num(i['dcerpc.cn_ctx_id'])) : list(d['dcerpc.cn_ctx_id'] as string | undefined).map(num);
  const uuids = isBind ? items.map((i) => String((i['dcerpc.cn_bind_abstract_syntax'] as Layer | undefined)?.['dcerpc.cn_bind_to_uuid'])) : [];
  // tshark repeats the request's opnum on the response as a generated field; compare requests only.
  const opnum = ptype === 0 ? num(d['dcerpc.opnum']) : undefined;
  const withCtx = ptype === 0 || ptype === 2 || ptype === 3 || isBind;
  return pduKey(frame, ptype, num(d['dcerpc.cn_call_id']), num(d['dcerpc.cn_frag_len']), opnum, withCtx ? ctxIds : [], uuids);
}

/** tshark's DCE/RPC PDUs carried in SMB named pipes (ncacn_np). */
export const TSHARK_SMB_FILTER = 'dcerpc && (smb || smb2)';

/**
 * tshark's DCE/RPC-over-TCP PDUs of `file`. `ports` are decoded as DCE/RPC (`-d tcp.port==N,dcerpc`):
 * tshark finds dynamic endpoints only through an endpoint-mapper reply it saw, and a registered port
 * (1032 is C12.22 for it) wins over its heuristic, while we find DCE/RPC by content on any port.
 */
export async function tsharkPdus(file: string, ports: readonly number[], filter = 'dcerpc && tcp && !smb && !smb2'): Promise<string[]> {
  const decodeAs = ports.flatMap((p) => ['-d', `tcp.port==${p},dcerpc`]);
  const args = ['-r', file, ...decodeAs, '-Y', filter, '-T', 'json', '--no-duplicate-keys', '-J', 'frame dcerpc'];
  const { stdout } = await run('tshark', args, { maxBuffer: 256 * 1024 * 1024 });
  const frames = JSON.parse(stdout) as { _source: { layers: { frame: Layer; dcerpc?: Layer | Layer[] } } }[];
  return frames.flatMap((f) => list(f._source.layers.dcerpc).map((d) => tsharkKey(num(f._source.layers.frame['frame.number']), d)));
}

/** Multiset difference, both ways, as sorted "count x key" lines (empty when equal). */
export function multisetDiff(ours: readonly string[], theirs: readonly string[]): { onlyOurs: string[]; onlyTshark: string[] } {
  const count = (xs: readonly string[]): Map<string, number> => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const a = count(ours);
  const b = count(theirs);
  const minus = (x: Map<string, number>, y: Map<string, number>): string[] =>
    [...x].filter(([k, n]) => n > (y.get(k) ?? 0)).map(([k, n]) => `${n - (y.get(k) ?? 0)} x ${k}`).sort();
  return { onlyOurs: minus(a, b), onlyTshark: minus(b, a) };
}
