// Decoded forms of the connection-oriented DCE/RPC PDUs (C706 chapter 12.6, MS-RPCE 2.2.2).
// This file is the contract between the codec, the connection tracker, the sensor and the CLI.

export const PTYPE = {
  request: 0,
  ping: 1,
  response: 2,
  fault: 3,
  working: 4,
  nocall: 5,
  reject: 6,
  ack: 7,
  cl_cancel: 8,
  fack: 9,
  cancel_ack: 10,
  bind: 11,
  bind_ack: 12,
  bind_nak: 13,
  alter_context: 14,
  alter_context_resp: 15,
  auth3: 16,
  shutdown: 17,
  co_cancel: 18,
  orphaned: 19,
  rts: 20,
} as const;
export type PtypeName = keyof typeof PTYPE;

/** pfc_flags bits (C706 12.6.3.1; MS-RPCE 2.2.2.3 for SUPPORT_HEADER_SIGN). */
export const PFC = {
  FIRST_FRAG: 0x01,
  LAST_FRAG: 0x02,
  PENDING_CANCEL: 0x04, // also MS-RPCE PFC_SUPPORT_HEADER_SIGN on bind/alter_context
  RESERVED_1: 0x08,
  CONC_MPX: 0x10,
  DID_NOT_EXECUTE: 0x20,
  MAYBE: 0x40,
  OBJECT_UUID: 0x80,
} as const;

/** auth_type values (MS-RPCE 2.2.1.1.7): the security providers a sec_trailer names. */
export const AUTHN = {
  NONE: 0x00,
  GSS_NEGOTIATE: 0x09, // SPNEGO
  WINNT: 0x0a, // NTLM
  GSS_SCHANNEL: 0x0e,
  GSS_KERBEROS: 0x10,
  NETLOGON: 0x44,
  DEFAULT: 0xff, // same as WINNT
} as const;

/** auth_level values (MS-RPCE 2.2.1.1.8). From PKT_INTEGRITY on, every request and response carries
 * a verifier (a signature); at PKT_PRIVACY the stub itself is encrypted (MS-RPCE 3.3.1.5.2.2). */
export const AUTHN_LEVEL = {
  DEFAULT: 0,
  NONE: 1,
  CONNECT: 2,
  CALL: 3,
  PKT: 4,
  PKT_INTEGRITY: 5,
  PKT_PRIVACY: 6,
} as const;

export const COMMON_HEADER_LEN = 16;
export const SEC_TRAILER_LEN = 8;

export interface PduHeader {
  readonly rpcVers: number;
  readonly rpcVersMinor: number;
  readonly ptype: number;
  readonly flags: number;
  /** The 4 drep bytes as sent. */
  readonly drep: readonly [number, number, number, number];
  /** drep[0] & 0x10: integers little-endian. */
  readonly littleEndian: boolean;
  readonly fragLength: number;
  readonly authLength: number;
  readonly callId: number;
}

/** sec_trailer + auth_value (C706 13.2.6.1, MS-RPCE 2.2.2.11). */
export interface AuthVerifier {
  readonly authType: number;
  readonly authLevel: number;
  readonly authPadLength: number;
  readonly authReserved: number;
  readonly authContextId: number;
  /** Offset of the sec_trailer within the PDU. */
  readonly trailerOffset: number;
  readonly authValue: Uint8Array;
}

export interface SyntaxId {
  readonly uuid: string;
  /** if_version: major in the low 16 bits, minor in the high 16 bits, as on the wire. */
  readonly versionMajor: number;
  readonly versionMinor: number;
}

export interface PresentationContext {
  readonly ctxId: number;
  readonly abstractSyntax: SyntaxId;
  readonly transferSyntaxes: readonly SyntaxId[];
}

export interface ContextResult {
  /** 0 acceptance, 1 user_rejection, 2 provider_rejection, 3 negotiate_ack (MS-RPCE 2.2.2.4). */
  readonly result: number;
  /** Provider reason, or for negotiate_ack the bind-time feature bitmask. */
  readonly reason: number;
  readonly transferSyntax: SyntaxId;
}

interface PduBase {
  readonly header: PduHeader;
  readonly auth?: AuthVerifier;
}

export interface RequestPdu extends PduBase {
  readonly type: 'request';
  readonly allocHint: number;
  readonly ctxId: number;
  readonly opnum: number;
  readonly objectUuid?: string;
  /** Stub bytes of this fragment: after the header (and object UUID), before auth padding + trailer. */
  readonly stub: Uint8Array;
}
export interface ResponsePdu extends PduBase {
  readonly type: 'response';
  readonly allocHint: number;
  readonly ctxId: number;
  readonly cancelCount: number;
  readonly stub: Uint8Array;
}
export interface FaultPdu extends PduBase {
  readonly type: 'fault';
  readonly allocHint: number;
  readonly ctxId: number;
  readonly cancelCount: number;
  readonly status: number;
  /** MS-RPCE extended error information, if any bytes follow. */
  readonly stub: Uint8Array;
}
export interface BindPdu extends PduBase {
  readonly type: 'bind' | 'alter_context';
  readonly maxXmitFrag: number;
  readonly maxRecvFrag: number;
  readonly assocGroupId: number;
  readonly contexts: readonly PresentationContext[];
}
export interface BindAckPdu extends PduBase {
  readonly type: 'bind_ack' | 'alter_context_resp';
  readonly maxXmitFrag: number;
  readonly maxRecvFrag: number;
  readonly assocGroupId: number;
  /** Secondary address without its terminating NUL (e.g. "135"); empty string when port_spec is empty. */
  readonly secondaryAddress: string;
  readonly results: readonly ContextResult[];
}
export interface BindNakPdu extends PduBase {
  readonly type: 'bind_nak';
  readonly rejectReason: number;
  readonly versions: readonly { readonly major: number; readonly minor: number }[];
  /** MS-RPCE 2.2.2.5 optional signature (a UUID), when present. */
  readonly signature?: string;
}
/** auth3, shutdown, co_cancel, orphaned: no body beyond padding and the auth verifier. */
export interface SimplePdu extends PduBase {
  readonly type: 'auth3' | 'shutdown' | 'co_cancel' | 'orphaned';
}
export interface RtsPdu extends PduBase {
  readonly type: 'rts';
  readonly rtsFlags: number;
  readonly numberOfCommands: number;
}

export type Pdu =
  | RequestPdu
  | ResponsePdu
  | FaultPdu
  | BindPdu
  | BindAckPdu
  | BindNakPdu
  | SimplePdu
  | RtsPdu;

/** Well-known transfer syntaxes. */
export const TRANSFER_SYNTAX = {
  NDR: { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', versionMajor: 2, versionMinor: 0 },
  NDR64: { uuid: '71710533-beba-4937-8319-b5dbef9ccc36', versionMajor: 1, versionMinor: 0 },
} as const satisfies Record<string, SyntaxId>;

/** Bind-time feature negotiation syntaxes are 6cb71c2c-9812-4540-XXXX-000000000000 (MS-RPCE 3.3.1.5.3). */
export const BTFN_PREFIX = '6cb71c2c-9812-4540-';
