// Decoder of connection-oriented DCE/RPC PDUs (C706 chapter 12.6, MS-RPCE 2.2.2): one whole PDU in,
// a typed Pdu or a named anomaly out. Hand-written: no maintained JS library decodes DCE/RPC.

import { ByteReader, u16At, u32At, uuidAt } from '../../core/byte-reader.js';
import { TruncatedError } from '../../core/errors.js';
import type { Anomaly } from '../../model/anomaly.js';
import { dcerpcAnomaly } from './anomalies.js';
import {
  COMMON_HEADER_LEN,
  PFC,
  PTYPE,
  SEC_TRAILER_LEN,
  type AuthVerifier,
  type BindAckPdu,
  type BindNakPdu,
  type BindPdu,
  type ContextResult,
  type FaultPdu,
  type Pdu,
  type PduHeader,
  type PresentationContext,
  type RequestPdu,
  type ResponsePdu,
  type RtsPdu,
  type SimplePdu,
  type SyntaxId,
} from './pdu-types.js';

export type DecodeResult = { ok: true; pdu: Pdu; anomalies: Anomaly[] } | { ok: false; anomaly: Anomaly };

export interface DecodeOptions {
  /** Reject PDUs whose frag_length is larger (frag_length_exceeds_limit). Default 65535. */
  readonly maxFragLength?: number;
}

/** Smallest frag_length of each connection-oriented type: header plus fixed body (C706 12.6.4). */
const MIN_FRAG: Readonly<Record<number, number>> = {
  [PTYPE.request]: 24,
  [PTYPE.response]: 24,
  [PTYPE.fault]: 28,
  [PTYPE.bind]: 28,
  [PTYPE.alter_context]: 28,
  [PTYPE.bind_ack]: 26,
  [PTYPE.alter_context_resp]: 26,
  [PTYPE.bind_nak]: 18,
  [PTYPE.auth3]: 16,
  [PTYPE.shutdown]: 16,
  [PTYPE.co_cancel]: 16,
  [PTYPE.orphaned]: 16,
  [PTYPE.rts]: 20,
};

const PTYPE_NAMES: readonly string[] = Object.keys(PTYPE);

/** Name of a ptype number (`request`, `bind_ack`, ...), or `ptype_N` when unknown. */
export function ptypeName(ptype: number): string {
  return PTYPE_NAMES[ptype] ?? `ptype_${ptype}`;
}

/** The 16-byte common header, or undefined when fewer than 16 bytes are present. Does not validate. */
export function decodeHeader(buf: Uint8Array, offset = 0): PduHeader | undefined {
  if (buf.length - offset < COMMON_HEADER_LEN) return undefined;
  const d0 = buf[offset + 4];
  const littleEndian = (d0 & 0x10) !== 0;
  return {
    rpcVers: buf[offset],
    rpcVersMinor: buf[offset + 1],
    ptype: buf[offset + 2],
    flags: buf[offset + 3],
    drep: drepOf(d0, buf[offset + 5], buf[offset + 6], buf[offset + 7]),
    littleEndian,
    fragLength: u16At(buf, offset + 8, littleEndian),
    authLength: u16At(buf, offset + 10, littleEndian),
    callId: u32At(buf, offset + 12, littleEndian),
  };
}

/** The drep every stack sends (10 00 00 00, or 00 00 00 00 big-endian), one frozen tuple each:
 * `drep` is read-only, and a 4-element array per PDU was a large share of a capture's garbage. */
const DREP_LE: PduHeader['drep'] = Object.freeze([0x10, 0, 0, 0] as const);
const DREP_BE: PduHeader['drep'] = Object.freeze([0, 0, 0, 0] as const);

function drepOf(d0: number, d1: number, d2: number, d3: number): PduHeader['drep'] {
  if ((d1 | d2 | d3) === 0) {
    if (d0 === 0x10) return DREP_LE;
    if (d0 === 0) return DREP_BE;
  }
  return [d0, d1, d2, d3];
}

/** Decode one whole PDU (the first frag_length bytes of `buf`). Never throws on peer bytes. A
 * one-shot convenience over PduDecoder (a connection uses its owner's decoder). */
