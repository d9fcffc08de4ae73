// State of one connection-oriented DCE/RPC association over TCP, both directions (C706 12.6, MS-RPCE
// 3.3.1.5): presentation contexts, calls, reassembly, request/response pairing, anomalies as data.

import type { Anomaly } from '../../model/anomaly.js';
import type { ActivationArgs, CallRecord } from '../../model/call.js';
import type { Direction } from '../../model/flow.js';
import { dcerpcAnomaly, type DcerpcAnomalyName } from './anomalies.js';
import { resolveDcerpcLimits, type DcerpcLimitOverrides, type DcerpcLimits } from './dcerpc-limits.js';
import { DcerpcFramer, type PduSink } from './framer.js';
import { decodeHeader, isPdu, PduDecoder, ptypeName } from './pdu-decode.js';
import { PFC, type BindAckPdu, type BindPdu, type Pdu, type PduHeader, type RequestPdu, type SyntaxId } from './pdu-types.js';
import { addCallAnomaly, callAnomalies, CallTable, type CallState } from './reassembly.js';
import { ContextTable, type ContextState } from './connection-contexts.js';
import { decodeRequestStub, decodesRequest } from './interfaces/index.js';
import type { Mutable } from '../../core/mutable.js';
import type { CallArgs } from './interfaces/worm-calls.js';
import type { NtlmMessage } from '../ntlm/ntlmssp.js';
import { isSealed, ntlmsspOfPdu } from './auth-ntlm.js';

/** A request whose last fragment has arrived: what the sensor answers and the stub decoder reads. */
export interface CompletedRequest {
  readonly callId: number;
  readonly ctxId: number;
  readonly opnum: number;
  readonly ifaceUuid?: string;
  /** "major.minor" of the bound interface. */
  readonly ifaceVersion?: string;
  /** Negotiated transfer syntax of the context (NDR 2.0 or NDR64), when known. */
  readonly transferSyntax?: SyntaxId;
  readonly littleEndian: boolean;
  readonly objectUuid?: string;
  /** Reassembled stub: every fragment's stub, headers, auth padding and trailers stripped. Owned by the receiver. */
  readonly stub: Uint8Array;
  /** True when a limit cut the stub short or fragments were missing. */
  readonly truncated: boolean;
  readonly fragments: number;
  readonly auth?: { readonly authType: number; readonly authLevel: number; readonly authContextId: number };
  /** Sent at PKT_PRIVACY: `stub` is ciphertext, and no stub decoder has read it. */
  readonly sealed: boolean;
  readonly ts: number;
}

export type StubDecoder = (req: CompletedRequest) => { activation?: ActivationArgs; args?: CallArgs; anomalies: Anomaly[] } | undefined;
export type NameLookup = (uuid: string, opnum?: number) => { endpoint?: string; operation?: string };

export interface DcerpcConnectionOptions {
  readonly limits?: DcerpcLimitOverrides;
  /** Decoder of completed request stubs; default: the interface decoders' decodeRequestStub
   * (activation, endpoint mapper, ...). `false` decodes nothing (and keeps no request stubs). */
  readonly decodeStub?: StubDecoder | false;
  readonly names?: NameLookup;
  /** The PDU decoder of the connection's owner, shared by all its connections (a sensor, a
   * capture analysis); default: one of the connection's own. */
  readonly decoder?: PduDecoder;
  readonly onPdu?: (dir: Direction, pdu: Pdu, ts: number, streamOffset: number, anomalies: readonly Anomaly[]) => void;
  /** A framed PDU whose header decodes but whose body does not: called with that header before
   * the anomaly that rejected it is reported (a capture lists it as an undecoded PDU, as tshark
   * lists a malformed one). */
  readonly onRejected?: (dir: Direction, header: PduHeader, ts: number, streamOffset: number) => void;
  readonly onRequest?: (req: CompletedRequest) => void;
  /** An NTLMSSP message in a bind, alter_context, auth3 or their answers' verifier (raw NTLM or in
   * SPNEGO), called before onPdu for the same PDU (so an answer to it can be built there). */
  readonly onNtlm?: (dir: Direction, m: NtlmMessage, pdu: Pdu) => void;
  readonly onCall?: (rec: CallRecord) => void;
  /** Every anomaly, once. `onCall` is true when the anomaly is also carried by a call record (it
   * reaches onCall's receiver there): a receiver that forwards both must forward it only once. */
  readonly onAnomaly?: (a: Anomaly, dir: Direction | undefined, onCall: boolean) => void;
}

