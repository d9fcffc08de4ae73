// Per-call fragment reassembly of connection-oriented DCE/RPC (C706 12.6.3.7, MS-RPCE 3.3.1.5.7):
// stubs of each fragment (header and auth trailer already stripped by the decoder) joined per call.

import type { Anomaly } from '../../model/anomaly.js';
import type { Direction } from '../../model/flow.js';
import { dcerpcAnomaly, type DcerpcAnomalyName } from './anomalies.js';
import type { DcerpcLimits } from './dcerpc-limits.js';
import { OpenCalls } from './open-calls.js';
import { PFC, type FaultPdu, type RequestPdu, type ResponsePdu, type SyntaxId } from './pdu-types.js';

/** What the connection knew of the call's context when its first fragment arrived (a later
 * alter_context may redefine the id), and anomalies it found on that fragment (not yet reported:
 * the call table reports them with the call they land on). */
export interface RequestContext {
  readonly iface?: SyntaxId;
  readonly transferSyntax?: SyntaxId;
  readonly anomalies: readonly Anomaly[];
}

/** One call: its request side (reassembled stub kept when someone needs it) and its response side
 * (only counted: nothing downstream decodes responses yet, so nothing is buffered for them). */
export interface CallState {
  readonly key: number;
  readonly dir: Direction;
  readonly callId: number;
  readonly ts: number;
  iface: SyntaxId | undefined;
  transferSyntax: SyntaxId | undefined;
  ctxId: number;
  opnum: number;
  objectUuid: string | undefined;
  allocHint: number;
  littleEndian: boolean;
  authType: number | undefined;
  authLevel: number | undefined;
  authContextId: number | undefined;
  reqFrags: number;
  reqStubLen: number;
  parts: Uint8Array[];
  keptLen: number;
  reqDone: boolean;
  reassembling: boolean;
  truncated: boolean;
  respFrags: number;
  respStubLen: number;
  faultStatus: number | undefined;
  lastTs: number;
  /** Replaced, not only appended to (see addCallAnomaly): read it afresh. */
  anomalies: Anomaly[];
  /** Anomalies past maxAnomaliesPerCall: counted, not kept (callAnomalies adds one summary). */
  anomaliesDropped: number;
}

/** The anomalies of a call that has none: shared and never written (most calls have none). A
 * call record gets a list of its own (callAnomalies). */
const NO_CALL_ANOMALIES: readonly Anomaly[] = [];

/** A call's anomalies as a list the caller may keep (a call record's): the kept ones, then one
 * too_many_anomalies with the count of those past the limit. */
export function callAnomalies(call: CallState, limits: DcerpcLimits): Anomaly[] {
  const list = call.anomalies === NO_CALL_ANOMALIES ? [] : call.anomalies;
  if (call.anomaliesDropped > 0) {
    list.push(dcerpcAnomaly('too_many_anomalies', `${call.anomaliesDropped} more anomal${call.anomaliesDropped === 1 ? 'y' : 'ies'} on call ${call.callId} counted, not kept (maxAnomaliesPerCall ${limits.maxAnomaliesPerCall})`, { callId: call.callId }));
    call.anomaliesDropped = 0;
  }
  return list;
}

/** Append to a call's anomalies up to maxAnomaliesPerCall (past it they are only counted); the first
 * one makes a one-element list (pushing onto the empty list would reserve 17 slots, and a call with
 * an anomaly usually has just one). Returns whether it was kept: one not kept is not reported
 * either, so a peer cannot turn one call into a million anomaly events. */
export function addCallAnomaly(call: CallState, a: Anomaly, limits: DcerpcLimits): boolean {
  if (call.anomalies.length >= limits.maxAnomaliesPerCall) {
    call.anomaliesDropped++;
    return false;
  }
  if (call.anomalies.length === 0) call.anomalies = [a];
  else call.anomalies.push(a);
  return true;
}

