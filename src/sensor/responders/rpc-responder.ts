// The Windows persona's DCE/RPC responder for 135 (and 593 after the ncacn_http banner). The
// project's DcerpcConnection tracks both directions (framing, contexts, reassembly, call records,
// anomalies); this file decides the replies: binds and requests as RPCSS answers them, and junk
// with the 24-byte bind_nak Windows sends (C706 ch. 12, MS-RPCE 2.2 and 3.3).

import type { Anomaly } from '../../model/anomaly.js';
import type { CallRecord } from '../../model/call.js';
import type { Direction } from '../../model/flow.js';
import {
  COMMON_HEADER_LEN, DcerpcConnection, PFC, appendAuthVerifier, decodeHeader, encodeBindNak, encodeFault, streamStartAnomaly,
  type BindPdu, type CompletedRequest, type Pdu,
} from '../../protocols/dcerpc/index.js';
import type { NtlmMessage } from '../../protocols/ntlm/ntlmssp.js';
import { dispatch, NCA_S_FAULT_NDR, NCA_UNK_IF, type DispatchResult } from '../persona/rpc-dispatch.js';
import type { ServedInterface } from '../persona/persona-interfaces.js';
import { authenticateNote } from './ntlm-answers.js';
import { bindReply, responseFragments } from './reply-templates.js';
import { RpcSecurity, SIGNED_OVERHEAD } from './rpc-security.js';
import type { Responder, ResponderContext } from './responder-types.js';

/** bind_nak reason 4, protocol_version_not_supported (C706 12.6.3.3 / MS-RPCE 2.2.2.5). */
const REASON_VERSION_NOT_SUPPORTED = 4;
const WINDOWS_MAX_FRAG = 5840;
const RESPONSE_HEADER_LEN = 24;
/** What a request the persona cannot decrypt (packet privacy) gets: Samba's dcesrv_core.c answers a
 * request whose verifier fails with DCERPC_FAULT_ACCESS_DENIED (5), without PFC_DID_NOT_EXECUTE,
 * and disconnects after it (dcesrv_call_disconnect_after). */
const FAULT_ACCESS_DENIED = 0x00000005;
/** Codec anomalies that mean a DCE/RPC limit (DCERPC_LIMITS) cut something short: they are also
 * recorded as limit hits, so limits show in sessions and metrics whichever layer enforced them. */
const DCERPC_LIMIT_ANOMALIES = new Set(['frag_length_exceeds_limit', 'too_many_open_calls', 'too_much_fragment_data', 'too_many_contexts', 'too_many_anomalies']);
/** Framing failures after which Windows gives up on the stream: one bind_nak, then close. */
const FATAL_TO_SERVER = new Set(['bad_version', 'resync_garbage_skipped', 'frag_length_exceeds_limit', 'frag_length_too_small']);

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

/** Nothing held yet: the start gate is open until the first 16 bytes have been seen. */
const NOTHING_HELD = Buffer.alloc(0);

export class RpcResponder implements Responder {
  /** Made when the first DCE/RPC bytes pass the start gate: a connection that never sends any
   * (a connect scan, an idle slot) costs no tracker. */
  private conn: DcerpcConnection | undefined;
  /** Contexts this persona accepted (ctx id -> interface): what requests may call. */
  private readonly accepted = new Map<number, ServedInterface>();
  /** Made on the first bind that does not name a group (most connections bind once). */
  private assocGroupId = 0;
  private readonly outbox: Uint8Array[] = [];
  private gate: Buffer | undefined = NOTHING_HELD;
  private maxXmit = WINDOWS_MAX_FRAG;
  private lastCallId = 0;
  private nak = false;
  private dead = false;
  /** Made on the first authenticated bind: most connections never authenticate. */
  private security: RpcSecurity | undefined;
  /** The NTLMSSP message in the PDU being handled (the connection reports it just before onPdu). */
  private ntlm: NtlmMessage | undefined;
  /** A sealed request was faulted: close once that fault has gone out. */
  private closeAfterFlush = false;

  /** `pipe`: this server sits behind an SMB named pipe (its interfaces and the bind_ack's
   * secondary address, `\\PIPE\\name`), not on a TCP port. */
  constructor(
    private readonly ctx: ResponderContext,
    private readonly httpBanner: boolean,
    private readonly pipe?: { readonly name: string; readonly served: readonly ServedInterface[] },
  ) {}

  private tracker(): DcerpcConnection {
    return (this.conn ??= new DcerpcConnection({
      limits: this.ctx.dcerpcOverrides,
      decoder: this.ctx.rpc.decoder,
      names: this.ctx.rpc.names,
      onPdu: (dir, pdu) => this.onPdu(dir, pdu),
      onRequest: (req) => this.onRequest(req),
      onNtlm: (dir, m) => this.onNtlm(dir, m),
      onCall: (rec) => this.onCall(rec),
      onAnomaly: (a, dir, onCall) => this.onAnomaly(a, dir, onCall),
    }));
  }