/** Interfaces served by the endpoint itself on 135, never addressed through an object UUID: an
 * object UUID on a call to them is not how Windows clients talk (an evasion or a scanner's tell). */
const OBJECTLESS_INTERFACES = new Set([
  'e1af8308-5d1f-11c9-91a4-08002b14a0fa', // epmapper
  'afa8bd80-7d8a-11c9-bef4-08002b102989', // mgmt
  '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57', // IRemoteActivation
  '000001a0-0000-0000-c000-000000000046', // ISystemActivator
  '99fcfec4-5260-101b-bbcb-00aa0021347a', // IOXIDResolver
]);

const NO_ANOMALIES: Anomaly[] = [];

interface Side {
  /** Made on the first feed(). */
  framer: DcerpcFramer | undefined;
  /** The framer's sink for this direction, made once (feed() is called per TCP segment). */
  sink: PduSink | undefined;
  littleEndian: boolean | undefined;
  /** Largest frag_length negotiated for this direction by the bind_ack, once seen. */
  maxFrag: number | undefined;
}

export class DcerpcConnection {
  readonly limits: DcerpcLimits;
  private readonly o: DcerpcConnectionOptions;
  private readonly stubDecoder: StubDecoder | undefined;
  private readonly decoder: PduDecoder;
  private readonly sides: Record<Direction, Side>;
  private readonly calls: CallTable;
  private readonly contexts: ContextTable;
  /** Decoded activation arguments waiting for their call's record; made on the first one. */
  private activations: Map<CallState, ActivationArgs> | undefined;
  /** Decoded arguments of the later worms' calls waiting for their call's record. */
  private callArgs: Map<CallState, CallArgs> | undefined;
  private ts = 0;
  /** Anomalies reported through onAnomaly, and those past the limit that were only counted. */
  private reported = 0;
  private unreported = 0;
  private dir: Direction = 'to_server';
  private offset = 0;
  pdus = 0;
  /** Calls finished so far (each one an onCall record when onCall is set). */
  callsFinished = 0;
  closed = false;

  constructor(opts: DcerpcConnectionOptions = {}) {
    this.o = opts;
    this.limits = resolveDcerpcLimits(opts.limits);
    this.decoder = opts.decoder ?? new PduDecoder();
    this.stubDecoder = opts.decodeStub === false ? undefined : (opts.decodeStub ?? decodeRequestStub);
    const side = (): Side => ({ framer: undefined, sink: undefined, littleEndian: undefined, maxFrag: undefined });
    this.sides = { to_server: side(), to_client: side() };
    const keep = opts.onRequest !== undefined || this.stubDecoder !== undefined;
    // Only our own decoder is known to read the stub at once and keep none of it (its results are
    // strings and numbers); onRequest receivers own their stub, so they always get a copy.
    const borrow = opts.onRequest === undefined && this.stubDecoder === decodeRequestStub;
    const events = { anomaly: (a: Anomaly, call?: CallState) => this.emit(a, this.dir, call !== undefined), finished: (c: CallState) => this.finished(c) };
    this.calls = new CallTable(this.limits, keep, events, borrow);
    this.contexts = new ContextTable(this.limits.maxContexts, (name, detail, callId) => this.flag(name, detail, callId));
  }

  /** Presentation contexts as negotiated so far (ctx id -> interface and transfer syntax). */
  get presentationContexts(): ReadonlyMap<number, ContextState> {
    return this.contexts.all;
  }
  /** Bytes this connection holds for its peers: PDUs in progress in both directions and request
   * stubs being reassembled (what a memory guard should count, not what headers claim). */
  get heldBytes(): number {
    return (this.sides.to_server.framer?.buffered ?? 0) + (this.sides.to_client.framer?.buffered ?? 0) + this.calls.heldBytes;
  }

  /** Whether the client side is part-way through a PDU (its framer waits for more bytes). */
  get midPdu(): boolean {
    return (this.sides.to_server.framer?.buffered ?? 0) > 0;
  }

  /** Calls awaiting their request's last fragment or their response. */
  get openCalls(): number {
    return this.calls.size;
  }