/** (direction of the request, call_id) as one number: call_id is a u32, so 2 * call_id + 1 is an
 * exact double, and a number key spares a string per PDU (the calls map is hit by every fragment). */
export const callKey = (dir: Direction, callId: number): number => callId * 2 + (dir === 'to_server' ? 0 : 1);
/** `parts` of a call holding no stub bytes: shared and never written (append gives the call its
 * own list), since most calls never keep a part or keep exactly one. */
const NO_PARTS: readonly Uint8Array[] = [];
const other = (dir: Direction): Direction => (dir === 'to_server' ? 'to_client' : 'to_server');

export interface ReassemblyEvents {
  /** Raised for every anomaly; `call` is set when the anomaly is kept on that call. */
  anomaly(a: Anomaly, call?: CallState): void;
  /** A call left the table: response, fault, orphaned, evicted or connection closed. */
  finished(call: CallState): void;
}

/** Calls of one connection keyed by (direction of the request, call_id), bounded by the limits. */
export class CallTable {
  private readonly calls = new OpenCalls<CallState>();
  private reassembling = 0;
  /** Request stub bytes held across all calls of the connection. */
  private keptTotal = 0;

  constructor(
    private readonly limits: DcerpcLimits,
    private readonly keepStubs: boolean,
    private readonly ev: ReassemblyEvents,
    /** The kept stub of a single-fragment request may be a view into the caller's PDU instead of a
     * copy: only when whoever reads it (stubOf) does so before request() returns and keeps no part. */
    private readonly borrowSingle = false,
  ) {}

  get size(): number {
    return this.calls.size;
  }

  /** Request stub bytes held by unfinished reassemblies. */
  get heldBytes(): number {
    return this.keptTotal;
  }

  private flag(name: DcerpcAnomalyName, detail: string, call: CallState | undefined, callId: number): void {
    const a = dcerpcAnomaly(name, detail, { callId });
    if (call && !addCallAnomaly(call, a, this.limits)) return;
    this.ev.anomaly(a, call);
  }

  /** Add a request fragment; returns the call when this fragment completed its request. */
  request(dir: Direction, pdu: RequestPdu, ts: number, rc: RequestContext): CallState | undefined {
    const key = callKey(dir, pdu.header.callId);
    const first = (pdu.header.flags & PFC.FIRST_FRAG) !== 0;
    let call = this.calls.get(key);
    if (call && call.reqDone && !first) {
      // the request already ended: this fragment belongs to no reassembly (nor is it delivered twice)
      this.flag('fragment_without_first', `request fragment after the last fragment of call ${call.callId}`, call, call.callId);
      for (const a of rc.anomalies) this.ev.anomaly(a);
      return undefined;
    }
    if (call && first) {
      if (!call.reqDone) {
        // the unfinished request is recorded as it stood; the new first fragment starts afresh
        this.flag('multiple_first_fragments', `call ${call.callId} restarted after ${call.reqFrags} fragment(s)`, call, call.callId);
        this.finish(call);
        call = undefined;
      } else {
        this.flag('call_id_reused', `call_id ${call.callId} reused before its response`, call, call.callId);
        this.finish(call);
        call = undefined;
      }
    }
    if (!call) {
      call = this.open(dir, key, pdu, ts, rc);
      if (!first) this.flag('fragment_without_first', `request fragment of call ${pdu.header.callId} without a first fragment`, call, call.callId);
    } else {
      this.checkConsistency(call, pdu);
    }
    // the connection's findings on this fragment: kept on the call (up to its limit) and reported with it
    for (const a of rc.anomalies) if (addCallAnomaly(call, a, this.limits)) this.ev.anomaly(a, call);
    this.append(call, pdu, ts);
    if ((pdu.header.flags & PFC.LAST_FRAG) === 0) return undefined;
    this.completeRequest(call);
    return call;
  }

