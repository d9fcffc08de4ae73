// Encoder of connection-oriented DCE/RPC PDUs (C706 chapter 12.6, MS-RPCE 2.2.2) for what Vigil
// sends: sensor replies, scanner probes and test vectors. frag_length and auth_length are computed.

import { ByteWriter } from '../../core/byte-writer.js';
import { AppError } from '../../core/errors.js';
import {
  PFC,
  PTYPE,
  type AuthVerifier,
  type ContextResult,
  type Pdu,
  type PresentationContext,
  type SyntaxId,
} from './pdu-types.js';

/** The verifier to append: sec_trailer fields and the opaque auth_value (MS-RPCE 2.2.2.11). */
export interface AuthSpec {
  readonly authType: number;
  readonly authLevel: number;
  readonly authContextId?: number;
  readonly authReserved?: number;
  /** Padding before the sec_trailer; default: whatever 4-aligns the trailer from the PDU start. */
  readonly authPadLength?: number;
  readonly authValue: Uint8Array;
}

export interface EncodeOptions {
  readonly callId?: number;
  /** pfc_flags; default FIRST_FRAG | LAST_FRAG. */
  readonly flags?: number;
  /** Integer byte order; default little-endian. Ignored when `drep` is given. */
  readonly littleEndian?: boolean;
  /** The 4 drep bytes; default 10 00 00 00 (or 00 00 00 00 for big-endian). */
  readonly drep?: readonly [number, number, number, number];
  readonly rpcVersMinor?: number;
  readonly auth?: AuthSpec;
}

export interface RequestOptions extends EncodeOptions {
  readonly ctxId?: number;
  readonly opnum: number;
  /** Default: the stub length. */
  readonly allocHint?: number;
  /** Sets PFC_OBJECT_UUID and writes the UUID after the opnum. */
  readonly objectUuid?: string;
  readonly stub?: Uint8Array;
}
export interface ResponseOptions extends EncodeOptions {
  readonly ctxId?: number;
  readonly cancelCount?: number;
  readonly allocHint?: number;
  readonly stub?: Uint8Array;
}
export interface FaultOptions extends ResponseOptions {
  readonly status: number;
}
export interface BindOptions extends EncodeOptions {
  readonly maxXmitFrag?: number;
  readonly maxRecvFrag?: number;
  readonly assocGroupId?: number;
  readonly contexts: readonly PresentationContext[];
}
export interface BindAckOptions extends EncodeOptions {
  readonly type?: 'bind_ack' | 'alter_context_resp';
  readonly maxXmitFrag?: number;
  readonly maxRecvFrag?: number;
  readonly assocGroupId?: number;
  /** Written with its terminating NUL; '' writes an empty port_spec (as alter_context_resp does). */
  readonly secondaryAddress?: string;
  readonly results: readonly ContextResult[];
}
export interface BindNakOptions extends EncodeOptions {
  readonly rejectReason: number;
  readonly versions?: readonly { readonly major: number; readonly minor: number }[];
  readonly signature?: string;
}

const DEFAULT_FRAG = 5840; // what Windows offers and accepts (zeek_kerberos135_auth bind_ack)

function writePdu(ptype: number, o: EncodeOptions, body: (w: ByteWriter) => void, extraFlags = 0): Uint8Array {
  const drep = o.drep ?? (o.littleEndian === false ? [0, 0, 0, 0] : [0x10, 0, 0, 0]);
  const w = new ByteWriter((drep[0] & 0x10) !== 0, 256);
  const flags = (o.flags ?? PFC.FIRST_FRAG | PFC.LAST_FRAG) | extraFlags;
  w.u8(5).u8(o.rpcVersMinor ?? 0).u8(ptype).u8(flags);
  for (const d of drep) w.u8(d);
  w.u16(0).u16(0).u32(o.callId ?? 1);
  body(w);
  let authLength = 0;
  if (o.auth) {
    const a = o.auth;
    const pad = a.authPadLength ?? (4 - (w.pos % 4)) % 4;
    w.zeros(pad);
    w.u8(a.authType).u8(a.authLevel).u8(pad).u8(a.authReserved ?? 0).u32(a.authContextId ?? 0);
    w.bytes(a.authValue);
    authLength = a.authValue.length;
  }
  if (w.pos > 0xffff) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `PDU of ${w.pos} bytes exceeds frag_length's 65535; fragment it`);
  w.patchU16(8, w.pos).patchU16(10, authLength);
  return w.finish();
}