export function decodePdu(buf: Uint8Array, opts: DecodeOptions = {}): DecodeResult {
  const d = new PduDecoder();
  const r = d.decodeAt(buf, 0, buf.length, opts.maxFragLength ?? 65535);
  return isPdu(r) ? { ok: true, pdu: r, anomalies: d.found.slice() } : { ok: false, anomaly: r };
}

/**
 * The PDU decoder of one owner (a sensor, a capture analysis): its reader and its anomaly list are
 * reused for every PDU of every connection it serves. Decoding is synchronous and the caller copies
 * `found` out before anything else runs, so sharing is safe within the owner, and two owners in one
 * process never share (one list per connection was held by thousands of open connections).
 */
export class PduDecoder {
  private readonly reader = new ByteReader(new Uint8Array(0));
  /** The anomalies found on the PDU last decoded (emptied at each decode; a rejected PDU leaves it
   * empty: it reports only why it was rejected). */
  readonly found: Anomaly[] = [];

  /** The PDU at buf[start, end) decoded in place (offsets inside the Pdu, such as the auth
   * trailer's, stay relative to `start`). Returns the Pdu, or the anomaly that rejected it. */
  decodeAt(buf: Uint8Array, start: number, end: number, maxFrag: number): Pdu | Anomaly {
    const anomalies = this.found;
    if (anomalies.length !== 0) anomalies.length = 0; // the length setter is slow even when nothing changes
    const h = decodeHeader(buf, start);
    if (h === undefined) return rejection('truncated_pdu', `${end - start} byte(s), a header needs 16`);
    const rejected = checkHeader(h, end - start, maxFrag);
    if (rejected) return rejected;
    let bodyEnd = h.fragLength;
    let auth: AuthVerifier | undefined;
    if (h.authLength > 0) {
      const trailerOffset = h.fragLength - h.authLength - SEC_TRAILER_LEN;
      if (trailerOffset < MIN_FRAG[h.ptype]) {
        return rejection('auth_length_exceeds_frag', `auth_length ${h.authLength} in frag_length ${h.fragLength}`, h.callId);
      }
      auth = decodeAuth(buf, start, trailerOffset, h);
      bodyEnd = trailerOffset;
    }
    const r = this.reader.reset(buf, start + COMMON_HEADER_LEN, start + bodyEnd, h.littleEndian);
    if (h.rpcVersMinor > 1) anomalies.push(dcerpcAnomaly('bad_version', `rpc_vers_minor ${h.rpcVersMinor}`, { callId: h.callId }));
    try {
      return decodeBody(r, h, auth, anomalies);
    } catch (e) {
      if (!(e instanceof TruncatedError)) throw e;
      anomalies.length = 0;
      return rejection('truncated_pdu', `${ptypeName(h.ptype)} body: ${e.message}`, h.callId);
    }
  }
}

/** Tells PduDecoder.decodeAt()'s two outcomes apart (an Anomaly has no `type`). */
export function isPdu(r: Pdu | Anomaly): r is Pdu {
  return (r as Pdu).type !== undefined;
}

function rejection(name: Parameters<typeof dcerpcAnomaly>[0], detail: string, callId?: number): Anomaly {
  return dcerpcAnomaly(name, detail, callId === undefined ? undefined : { callId });
}

function checkHeader(h: PduHeader, have: number, maxFrag: number): Anomaly | undefined {
  // (the { callId } options are made only for a rejection: this runs on every PDU)
  if (h.rpcVers !== 5) return dcerpcAnomaly('bad_version', `rpc_vers ${h.rpcVers}.${h.rpcVersMinor}`, { callId: h.callId });
  const min = MIN_FRAG[h.ptype];
  if (min === undefined) return dcerpcAnomaly('unknown_ptype', `ptype ${h.ptype} is not connection-oriented`, { callId: h.callId });
  if (h.fragLength < min) return dcerpcAnomaly('frag_length_too_small', `${ptypeName(h.ptype)} frag_length ${h.fragLength} < ${min}`, { callId: h.callId });
  if (h.fragLength > maxFrag) return dcerpcAnomaly('frag_length_exceeds_limit', `frag_length ${h.fragLength} > ${maxFrag}`, { callId: h.callId });
  if (have < h.fragLength) return dcerpcAnomaly('truncated_pdu', `${have} of ${h.fragLength} byte(s)`, { callId: h.callId });
  return undefined;
}