  private open(dir: Direction, key: number, pdu: RequestPdu, ts: number, rc: RequestContext): CallState {
    if (this.calls.size >= this.limits.maxOpenCalls) {
      const oldest = this.calls.oldest() as CallState;
      this.flag('too_many_open_calls', `${this.calls.size} open calls (maxOpenCalls ${this.limits.maxOpenCalls}); call ${oldest.callId} evicted`, oldest, oldest.callId);
      this.finish(oldest);
    }
    const single = (pdu.header.flags & (PFC.FIRST_FRAG | PFC.LAST_FRAG)) === (PFC.FIRST_FRAG | PFC.LAST_FRAG);
    const call: CallState = {
      key, dir, callId: pdu.header.callId, ts, iface: rc.iface, transferSyntax: rc.transferSyntax, ctxId: pdu.ctxId, opnum: pdu.opnum, objectUuid: pdu.objectUuid,
      allocHint: pdu.allocHint, littleEndian: pdu.header.littleEndian, authType: pdu.auth?.authType, authLevel: pdu.auth?.authLevel, authContextId: pdu.auth?.authContextId,
      reqFrags: 0, reqStubLen: 0, parts: NO_PARTS as Uint8Array[], keptLen: 0, reqDone: false, reassembling: !single, truncated: false,
      respFrags: 0, respStubLen: 0, faultStatus: undefined, lastTs: ts, anomalies: NO_CALL_ANOMALIES as Anomaly[], anomaliesDropped: 0,
    };
    if (!single) {
      if (this.reassembling >= this.limits.maxConcurrentReassemblies) {
        call.reassembling = false;
        call.truncated = true;
        this.flag('too_many_open_calls', `${this.reassembling} concurrent reassemblies (maxConcurrentReassemblies); call ${call.callId} not reassembled`, call, call.callId);
      } else this.reassembling++;
    }
    this.calls.set(call);
    return call;
  }

  private checkConsistency(call: CallState, pdu: RequestPdu): void {
    if (pdu.opnum !== call.opnum) this.flag('opnum_changed_between_fragments', `opnum ${call.opnum} -> ${pdu.opnum}`, call, call.callId);
    if (pdu.ctxId !== call.ctxId) this.flag('context_changed_between_fragments', `ctx ${call.ctxId} -> ${pdu.ctxId}`, call, call.callId);
    if (pdu.objectUuid !== call.objectUuid) {
      this.flag('object_uuid_on_request', `object UUID ${call.objectUuid ?? 'absent'} -> ${pdu.objectUuid ?? 'absent'} between fragments`, call, call.callId);
    }
    if (pdu.header.littleEndian !== call.littleEndian) this.flag('byte_order_changed', 'between fragments of one call', call, call.callId);
    // MS-RPCE 3.3.1.5.2.2: every fragment of an authenticated call carries its own verifier
    if ((call.authType !== undefined) !== (pdu.auth !== undefined)) {
      this.flag('auth_trailer_missing', `fragment ${call.reqFrags + 1} ${pdu.auth ? 'adds' : 'lacks'} the verifier the first fragment ${pdu.auth ? 'lacked' : 'had'}`, call, call.callId);
    }
  }

