// The Windows persona's DCE/RPC responder for 135 (and 593 after the ncacn_http banner): frames the
// stream into PDUs, answers binds and requests as RPCSS does, turns junk into the 24-byte bind_nak
// Windows sends, and records every call with its anomalies (C706 ch. 12, MS-RPCE 2.2 and 3.3).

import { randomInt } from 'node:crypto';
import type { Anomaly } from '../../model/anomaly.js';
import type { CallRecord } from '../../model/call.js';
import {
  dcerpcAnomaly, decodeHeader, decodePdu, encodeBindAck, encodeBindNak, encodeFault, fragmentResponse,
  PFC, COMMON_HEADER_LEN, type BindPdu, type RequestPdu,
} from '../../protocols/dcerpc/index.js';
import { decodeRequestStub } from '../../protocols/dcerpc/interfaces/index.js';
import { decideContext } from '../persona/bind-policy.js';
import { dispatch } from '../persona/rpc-dispatch.js';
import type { ServedInterface } from '../persona/persona-interfaces.js';
import type { Responder, ResponderContext } from './responder-types.js';

/** bind_nak reason 4, protocol_version_not_supported (C706 12.6.3.3 / MS-RPCE 2.2.2.5). */
const REASON_VERSION_NOT_SUPPORTED = 4;
const WINDOWS_MAX_FRAG = 5840;
const RESPONSE_HEADER_LEN = 24;

/**
 * The bind_nak Windows sends to anything that is not DCE/RPC 5.x: 16-byte header, reason 4, one
 * version 5.0, padded to 24 bytes, the peer's bytes 12-15 echoed as call_id. nmap's msrpc match
 * (nmap-service-probes) is exactly this shape; the codec's encoder leaves out the 3 pad bytes.
 */
export function windowsBindNak(callId: number): Uint8Array {
  const nak = encodeBindNak({ callId, rejectReason: REASON_VERSION_NOT_SUPPORTED, versions: [{ major: 5, minor: 0 }] });
  const out = new Uint8Array(24);
  out.set(nak);
  new DataView(out.buffer).setUint16(8, 24, true);
  return out;
}

interface Reassembly {
  readonly first: RequestPdu;
  readonly ts: number;
  readonly parts: Uint8Array[];
  len: number;
  frags: number;
  readonly anomalies: Anomaly[];
}