/** sec_trailer at frag_length - auth_length - 8 (MS-RPCE 2.2.2.11); auth_value runs to the end.
 * The caller has checked that the trailer lies inside the PDU, which starts at buf[start]. */
function decodeAuth(buf: Uint8Array, start: number, trailerOffset: number, h: PduHeader): AuthVerifier {
  const at = start + trailerOffset;
  return {
    authType: buf[at],
    authLevel: buf[at + 1],
    authPadLength: buf[at + 2],
    authReserved: buf[at + 3],
    authContextId: u32At(buf, at + 4, h.littleEndian),
    trailerOffset,
    authValue: buf.subarray(at + SEC_TRAILER_LEN, start + h.fragLength),
  };
}

function decodeBody(r: ByteReader, h: PduHeader, auth: AuthVerifier | undefined, anomalies: Anomaly[]): Pdu {
  switch (h.ptype) {
    case PTYPE.request:
      return decodeRequest(r, h, auth, anomalies);
    case PTYPE.response:
      return decodeResponse(r, h, auth, anomalies);
    case PTYPE.fault:
      return decodeFault(r, h, auth, anomalies);
    case PTYPE.bind:
    case PTYPE.alter_context:
      return decodeBind(r, h, auth);
    case PTYPE.bind_ack:
    case PTYPE.alter_context_resp:
      return decodeBindAck(r, h, auth);
    case PTYPE.bind_nak:
      return decodeBindNak(r, h, auth);
    case PTYPE.rts:
      return { type: 'rts', header: h, auth, rtsFlags: r.u16(), numberOfCommands: r.u16() } satisfies RtsPdu;
    default:
      return { type: ptypeName(h.ptype) as SimplePdu['type'], header: h, auth } satisfies SimplePdu;
  }
}

// Every decoded object carries its optional fields (auth, objectUuid, signature) even when
// undefined: one hidden class per type and no object spreads on the hot path.
/** Stub bytes up to the auth padding: the padding belongs to the verifier, not to the call. */
function stubOf(r: ByteReader, h: PduHeader, auth: AuthVerifier | undefined, anomalies: Anomaly[]): Uint8Array {
  let n = r.remaining;
  if (auth) {
    if (auth.authPadLength > n) {
      anomalies.push(dcerpcAnomaly('auth_pad_exceeds_stub', `auth_pad_length ${auth.authPadLength} > stub ${n}`, { callId: h.callId }));
    }
    n = Math.max(0, n - auth.authPadLength);
  }
  return r.bytes(n);
}

function decodeRequest(r: ByteReader, h: PduHeader, auth: AuthVerifier | undefined, anomalies: Anomaly[]): RequestPdu {
  const allocHint = r.u32();
  const ctxId = r.u16();
  const opnum = r.u16();
  const objectUuid = (h.flags & PFC.OBJECT_UUID) !== 0 ? uuidOf(r) : undefined;
  const stub = stubOf(r, h, auth, anomalies);
  return { type: 'request', header: h, auth, allocHint, ctxId, opnum, objectUuid, stub };
}

function decodeResponse(r: ByteReader, h: PduHeader, auth: AuthVerifier | undefined, anomalies: Anomaly[]): ResponsePdu {
  const allocHint = r.u32();
  const ctxId = r.u16();
  const cancelCount = r.u8();
  r.skip(1);
  return { type: 'response', header: h, auth, allocHint, ctxId, cancelCount, stub: stubOf(r, h, auth, anomalies) };
}

/** C706 12.6.4.7: status then 4 reserved bytes; some stacks end the PDU right after status. */
function decodeFault(r: ByteReader, h: PduHeader, auth: AuthVerifier | undefined, anomalies: Anomaly[]): FaultPdu {
  const allocHint = r.u32();
  const ctxId = r.u16();
  const cancelCount = r.u8();
  r.skip(1);
  const status = r.u32();
  if (r.remaining >= 4) r.skip(4);
  return { type: 'fault', header: h, auth, allocHint, ctxId, cancelCount, status, stub: stubOf(r, h, auth, anomalies) };
}