  start(): void {
    // RPC over HTTP v1 (ncacn_http on 593) greets before any PDU, as RPCSS does.
    if (this.httpBanner) this.ctx.send(Buffer.from('ncacn_http/1.0', 'latin1'));
  }

  data(chunk: Buffer): void {
    if (this.dead) return;
    const bytes = this.gate ? this.checkStart(chunk) : chunk;
    if (!bytes) return;
    this.tracker().feed('to_server', bytes, this.ctx.now());
    this.flush();
  }

  /**
   * The first header decides whether the stream is DCE/RPC at all (nmap's probes are not): until
   * 16 bytes are in, hold them; then either pass everything on or answer the bind_nak with the
   * peer's bytes 12-15 echoed, as Windows does.
   */
  private checkStart(chunk: Buffer): Buffer | undefined {
    const held = this.gate!.length === 0 ? chunk : Buffer.concat([this.gate!, chunk]);
    const h = decodeHeader(held);
    if (!h) {
      this.gate = held;
      return undefined;
    }
    this.gate = undefined;
    const a = streamStartAnomaly(h, this.ctx.dcerpc.maxFragLength);
    if (a === undefined) return held;
    this.record(a);
    this.reject(held.readUInt32LE(12));
    return undefined;
  }

  /** Send what the tracker's callbacks queued, and let the tracker see it (calls pair with replies). */
  private flush(): void {
    // Replies are fed back after feed() returns: the tracker is not re-entrant.
    while (this.outbox.length > 0 && !this.dead) {
      const out = this.outbox.shift()!;
      this.ctx.send(out);
      this.tracker().feed('to_client', out, this.ctx.now());
    }
    if (this.nak && !this.dead) this.reject(this.lastCallId);
    if (this.closeAfterFlush && !this.dead) {
      this.dead = true;
      this.ctx.end();
    }
  }

  private reject(callId: number): void {
    this.dead = true;
    this.outbox.length = 0;
    this.ctx.send(windowsBindNak(callId));
    this.ctx.end();
  }

  private record(a: Anomaly): void {
    if (DCERPC_LIMIT_ANOMALIES.has(a.name)) this.ctx.record.hit(`dcerpc_${a.name}`);
    if (!this.ctx.record.anomaly(a)) return;
    const f = this.ctx.record.flow;
    this.ctx.emit({ type: 'anomaly', ts: this.ctx.now(), source: 'sensor', src: f.src, dst: f.dst, proto: 'tcp', sport: f.sport, dport: this.ctx.basePort, session: this.ctx.record.id, anomaly: a });
  }

  /** An anomaly a call carries reaches the session and the detectors with that call (onCall):
   * here only its limit hit is noted, so that each anomaly is recorded and reported once. */
  private onAnomaly(a: Anomaly, dir: Direction | undefined, onCall: boolean): void {
    if (onCall) {
      if (DCERPC_LIMIT_ANOMALIES.has(a.name)) this.ctx.record.hit(`dcerpc_${a.name}`);
    } else this.record(a);
    if (dir === 'to_server' && FATAL_TO_SERVER.has(a.name)) this.nak = true;
  }

  /** The client's NTLMSSP (in a bind, alter_context or auth3): kept for the answer built in onPdu;
   * an AUTHENTICATE is what the peer claims to be, and goes into the session's transcript. */
  private onNtlm(dir: Direction, m: NtlmMessage): void {
    if (dir !== 'to_server') return;
    this.ntlm = m;
    if (m.type === 3) this.ctx.record.transcript('in', Buffer.from(`DCE/RPC ${authenticateNote(m)}`, 'utf8'), this.ctx.now());
  }

  private onPdu(dir: Direction, pdu: Pdu): void {
    if (dir !== 'to_server') return;
    this.lastCallId = pdu.header.callId;
    const ntlm = this.ntlm;
    this.ntlm = undefined;
    // auth3 completes the handshake and gets no answer (MS-RPCE 3.3.1.5.2.1)
    if (pdu.type === 'bind' || pdu.type === 'alter_context') this.outbox.push(this.bindAck(pdu, ntlm));
  }