  /** Bytes of one direction, in order, as TCP delivered them: chunk[start, end) (the whole chunk by
   * default); `tsMs` is the capture or receive time. */
  feed(dir: Direction, chunk: Uint8Array, tsMs: number, start = 0, end = chunk.length): void {
    if (this.closed) return;
    this.ts = tsMs;
    this.dir = dir;
    try {
      const side = this.sides[dir];
      side.framer ??= this.newFramer(dir);
      side.sink ??= (buf, s, e, off) => this.onBytes(dir, buf, s, e, off);
      side.framer.push(chunk, side.sink, start, end);
    } catch (e) {
      // Zeek DCE_RPC DeliverStream: whatever escapes decoding ends this chunk, not the process
      this.flag('protocol_violation', `exception while decoding: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A hole in one direction's byte stream (lost TCP segments): the PDU in progress is ended
   * (truncated_pdu) and framing starts afresh after the hole, resynchronising on the next header. */
  gap(dir: Direction): void {
    if (this.closed) return;
    this.dir = dir;
    const side = this.sides[dir];
    // the next feed() starts a fresh framer (stream offsets restart with it, as before)
    side.framer?.flush();
    side.framer = undefined;
  }

  /** End of the connection: partial PDUs become anomalies and every open call is recorded. */
  close(tsMs: number): void {
    if (this.closed) return;
    this.ts = tsMs;
    for (const dir of ['to_server', 'to_client'] as const) {
      this.dir = dir;
      this.sides[dir].framer?.flush();
    }
    this.calls.finishAll();
    this.closed = true;
    if (this.unreported > 0) {
      const a = dcerpcAnomaly('too_many_anomalies', `${this.unreported} more anomal${this.unreported === 1 ? 'y' : 'ies'} on this connection counted, not reported (maxAnomaliesPerConnection ${this.limits.maxAnomaliesPerConnection})`, { offset: this.offset });
      this.unreported = 0;
      this.o.onAnomaly?.(a, undefined, false);
    }
  }

  private newFramer(dir: Direction): DcerpcFramer {
    return new DcerpcFramer({ maxFragLength: this.limits.maxFragLength, onAnomaly: (a) => this.emit(a, dir) });
  }

  private onBytes(dir: Direction, buf: Uint8Array, start: number, end: number, off: number): void {
    this.offset = off;
    const pdu = this.decoder.decodeAt(buf, start, end, this.limits.maxFragLength);
    const found = this.decoder.found;
    if (!isPdu(pdu)) {
      if (this.o.onRejected) {
        const h = decodeHeader(buf, start);
        if (h !== undefined) this.o.onRejected(dir, h, this.ts, off);
      }
      this.emit({ ...pdu, offset: off }, dir);
      return;
    }
    this.pdus++;
    const anomalies = found.length === 0 ? NO_ANOMALIES : found.map((a) => ({ ...a, offset: off }));
    for (const a of anomalies) this.emit(a, dir);
    const all = this.checkSide(dir, pdu, anomalies);
    if (pdu.auth !== undefined && this.o.onNtlm !== undefined) {
      const m = ntlmsspOfPdu(pdu);
      if (m !== undefined) this.o.onNtlm(dir, m, pdu);
    }
    this.o.onPdu?.(dir, pdu, this.ts, off, all);
    this.dispatch(dir, pdu);
  }

  /** Per-direction checks; returns the PDU's anomalies with any found here appended. */
  private checkSide(dir: Direction, pdu: Pdu, found: Anomaly[]): Anomaly[] {
    const side = this.sides[dir];
    const h = pdu.header;
    if (side.littleEndian === undefined) side.littleEndian = h.littleEndian;
    else if (side.littleEndian !== h.littleEndian) {
      found = this.note(found, 'byte_order_changed', `${dir} switched to ${h.littleEndian ? 'little' : 'big'}-endian`, h.callId, dir);
      side.littleEndian = h.littleEndian;
    }
    if (side.maxFrag !== undefined && h.fragLength > side.maxFrag) {
      found = this.note(found, 'frag_length_exceeds_negotiated', `${ptypeName(h.ptype)} frag_length ${h.fragLength} > negotiated ${side.maxFrag}`, h.callId, dir);
    }
    return found;
  }

  /** Raise an anomaly and return `list` with it appended (a new array: `list` may be shared). */
  private note(list: Anomaly[], name: DcerpcAnomalyName, detail: string, callId: number, dir: Direction): Anomaly[] {
    const a = dcerpcAnomaly(name, detail, { offset: this.offset, callId });
    this.emit(a, dir);
    return list.length === 0 ? [a] : [...list, a];
  }

  private dispatch(dir: Direction, pdu: Pdu): void {
    switch (pdu.type) {
      case 'bind':
      case 'alter_context':
        this.expectDir(dir, 'to_server', pdu);
        if ((pdu.header.flags & PFC.FIRST_FRAG) === 0) this.flag('bind_without_first_frag', `${pdu.type} pfc_flags 0x${pdu.header.flags.toString(16)}`, pdu.header.callId);
        this.contexts.offer(pdu as BindPdu);
        return;
      case 'bind_ack':
      case 'alter_context_resp':
        this.expectDir(dir, 'to_client', pdu);
        this.onBindAck(dir, pdu);
        return;
      case 'bind_nak':
        this.contexts.nak(pdu.header.callId);
        return;
      case 'request':
        this.expectDir(dir, 'to_server', pdu);
        this.onRequestPdu(dir, pdu);
        return;
      case 'response':
      case 'fault':
        this.expectDir(dir, 'to_client', pdu);
        this.calls.response(dir, pdu, this.ts);
        return;
      case 'orphaned':
        this.calls.orphan(dir, pdu.header.callId);
        return;
      default:
        return;
    }
  }

  /** Requests come from the originator; a capture whose first packet was lost may have the
   * directions swapped, so the PDU is still processed by its type. */
  private expectDir(dir: Direction, want: Direction, pdu: Pdu): void {
    if (dir !== want) this.flag('ptype_wrong_direction', `${pdu.type} travelling ${dir}`, pdu.header.callId);
  }

  private onBindAck(dir: Direction, pdu: BindAckPdu): void {
    this.contexts.ack(pdu);
    // bind_ack max_recv_frag bounds what the client may send; max_xmit_frag what the server sends
    const peer: Direction = dir === 'to_client' ? 'to_server' : 'to_client';
    if (pdu.maxRecvFrag >= 16) this.sides[peer].maxFrag = pdu.maxRecvFrag;
    if (pdu.maxXmitFrag >= 16) this.sides[dir].maxFrag = pdu.maxXmitFrag;
  }

  private onRequestPdu(dir: Direction, pdu: RequestPdu): void {
    const ctx = this.contexts.get(pdu.ctxId);
    const id = pdu.header.callId;
    // found here, reported by the call table (with the call they land on, or without one)
    let found = NO_ANOMALIES;
    const at = { offset: this.offset, callId: id };
    if (!ctx) found = [dcerpcAnomaly('request_on_unknown_context', `ctx ${pdu.ctxId} was never bound`, at)];
    else if (ctx.state === 'rejected' || ctx.state === 'negotiate_ack') found = [dcerpcAnomaly('request_on_unknown_context', `ctx ${pdu.ctxId} is ${ctx.state}`, at)];
    if (ctx && pdu.objectUuid !== undefined && OBJECTLESS_INTERFACES.has(ctx.abstractSyntax.uuid) && (pdu.header.flags & PFC.FIRST_FRAG) !== 0) {
      const a = dcerpcAnomaly('object_uuid_on_request', `object UUID ${pdu.objectUuid} on ${ctx.abstractSyntax.uuid}`, at);
      found = found.length === 0 ? [a] : [...found, a];
    }
    const call = this.calls.request(dir, pdu, this.ts, { iface: ctx?.abstractSyntax, transferSyntax: ctx?.transferSyntax, anomalies: found });
    if (call) this.requestDone(call);
  }

  private requestDone(call: CallState): void {
    if (!this.o.onRequest && !this.stubDecoder) return;
    const sealed = isSealed(call.authType === undefined ? undefined : { authLevel: call.authLevel ?? 0 });
    // Our own decoder returns nothing for an interface/opnum it does not decode (nor for ciphertext):
    // with no onRequest receiver, building the request (and joining its stub) would be thrown away.
    if (!this.o.onRequest && this.stubDecoder === decodeRequestStub && (sealed || !decodesRequest(call.iface?.uuid, call.opnum))) {
      this.calls.release(call);
      return;
    }
    const req: CompletedRequest = {
      callId: call.callId,
      ctxId: call.ctxId,
      opnum: call.opnum,
      ifaceUuid: call.iface?.uuid,
      ifaceVersion: call.iface && versionOf(call.iface),
      transferSyntax: call.transferSyntax,
      littleEndian: call.littleEndian,
      objectUuid: call.objectUuid,
      stub: this.calls.stubOf(call),
      truncated: call.truncated,
      fragments: call.reqFrags,
      auth: call.authType === undefined ? undefined : { authType: call.authType, authLevel: call.authLevel ?? 0, authContextId: call.authContextId ?? 0 },
      sealed,
      ts: call.ts,
    };
    // An encrypted stub read as NDR would be noise (and false anomalies): the call is recorded sealed.
    if (this.stubDecoder && !sealed) this.decodeStub(call, req);
    this.o.onRequest?.(req);
    this.calls.release(call);
  }

  private decodeStub(call: CallState, req: CompletedRequest): void {
    try {
      const d = this.stubDecoder!(req);
      if (!d) return;
      if (d.activation) (this.activations ??= new Map()).set(call, d.activation);
      if (d.args) (this.callArgs ??= new Map()).set(call, d.args);
      for (const a of d.anomalies) {
        const withId = a.callId === undefined ? { ...a, callId: call.callId } : a;
        if (addCallAnomaly(call, withId, this.limits)) this.emit(withId, this.dir, true);
      }
    } catch (e) {
      const a = dcerpcAnomaly('protocol_violation', `stub decoder failed: ${e instanceof Error ? e.message : String(e)}`, { callId: call.callId });
      if (addCallAnomaly(call, a, this.limits)) this.emit(a, this.dir, true);
    }
  }

  private finished(c: CallState): void {
    const activation = this.activations?.get(c);
    if (activation !== undefined) this.activations!.delete(c);
    const args = this.callArgs?.get(c);
    if (args !== undefined) this.callArgs!.delete(c);
    this.callsFinished++;
    if (!this.o.onCall) return;
    const iface = c.iface;
    const names = iface && this.o.names ? this.o.names(iface.uuid, c.opnum) : {};
    // optional fields are left out rather than set to undefined: records are serialised as they are
    const rec: Mutable<CallRecord> = {
      ts: c.ts, callId: c.callId, ctxId: c.ctxId, opnum: c.opnum,
      reqFrags: c.reqFrags, respFrags: c.respFrags, reqStubLen: c.reqStubLen, respStubLen: c.respStubLen,
      anomalies: callAnomalies(c, this.limits),
    };
    if (iface) {
      rec.ifaceUuid = iface.uuid;
      rec.ifaceVersion = versionOf(iface);
    }
    if (names.endpoint !== undefined) rec.endpoint = names.endpoint;
    if (names.operation !== undefined) rec.operation = names.operation;
    if (c.objectUuid !== undefined) rec.objectUuid = c.objectUuid;
    if (c.respFrags > 0) rec.rttMs = c.lastTs - c.ts;
    if (c.faultStatus !== undefined) rec.faultStatus = c.faultStatus;
    if (c.authType !== undefined) {
      rec.authType = c.authType;
      rec.authLevel = c.authLevel;
      if (isSealed({ authLevel: c.authLevel ?? 0 })) rec.sealed = true;
    }
    if (activation) rec.activation = activation;
    if (args) rec.args = args;
    this.o.onCall(rec);
  }

  private flag(name: DcerpcAnomalyName, detail: string, callId?: number): void {
    this.emit(dcerpcAnomaly(name, detail, { offset: this.offset, callId }), this.dir);
  }

  /** The one way an anomaly leaves the connection, bounded by maxAnomaliesPerConnection: past it
   * they are counted and reported as one too_many_anomalies when the connection closes. */
  private emit(a: Anomaly, dir: Direction, onCall = false): void {
    if (this.reported >= this.limits.maxAnomaliesPerConnection) {
      this.unreported++;
      return;
    }
    this.reported++;
    this.o.onAnomaly?.(a, dir, onCall);
  }
}


function versionOf(s: SyntaxId): string {
  return `${s.versionMajor}.${s.versionMinor}`;
}