/**
 * `pdu` (one whole PDU as encoded, any type) with a verifier appended: auth padding, the 8-byte
 * sec_trailer (auth_type, auth_level, auth_pad_length, auth_reserved, auth_context_id: MS-RPCE
 * 2.2.2.11, C706 13.2.6.1's auth_verifier_co_t) and auth_value; frag_length and auth_length are
 * patched in the header's byte order. `align` pads the trailer's start to that multiple counted from
 * the PDU body (offset 16): MS-RPCE 2.2.2.11 asks 16 for request/response stubs; binds use 4 as
 * Windows and impacket send them (the body already ends 4-aligned there).
 */
export function appendAuthVerifier(pdu: Uint8Array, auth: AuthSpec, align = 4): Uint8Array {
  const littleEndian = (pdu[4] & 0x10) !== 0;
  const body = pdu.length - 16;
  const pad = auth.authPadLength ?? (align - (body % align)) % align;
  const total = pdu.length + pad + 8 + auth.authValue.length;
  if (total > 0xffff) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `PDU of ${total} bytes exceeds frag_length's 65535; fragment it`);
  const w = new ByteWriter(littleEndian, total);
  w.bytes(pdu).zeros(pad);
  w.u8(auth.authType).u8(auth.authLevel).u8(pad).u8(auth.authReserved ?? 0).u32(auth.authContextId ?? 0);
  w.bytes(auth.authValue);
  w.patchU16(8, total).patchU16(10, auth.authValue.length);
  return w.finish();
}

function syntax(w: ByteWriter, s: SyntaxId): void {
  w.uuid(s.uuid).u32(((s.versionMinor & 0xffff) << 16) | (s.versionMajor & 0xffff));
}

export function encodeRequest(o: RequestOptions): Uint8Array {
  const stub = o.stub ?? new Uint8Array(0);
  const objFlag = o.objectUuid !== undefined ? PFC.OBJECT_UUID : 0;
  return writePdu(PTYPE.request, o, (w) => {
    w.u32(o.allocHint ?? stub.length).u16(o.ctxId ?? 0).u16(o.opnum);
    if (o.objectUuid !== undefined) w.uuid(o.objectUuid);
    w.bytes(stub);
  }, objFlag);
}

export function encodeResponse(o: ResponseOptions): Uint8Array {
  const stub = o.stub ?? new Uint8Array(0);
  return writePdu(PTYPE.response, o, (w) => {
    w.u32(o.allocHint ?? stub.length).u16(o.ctxId ?? 0).u8(o.cancelCount ?? 0).u8(0).bytes(stub);
  });
}

/** Fault (C706 12.6.4.7): 32 bytes as Windows sends them, e.g. status 0x1c010002 nca_op_rng_error. */
export function encodeFault(o: FaultOptions): Uint8Array {
  const stub = o.stub ?? new Uint8Array(0);
  return writePdu(PTYPE.fault, o, (w) => {
    w.u32(o.allocHint ?? stub.length).u16(o.ctxId ?? 0).u8(o.cancelCount ?? 0).u8(0).u32(o.status).u32(0).bytes(stub);
  });
}

function bindBody(o: BindOptions): (w: ByteWriter) => void {
  return (w) => {
    w.u16(o.maxXmitFrag ?? DEFAULT_FRAG).u16(o.maxRecvFrag ?? DEFAULT_FRAG).u32(o.assocGroupId ?? 0);
    w.u8(o.contexts.length).u8(0).u16(0);
    for (const c of o.contexts) {
      w.u16(c.ctxId).u8(c.transferSyntaxes.length).u8(0);
      syntax(w, c.abstractSyntax);
      for (const t of c.transferSyntaxes) syntax(w, t);
    }
  };
}

export function encodeBind(o: BindOptions): Uint8Array {
  return writePdu(PTYPE.bind, o, bindBody(o));
}
export function encodeAlterContext(o: BindOptions): Uint8Array {
  return writePdu(PTYPE.alter_context, o, bindBody(o));
}

/** bind_ack or alter_context_resp: the result list is 4-aligned from the PDU start (C706 12.6.4.4). */
export function encodeBindAck(o: BindAckOptions): Uint8Array {
  const ptype = o.type === 'alter_context_resp' ? PTYPE.alter_context_resp : PTYPE.bind_ack;
  return writePdu(ptype, o, (w) => {
    w.u16(o.maxXmitFrag ?? DEFAULT_FRAG).u16(o.maxRecvFrag ?? DEFAULT_FRAG).u32(o.assocGroupId ?? 0);
    const addr = o.secondaryAddress ?? '';
    if (addr === '') w.u16(0);
    else {
      w.u16(addr.length + 1);
      for (let i = 0; i < addr.length; i++) w.u8(addr.charCodeAt(i));
      w.u8(0);
    }
    w.align(4, 0);
    w.u8(o.results.length).u8(0).u16(0);
    for (const r of o.results) {
      w.u16(r.result).u16(r.reason);
      syntax(w, r.transferSyntax);
    }
  });
}
export function encodeAlterContextResp(o: BindAckOptions): Uint8Array {
  return encodeBindAck({ ...o, type: 'alter_context_resp' });
}