/** p_syntax_id_t: UUID then if_version u32, major in the low 16 bits (C706 12.6.3.1). */
function syntaxId(r: ByteReader): SyntaxId {
  const uuid = uuidOf(r);
  const v = r.u32();
  return { uuid, versionMajor: v & 0xffff, versionMinor: v >>> 16 };
}

function decodeBind(r: ByteReader, h: PduHeader, auth: AuthVerifier | undefined): BindPdu {
  const maxXmitFrag = r.u16();
  const maxRecvFrag = r.u16();
  const assocGroupId = r.u32();
  const n = r.u8();
  r.skip(3);
  // Lists start as one-element literals: pushing onto [] reserves 17 slots, and binds usually
  // offer one context with one transfer syntax.
  const contexts: PresentationContext[] = n === 0 ? [] : [presentationContext(r)];
  for (let i = 1; i < n; i++) contexts.push(presentationContext(r));
  const type = h.ptype === PTYPE.bind ? 'bind' : 'alter_context';
  return { type, header: h, auth, maxXmitFrag, maxRecvFrag, assocGroupId, contexts };
}

/** p_cont_elem_t (C706 12.6.3.1): context id, transfer syntax count, abstract then transfer syntaxes. */
function presentationContext(r: ByteReader): PresentationContext {
  const ctxId = r.u16();
  const nTransfer = r.u8();
  r.skip(1);
  const abstractSyntax = syntaxId(r);
  const transferSyntaxes: SyntaxId[] = nTransfer === 0 ? [] : [syntaxId(r)];
  for (let j = 1; j < nTransfer; j++) transferSyntaxes.push(syntaxId(r));
  return { ctxId, abstractSyntax, transferSyntaxes };
}

/** bind_ack: port_any_t secondary address (length includes the NUL), then 4-byte alignment
 * counted from the PDU start, then the result list (C706 12.6.4.4). */
function decodeBindAck(r: ByteReader, h: PduHeader, auth: AuthVerifier | undefined): BindAckPdu {
  const maxXmitFrag = r.u16();
  const maxRecvFrag = r.u16();
  const assocGroupId = r.u32();
  const addrLen = r.u16();
  const addr = r.bytes(addrLen);
  const nul = addr.indexOf(0);
  const secondaryAddress = latin1(nul < 0 ? addr : addr.subarray(0, nul));
  r.align(4, r.start - COMMON_HEADER_LEN); // counted from the PDU's first byte
  const n = r.u8();
  r.skip(3);
  const results: ContextResult[] = n === 0 ? [] : [contextResult(r)];
  for (let i = 1; i < n; i++) results.push(contextResult(r));
  const type = h.ptype === PTYPE.bind_ack ? 'bind_ack' : 'alter_context_resp';
  return { type, header: h, auth, maxXmitFrag, maxRecvFrag, assocGroupId, secondaryAddress, results };
}

/** p_result_t (C706 12.6.3.1): result, reason, transfer syntax. */
function contextResult(r: ByteReader): ContextResult {
  const result = r.u16();
  const reason = r.u16();
  return { result, reason, transferSyntax: syntaxId(r) };
}

/** bind_nak: reason, supported versions, then MS-RPCE 2.2.2.9's optional 16-byte signature. */
function decodeBindNak(r: ByteReader, h: PduHeader, auth: AuthVerifier | undefined): BindNakPdu {
  const rejectReason = r.u16();
  const n = r.u8();
  const versions: { major: number; minor: number }[] = [];
  for (let i = 0; i < n; i++) versions.push({ major: r.u8(), minor: r.u8() });
  const signature = r.remaining >= 16 ? uuidOf(r) : undefined;
  return { type: 'bind_nak', header: h, auth, rejectReason, versions, signature };
}

/** ByteReader.uuid() without its method call: binds carry several UUIDs (cached by their bytes). */
function uuidOf(r: ByteReader): string {
  const p = r.pos;
  r.skip(16);
  return uuidAt(r.buf, p, r.littleEndian);
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}