  private bindAck(pdu: BindPdu, ntlm: NtlmMessage | undefined): Uint8Array {
    // Windows answers with the smaller of its 5840 and what the client offered.
    const frag = Math.max(COMMON_HEADER_LEN + 64, Math.min(WINDOWS_MAX_FRAG, pdu.maxRecvFrag || WINDOWS_MAX_FRAG));
    this.maxXmit = frag;
    // alter_context_resp carries an empty port_spec, bind_ack the endpoint Windows listens on.
    const secondary = pdu.type !== 'bind' ? '' : this.pipe ? `\\PIPE\\${this.pipe.name}` : String(this.ctx.basePort);
    if (!pdu.assocGroupId && this.assocGroupId === 0) this.assocGroupId = this.ctx.rpc.assocGroupIds.next();
    const reply = bindReply(pdu, frag, secondary, pdu.assocGroupId || this.assocGroupId, this.pipe?.served);
    for (const [ctxId, iface] of reply.accepted) {
      if (iface && this.accepted.size < this.ctx.dcerpc.maxContexts) this.accepted.set(ctxId, iface);
    }
    if (pdu.auth === undefined) return reply.bytes;
    const verifier = (this.security ??= new RpcSecurity(this.ctx)).answerBind(pdu, ntlm);
    return verifier ? appendAuthVerifier(reply.bytes, verifier) : reply.bytes;
  }

  private onRequest(req: CompletedRequest): void {
    const iface = this.accepted.get(req.ctxId);
    const flags = PFC.FIRST_FRAG | PFC.LAST_FRAG;
    if (!iface) {
      this.outbox.push(encodeFault({ callId: req.callId, ctxId: req.ctxId, status: NCA_UNK_IF, flags: flags | PFC.DID_NOT_EXECUTE }));
      return;
    }
    const verdict = this.security?.request(req.auth) ?? (req.sealed ? { kind: 'sealed' as const } : undefined);
    if (verdict?.kind === 'sealed') {
      // The stub is ciphertext under a key the persona cannot have: recorded as a sealed call
      // (CallRecord.sealed), never dispatched, never answered as if it had been read.
      this.outbox.push(encodeFault({ callId: req.callId, ctxId: req.ctxId, status: FAULT_ACCESS_DENIED, flags }));
      this.closeAfterFlush = true;
      return;
    }
    let result: DispatchResult;
    try {
      result = dispatch({ iface, opnum: req.opnum, stub: req.stub, littleEndian: req.littleEndian, localAddress: this.ctx.record.flow.dst }, this.ctx.persona);
    } catch {
      // Arguments too short for their own declaration: Windows faults with nca_s_fault_ndr.
      result = { kind: 'fault', status: NCA_S_FAULT_NDR, didNotExecute: false };
    }
    if (result.kind === 'fault') {
      this.outbox.push(encodeFault({ callId: req.callId, ctxId: req.ctxId, status: result.status, flags: flags | (result.didNotExecute ? PFC.DID_NOT_EXECUTE : 0) }));
      return;
    }
    const sign = verdict?.kind === 'answer' ? verdict.sign : undefined;
    if (sign === undefined) {
      for (const f of responseFragments(req.callId, req.ctxId, result.stub, this.maxXmit - RESPONSE_HEADER_LEN)) this.outbox.push(f);
      return;
    }
    // PKT_INTEGRITY: every fragment carries its own verifier (MS-RPCE 2.2.2.11), 16-aligned
    for (const f of responseFragments(req.callId, req.ctxId, result.stub, this.maxXmit - RESPONSE_HEADER_LEN - SIGNED_OVERHEAD)) {
      this.outbox.push(appendAuthVerifier(f, sign, 16));
    }
  }

  private onCall(call: CallRecord): void {
    // Past maxCallsPerSession a plain call is only counted; one that carries what the exploit
    // detector reads (activation arguments, anomalies) is still reported, so an attacker cannot
    // hide an exploit behind 256 harmless calls.
    if (this.pipe) call = { ...call, transport: 'ncacn_np', pipe: this.pipe.name };
    if (!this.ctx.record.call(call) && !call.activation && call.anomalies.length === 0) return;
    const f = this.ctx.record.flow;
    this.ctx.emit({ type: 'call', ts: call.ts, source: 'sensor', src: f.src, dst: f.dst, proto: 'tcp', sport: f.sport, dport: this.ctx.basePort, session: this.ctx.record.id, call });
  }

  held(): number {
    return (this.gate?.length ?? 0) + (this.conn?.heldBytes ?? 0);
  }

  midMessage(): boolean {
    return (this.gate !== undefined && this.gate.length > 0) || (this.conn?.midPdu ?? false);
  }

  finish(): void {
    // Requests cut off mid-reassembly (a peer that vanished, a truncated exploit) still become calls.
    this.conn?.close(this.ctx.now());
  }
}

export function rpcResponder(ctx: ResponderContext): Responder {
  return new RpcResponder(ctx, false);
}

export function rpcOverHttpResponder(ctx: ResponderContext): Responder {
  return new RpcResponder(ctx, true);
}