export function encodeBindNak(o: BindNakOptions): Uint8Array {
  const versions = o.versions ?? [{ major: 5, minor: 0 }];
  return writePdu(PTYPE.bind_nak, o, (w) => {
    w.u16(o.rejectReason).u8(versions.length);
    for (const v of versions) w.u8(v.major).u8(v.minor);
    if (o.signature !== undefined) w.uuid(o.signature);
  });
}

/** auth3 (MS-RPCE 2.2.2.10): 4 pad bytes, then the verifier. */
export function encodeAuth3(o: EncodeOptions): Uint8Array {
  return writePdu(PTYPE.auth3, o, (w) => void w.zeros(4));
}
export function encodeShutdown(o: EncodeOptions = {}): Uint8Array {
  return writePdu(PTYPE.shutdown, o, () => undefined);
}
export function encodeCoCancel(o: EncodeOptions = {}): Uint8Array {
  return writePdu(PTYPE.co_cancel, o, () => undefined);
}
export function encodeOrphaned(o: EncodeOptions = {}): Uint8Array {
  return writePdu(PTYPE.orphaned, o, () => undefined);
}

function authSpecOf(a: AuthVerifier | undefined): AuthSpec | undefined {
  if (!a) return undefined;
  const { authType, authLevel, authContextId, authReserved, authPadLength, authValue } = a;
  return { authType, authLevel, authContextId, authReserved, authPadLength, authValue };
}

/** Re-encode a decoded PDU (header flags, drep, call_id and verifier kept; lengths recomputed). */
export function encodePdu(pdu: Pdu): Uint8Array {
  const h = pdu.header;
  const base: EncodeOptions = { callId: h.callId, flags: h.flags, drep: h.drep, rpcVersMinor: h.rpcVersMinor, auth: authSpecOf(pdu.auth) };
  switch (pdu.type) {
    case 'request':
      return encodeRequest({ ...base, ...pdu, flags: h.flags & ~PFC.OBJECT_UUID });
    case 'response':
      return encodeResponse({ ...base, ...pdu });
    case 'fault':
      return encodeFault({ ...base, ...pdu });
    case 'bind':
      return encodeBind({ ...base, ...pdu });
    case 'alter_context':
      return encodeAlterContext({ ...base, ...pdu });
    case 'bind_ack':
    case 'alter_context_resp':
      return encodeBindAck({ ...base, ...pdu });
    case 'bind_nak':
      return encodeBindNak({ ...base, ...pdu });
    case 'auth3':
      return encodeAuth3(base);
    case 'rts':
      return writePdu(PTYPE.rts, base, (w) => void w.u16(pdu.rtsFlags).u16(pdu.numberOfCommands));
    default:
      return writePdu(PTYPE[pdu.type], base, () => undefined);
  }
}

/** Split a stub into request fragments of at most maxFragStub bytes each (C706 12.6.3.7): FIRST on
 * the first, LAST on the last, alloc_hint = stub bytes remaining, and on every fragment the same
 * object UUID and verifier, as Windows sends them. */
export function fragmentRequest(o: RequestOptions & { readonly stub: Uint8Array; readonly maxFragStub: number }): Uint8Array[] {
  return fragment(o, (opts) => encodeRequest(opts));
}
export function fragmentResponse(o: ResponseOptions & { readonly stub: Uint8Array; readonly maxFragStub: number }): Uint8Array[] {
  return fragment(o, (opts) => encodeResponse(opts));
}

function fragment<T extends EncodeOptions & { stub: Uint8Array; maxFragStub: number; allocHint?: number }>(
  o: T,
  enc: (opts: T) => Uint8Array,
): Uint8Array[] {
  if (!Number.isInteger(o.maxFragStub) || o.maxFragStub < 1) {
    throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `maxFragStub must be a positive integer, got ${o.maxFragStub}`);
  }
  const other = (o.flags ?? 0) & ~(PFC.FIRST_FRAG | PFC.LAST_FRAG);
  const out: Uint8Array[] = [];
  const total = o.stub.length;
  let at = 0;
  do {
    const end = Math.min(total, at + o.maxFragStub);
    const flags = other | (at === 0 ? PFC.FIRST_FRAG : 0) | (end === total ? PFC.LAST_FRAG : 0);
    out.push(enc({ ...o, flags, allocHint: total - at, stub: o.stub.subarray(at, end) }));
    at = end;
  } while (at < total);
  return out;
}