export class RpcResponder implements Responder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly contexts = new Map<number, ServedInterface>();
  private readonly reassembly = new Map<number, Reassembly>();
  private readonly assocGroupId = randomInt(0x1000, 0x10000);
  private maxXmit = WINDOWS_MAX_FRAG;
  private binds = 0;
  private dead = false;

  constructor(private readonly ctx: ResponderContext, private readonly httpBanner: boolean) {}

  start(): void {
    // RPC over HTTP v1 (ncacn_http on 593) greets before any PDU, as rpcproxy and RPCSS do.
    if (this.httpBanner) this.ctx.send(Buffer.from('ncacn_http/1.0', 'latin1'));
  }

  data(chunk: Buffer): void {
    if (this.dead) return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (!this.dead && this.pending.length >= COMMON_HEADER_LEN) {
      const frag = this.frameLength();
      if (frag === undefined || this.pending.length < frag) break;
      const pdu = this.pending.subarray(0, frag);
      this.pending = this.pending.subarray(frag);
      this.onPdu(pdu);
    }
    // Copy out the tail so a small leftover never pins a large chunk.
    if (this.pending.length > 0 && this.pending.byteOffset !== 0) this.pending = Buffer.from(this.pending);
  }

  /** frag_length of the PDU at the head of the buffer, or undefined after rejecting junk. */
  private frameLength(): number | undefined {
    const h = decodeHeader(this.pending);
    if (!h) return undefined;
    const limit = this.ctx.dcerpc.maxFragLength;
    if (h.rpcVers !== 5 || h.rpcVersMinor > 1) {
      this.anomaly(dcerpcAnomaly('bad_version', `rpc_vers ${h.rpcVers}.${h.rpcVersMinor}`, { offset: 0 }));
      this.reject(this.pending.readUInt32LE(12));
      return undefined;
    }
    if (h.fragLength < COMMON_HEADER_LEN || h.fragLength > limit) {
      const name = h.fragLength < COMMON_HEADER_LEN ? 'frag_length_too_small' : 'frag_length_exceeds_limit';
      this.anomaly(dcerpcAnomaly(name, `frag_length ${h.fragLength}`, { callId: h.callId }));
      this.reject(h.callId);
      return undefined;
    }
    return h.fragLength;
  }

  /** Not DCE/RPC (or unframeable): Windows answers one bind_nak and closes. */
  private reject(callId: number): void {
    this.dead = true;
    this.pending = Buffer.alloc(0);
    this.ctx.record.service = this.ctx.record.service === 'dcerpc' ? 'dcerpc' : this.ctx.record.service;
    this.ctx.send(windowsBindNak(callId));
    this.ctx.end();
  }

  private anomaly(a: Anomaly): void {
    this.ctx.record.anomaly(a);
    const f = this.ctx.record.flow;
    this.ctx.emit({ type: 'anomaly', ts: this.ctx.now(), source: 'sensor', src: f.src, dst: f.dst, proto: 'tcp', sport: f.sport, dport: this.ctx.basePort, session: this.ctx.record.id, anomaly: a });
  }

  private onPdu(bytes: Uint8Array): void {
    const res = decodePdu(bytes, { maxFragLength: this.ctx.dcerpc.maxFragLength });
    if (!res.ok) {
      this.anomaly(res.anomaly);
      return;
    }
    for (const a of res.anomalies) this.anomaly(a);
    const pdu = res.pdu;
    if (pdu.type === 'bind' || pdu.type === 'alter_context') this.onBind(pdu);
    else if (pdu.type === 'request') this.onRequest(pdu);
    // auth3, shutdown, orphaned, co_cancel: nothing to answer; responses from a client are odd.
    else if (pdu.type === 'response' || pdu.type === 'fault') this.anomaly(dcerpcAnomaly('response_without_request', pdu.type, { callId: pdu.header.callId }));
  }

  private onBind(pdu: BindPdu): void {
    if (pdu.type === 'bind' && this.binds++ > 0) this.anomaly(dcerpcAnomaly('second_bind', undefined, { callId: pdu.header.callId }));
    if (!(pdu.header.flags & PFC.FIRST_FRAG)) this.anomaly(dcerpcAnomaly('bind_without_first_frag', undefined, { callId: pdu.header.callId }));
    const results = pdu.contexts.map((c) => {
      const d = decideContext(c);
      if (d.accepted && this.contexts.size < this.ctx.dcerpc.maxContexts) this.contexts.set(c.ctxId, d.accepted);
      return d.result;
    });
    if (pdu.contexts.length > this.ctx.dcerpc.maxContexts) this.anomaly(dcerpcAnomaly('too_many_contexts', `${pdu.contexts.length}`));
    // Windows answers with the smaller of its 5840 and what the client offered.
    const frag = Math.max(COMMON_HEADER_LEN + 64, Math.min(WINDOWS_MAX_FRAG, pdu.maxRecvFrag || WINDOWS_MAX_FRAG));
    this.maxXmit = frag;
    this.ctx.send(encodeBindAck({
      type: pdu.type === 'bind' ? 'bind_ack' : 'alter_context_resp',
      callId: pdu.header.callId,
      maxXmitFrag: frag,
      maxRecvFrag: frag,
      assocGroupId: pdu.assocGroupId || this.assocGroupId,
      // alter_context_resp carries an empty port_spec, bind_ack the endpoint Windows listens on.
      secondaryAddress: pdu.type === 'bind' ? String(this.ctx.basePort) : '',
      results,
    }));
  }

  private onRequest(pdu: RequestPdu): void {
    const callId = pdu.header.callId;
    const first = (pdu.header.flags & PFC.FIRST_FRAG) !== 0;
    const last = (pdu.header.flags & PFC.LAST_FRAG) !== 0;
    let r = this.reassembly.get(callId);
    if (first) {
      if (r) this.anomaly(dcerpcAnomaly('multiple_first_fragments', undefined, { callId }));
      if (!r && this.reassembly.size >= this.ctx.dcerpc.maxConcurrentReassemblies) {
        this.anomaly(dcerpcAnomaly('too_many_open_calls', `${this.reassembly.size} reassemblies`, { callId }));
        return;
      }
      r = { first: pdu, ts: this.ctx.now(), parts: [], len: 0, frags: 0, anomalies: [] };
      this.reassembly.set(callId, r);
    } else if (!r) {
      this.anomaly(dcerpcAnomaly('fragment_without_first', undefined, { callId }));
      return;
    }
    this.addFragment(r, pdu);
    if (!last) return;
    this.reassembly.delete(callId);
    this.complete(r);
  }

  private addFragment(r: Reassembly, pdu: RequestPdu): void {
    const lim = this.ctx.dcerpc;
    r.frags++;
    if (pdu.opnum !== r.first.opnum) r.anomalies.push(dcerpcAnomaly('opnum_changed_between_fragments', `${r.first.opnum} -> ${pdu.opnum}`, { callId: pdu.header.callId }));
    if (pdu.ctxId !== r.first.ctxId) r.anomalies.push(dcerpcAnomaly('context_changed_between_fragments', `${r.first.ctxId} -> ${pdu.ctxId}`, { callId: pdu.header.callId }));
    const room = lim.maxStubBytesPerCall - r.len;
    if (r.frags > lim.maxFragmentsPerCall || pdu.stub.length > room) {
      if (!r.anomalies.some((a) => a.name === 'too_much_fragment_data')) {
        r.anomalies.push(dcerpcAnomaly('too_much_fragment_data', `over ${lim.maxStubBytesPerCall} bytes or ${lim.maxFragmentsPerCall} fragments`, { callId: pdu.header.callId }));
      }
      if (room <= 0 || r.frags > lim.maxFragmentsPerCall) return;
    }
    const part = pdu.stub.subarray(0, Math.max(0, room));
    r.parts.push(part);
    r.len += part.length;
  }

  private complete(r: Reassembly): void {
    const req = r.first;
    const stub = r.parts.length === 1 ? r.parts[0] : Buffer.concat(r.parts, r.len);
    const iface = this.contexts.get(req.ctxId);
    let respFrags = 0;
    let respStubLen = 0;
    let faultStatus: number | undefined;
    const callId = req.header.callId;
    if (!iface) {
      r.anomalies.push(dcerpcAnomaly('request_on_unknown_context', `ctx_id ${req.ctxId}`, { callId }));
      faultStatus = 0x1c010003;
      this.ctx.send(encodeFault({ callId, ctxId: req.ctxId, status: faultStatus, flags: PFC.FIRST_FRAG | PFC.LAST_FRAG | PFC.DID_NOT_EXECUTE }));
      respFrags = 1;
    } else {
      const out = this.answer(iface, req, stub);
      respFrags = out.frags;
      respStubLen = out.stubLen;
      faultStatus = out.fault;
    }
    this.recordCall(r, stub, iface, { respFrags, respStubLen, faultStatus });
  }

  private answer(iface: ServedInterface, req: RequestPdu, stub: Uint8Array): { frags: number; stubLen: number; fault?: number } {
    const callId = req.header.callId;
    let result;
    try {
      result = dispatch({ iface, opnum: req.opnum, stub, littleEndian: req.header.littleEndian, localAddress: this.ctx.record.flow.dst }, this.ctx.persona);
    } catch {
      // A stub too short for its own arguments: Windows faults with nca_s_fault_ndr.
      result = { kind: 'fault' as const, status: 0x000006f7, didNotExecute: false };
    }
    if (result.kind === 'fault') {
      const flags = PFC.FIRST_FRAG | PFC.LAST_FRAG | (result.didNotExecute ? PFC.DID_NOT_EXECUTE : 0);
      this.ctx.send(encodeFault({ callId, ctxId: req.ctxId, status: result.status, flags }));
      return { frags: 1, stubLen: 0, fault: result.status };
    }
    const frags = fragmentResponse({ callId, ctxId: req.ctxId, stub: result.stub, maxFragStub: this.maxXmit - RESPONSE_HEADER_LEN });
    for (const f of frags) this.ctx.send(f);
    return { frags: frags.length, stubLen: result.stub.length };
  }

  private recordCall(r: Reassembly, stub: Uint8Array, iface: ServedInterface | undefined, resp: { respFrags: number; respStubLen: number; faultStatus?: number }): void {
    const req = r.first;
    const call: CallRecord = {
      ts: r.ts,
      callId: req.header.callId,
      ctxId: req.ctxId,
      ...(iface ? { ifaceUuid: iface.uuid, ifaceVersion: `${iface.major}.${iface.minor}`, endpoint: iface.name } : {}),
      opnum: req.opnum,
      ...(iface?.ops[req.opnum] ? { operation: iface.ops[req.opnum] } : {}),
      ...(req.objectUuid ? { objectUuid: req.objectUuid } : {}),
      reqFrags: r.frags,
      respFrags: resp.respFrags,
      reqStubLen: stub.length,
      respStubLen: resp.respStubLen,
      rttMs: this.ctx.now() - r.ts,
      ...(resp.faultStatus !== undefined ? { faultStatus: resp.faultStatus } : {}),
      ...(req.auth ? { authType: req.auth.authType, authLevel: req.auth.authLevel } : {}),
      ...this.decodeArgs(iface, req, stub, r.anomalies),
      anomalies: r.anomalies,
    };
    this.ctx.record.call(call);
    const f = this.ctx.record.flow;
    this.ctx.emit({ type: 'call', ts: r.ts, source: 'sensor', src: f.src, dst: f.dst, proto: 'tcp', sport: f.sport, dport: this.ctx.basePort, session: this.ctx.record.id, call });
  }

  /** Decoded arguments (DCOM activation: the names a Blaster-style overflow abuses) and the
   * decoder's anomalies, which join the call's own. The codec never throws on peer bytes. */
  private decodeArgs(iface: ServedInterface | undefined, req: RequestPdu, stub: Uint8Array, anomalies: Anomaly[]): Pick<CallRecord, 'activation'> {
    if (!iface) return {};
    const d = decodeRequestStub({ ifaceUuid: iface.uuid, opnum: req.opnum, stub, littleEndian: req.header.littleEndian });
    if (!d) return {};
    for (const a of d.anomalies) anomalies.push({ ...a, callId: req.header.callId });
    return d.activation ? { activation: d.activation } : {};
  }

  finish(): void {
    // Requests cut off mid-reassembly (a peer that vanished, a truncated exploit) are still calls.
    for (const r of this.reassembly.values()) {
      r.anomalies.push(dcerpcAnomaly('truncated_pdu', 'connection closed before the last fragment', { callId: r.first.header.callId }));
      const stub = r.parts.length === 1 ? r.parts[0] : Buffer.concat(r.parts, r.len);
      this.recordCall(r, stub, this.contexts.get(r.first.ctxId), { respFrags: 0, respStubLen: 0 });
    }
    this.reassembly.clear();
  }
}

export function rpcResponder(ctx: ResponderContext): Responder {
  return new RpcResponder(ctx, false);
}

export function rpcOverHttpResponder(ctx: ResponderContext): Responder {
  return new RpcResponder(ctx, true);
}