  private append(call: CallState, pdu: RequestPdu, ts: number): void {
    call.lastTs = ts;
    call.reqFrags++;
    call.reqStubLen += pdu.stub.length;
    if (call.reqFrags > this.limits.maxFragmentsPerCall) {
      if (call.reqFrags === this.limits.maxFragmentsPerCall + 1) {
        this.flag('too_much_fragment_data', `more than ${this.limits.maxFragmentsPerCall} fragments (maxFragmentsPerCall)`, call, call.callId);
      }
      call.truncated = true;
      return;
    }
    if (!this.keepStubs || (call.truncated && call.reqFrags > 1)) return;
    const perCall = this.limits.maxStubBytesPerCall - call.keptLen;
    const perConn = this.limits.maxStubBytesPerConnection - this.keptTotal;
    if (pdu.stub.length > Math.min(perCall, perConn)) {
      const which = perCall <= perConn ? `${this.limits.maxStubBytesPerCall} bytes in the call (maxStubBytesPerCall)` : `${this.limits.maxStubBytesPerConnection} bytes held by the connection (maxStubBytesPerConnection)`;
      this.flag('too_much_fragment_data', `stub over ${which}; truncated`, call, call.callId);
      call.truncated = true;
    }
    const take = Math.max(0, Math.min(perCall, perConn, pdu.stub.length));
    // copied: the PDU is a view into the caller's chunk, which does not outlive this call (unless
    // the request ends with this very fragment and the reader has agreed to read it at once)
    const borrow = this.borrowSingle && call.reqFrags === 1 && (pdu.header.flags & PFC.LAST_FRAG) !== 0;
    if (take > 0) {
      const part = borrow ? (take === pdu.stub.length ? pdu.stub : pdu.stub.subarray(0, take)) : pdu.stub.slice(0, take);
      // a one-element literal: pushing onto an empty list would allocate room for 17
      if (call.parts.length === 0) call.parts = [part];
      else call.parts.push(part);
    }
    call.keptLen += take;
    this.keptTotal += take;
  }

  /** The request stub has been handed over: stop holding it (the call stays open for its response). */
  release(call: CallState): void {
    this.keptTotal -= call.keptLen;
    call.keptLen = 0;
    call.parts = NO_PARTS as Uint8Array[];
  }

  private completeRequest(call: CallState): void {
    call.reqDone = true;
    if (call.reassembling) {
      call.reassembling = false;
      this.reassembling--;
    }
    // alloc_hint 0 means "no hint" (C706 12.6.3.1); otherwise the first fragment's hint is the total
    if (call.allocHint !== 0 && call.allocHint !== call.reqStubLen) {
      this.flag('alloc_hint_mismatch', `alloc_hint ${call.allocHint}, stub ${call.reqStubLen}`, call, call.callId);
    }
  }

  /** The reassembled request stub (one copy when it came in several fragments); call release() after. */
  stubOf(call: CallState): Uint8Array {
    if (call.parts.length === 1) return call.parts[0];
    const out = new Uint8Array(call.keptLen);
    let at = 0;
    for (const p of call.parts) {
      out.set(p, at);
      at += p.length;
    }
    call.parts = [out];
    return out;
  }

  /** Add a response or fault fragment travelling opposite to its request. */
  response(dir: Direction, pdu: ResponsePdu | FaultPdu, ts: number): void {
    const call = this.calls.get(callKey(other(dir), pdu.header.callId));
    if (!call) {
      this.flag('response_without_request', `${pdu.type} for call ${pdu.header.callId}`, undefined, pdu.header.callId);
      return;
    }
    if (!call.reqDone) {
      this.flag('protocol_violation', `${pdu.type} before the last request fragment of call ${call.callId}`, call, call.callId);
    }
    call.lastTs = ts;
    call.respFrags++;
    call.respStubLen += pdu.stub.length;
    if (pdu.type === 'fault') {
      call.faultStatus = pdu.status;
      this.finish(call);
    } else if ((pdu.header.flags & PFC.LAST_FRAG) !== 0) this.finish(call);
  }

  /** The client gave up on a call (orphaned, MS-RPCE 2.2.2.10): it ends without a response. */
  orphan(dir: Direction, callId: number): void {
    const call = this.calls.get(callKey(dir, callId));
    if (call) this.finish(call);
  }

  /** Finish every open call (connection closed), oldest first. */
  finishAll(): void {
    for (const call of this.calls.snapshot()) this.finish(call);
  }

  private drop(call: CallState): void {
    if (call.reassembling) this.reassembling--;
    this.calls.delete(call.key);
  }

  private finish(call: CallState): void {
    this.drop(call);
    call.reassembling = false;
    this.release(call);
    this.ev.finished(call);
  }
}
