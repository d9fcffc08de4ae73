// The JSON shape of one DCE/RPC PDU seen in a capture (`vigil pcap --json`): header fields as
// tshark's dcerpc.* fields name them, plus each type's body (C706 12.6.4, MS-RPCE 2.2.2).

import { rfc3339Micro } from '../../core/clock.js';
import type { PduEvent } from '../../ingest/capture/pcap-types.js';
import { PFC, type Pdu, type SyntaxId } from '../../protocols/dcerpc/pdu-types.js';
import { ptypeName } from '../../protocols/dcerpc/pdu-decode.js';

const FLAG_NAMES: readonly [number, string][] = [
  [PFC.FIRST_FRAG, 'first_frag'],
  [PFC.LAST_FRAG, 'last_frag'],
  [PFC.PENDING_CANCEL, 'pending_cancel'],
  [PFC.RESERVED_1, 'reserved_1'],
  [PFC.CONC_MPX, 'conc_mpx'],
  [PFC.DID_NOT_EXECUTE, 'did_not_execute'],
  [PFC.MAYBE, 'maybe'],
  [PFC.OBJECT_UUID, 'object_uuid'],
];

export const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const syntax = (s: SyntaxId): { uuid: string; version: string } => ({ uuid: s.uuid, version: `${s.versionMajor}.${s.versionMinor}` });

export function flagNames(flags: number): string[] {
  return FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

export function pduRecord(e: PduEvent): Record<string, unknown> {
  const h = e.header;
  return {
    ts: rfc3339Micro(e.tsMs),
    frame: e.frame,
    flow: e.flow,
    direction: e.direction,
    ptype: ptypeName(h.ptype),
    call_id: h.callId,
    flags: h.flags,
    flag_names: flagNames(h.flags),
    frag_len: h.fragLength,
    auth_len: h.authLength,
    drep: h.drep.map((b) => b.toString(16).padStart(2, '0')).join(''),
    ...(e.pdu ? bodyFields(e.pdu) : { decoded: false }),
    ...(e.pdu?.auth ? { auth_type: e.pdu.auth.authType, auth_level: e.pdu.auth.authLevel } : {}),
    anomalies: e.anomalies.map((a) => a.name),
  };
}

function bodyFields(p: Pdu): Record<string, unknown> {
  switch (p.type) {
    case 'request':
      return { alloc_hint: p.allocHint, ctx_id: p.ctxId, opnum: p.opnum, ...(p.objectUuid ? { object_uuid: p.objectUuid } : {}), stub_len: p.stub.length };
    case 'response':
      return { alloc_hint: p.allocHint, ctx_id: p.ctxId, cancel_count: p.cancelCount, stub_len: p.stub.length };
    case 'fault':
      return { alloc_hint: p.allocHint, ctx_id: p.ctxId, cancel_count: p.cancelCount, status: hex32(p.status) };
    case 'bind':
    case 'alter_context':
      return {
        max_xmit_frag: p.maxXmitFrag,
        max_recv_frag: p.maxRecvFrag,
        assoc_group: hex32(p.assocGroupId),
        contexts: p.contexts.map((c) => ({ ctx_id: c.ctxId, interface: syntax(c.abstractSyntax), transfer_syntaxes: c.transferSyntaxes.map(syntax) })),
      };
    case 'bind_ack':
    case 'alter_context_resp':
      return {
        max_xmit_frag: p.maxXmitFrag,
        max_recv_frag: p.maxRecvFrag,
        assoc_group: hex32(p.assocGroupId),
        sec_addr: p.secondaryAddress,
        results: p.results.map((r) => ({ result: r.result, reason: r.reason, transfer_syntax: syntax(r.transferSyntax) })),
      };
    case 'bind_nak':
      return { reject_reason: p.rejectReason, versions: p.versions.map((v) => `${v.major}.${v.minor}`), ...(p.signature ? { signature: p.signature } : {}) };
    case 'rts':
      return { rts_flags: p.rtsFlags, commands: p.numberOfCommands };
    default:
      return {};
  }
}
