// NTLMSSP messages (MS-NLMP 2.2.1.1-2.2.1.3, 2.2.2.1 AV pairs, 2.2.2.10 VERSION): decode and encode
// of NEGOTIATE, CHALLENGE and AUTHENTICATE. Written by hand (no maintained JS codec exists); every
// field offset/length pair is checked against the message, and a bad one returns undefined.

import { ByteReader } from '../../core/byte-reader.js';
import { ByteWriter } from '../../core/byte-writer.js';

export const NTLMSSP_SIGNATURE = new Uint8Array([0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00]); // "NTLMSSP\0"

/** NegotiateFlags bits (MS-NLMP 2.2.2.5) the codec and the persona use. */
export const NTLM_FLAGS = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  TARGET_TYPE_SERVER: 0x00020000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  KEY_EXCH: 0x40000000,
  N56: 0x80000000,
} as const;

/** AV pair ids (MS-NLMP 2.2.2.1). */
export const AV = { EOL: 0, NB_COMPUTER: 1, NB_DOMAIN: 2, DNS_COMPUTER: 3, DNS_DOMAIN: 4, DNS_TREE: 5, FLAGS: 6, TIMESTAMP: 7 } as const;

/** Largest NTLMSSP message the decoder looks at (Windows caps security blobs far below this). */
export const MAX_NTLMSSP_BYTES = 16 * 1024;

export interface NtlmVersion {
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  readonly revision: number;
}

/** Names a CHALLENGE's target info carries (what the exposure probe reports). */
export interface NtlmTargetInfo {
  nbComputer?: string;
  nbDomain?: string;
  dnsComputer?: string;
  dnsDomain?: string;
  dnsTree?: string;
  /** FILETIME, 100 ns since 1601, as a bigint. */
  timestamp?: bigint;
}

export interface NtlmNegotiate {
  readonly type: 1;
  readonly flags: number;
  readonly domain?: string;
  readonly workstation?: string;
  readonly version?: NtlmVersion;
}

export interface NtlmChallenge {
  readonly type: 2;
  readonly flags: number;
  readonly targetName: string;
  readonly serverChallenge: Uint8Array;
  readonly targetInfo: NtlmTargetInfo;
  readonly version?: NtlmVersion;
}

export interface NtlmAuthenticate {
  readonly type: 3;
  readonly flags: number;
  readonly domain: string;
  readonly user: string;
  readonly workstation: string;
  readonly lmResponseLength: number;
  readonly ntResponseLength: number;
  readonly sessionKeyLength: number;
  readonly version?: NtlmVersion;
  /** No user and no NT response: a null session (MS-NLMP 3.2.5.1.2 anonymous). */
  readonly anonymous: boolean;
}

export type NtlmMessage = NtlmNegotiate | NtlmChallenge | NtlmAuthenticate;

const utf16 = new TextDecoder('utf-16le');
const latin1 = new TextDecoder('latin1');

/** Offset of "NTLMSSP\0" in `b` (it sits inside SPNEGO or is the whole blob), or -1. */
export function findNtlmssp(b: Uint8Array, start = 0, end = b.length): number {
  const last = Math.min(end, b.length) - NTLMSSP_SIGNATURE.length;
  outer: for (let i = start; i <= last; i++) {
    if (b[i] !== 0x4e) continue;
    for (let j = 1; j < 8; j++) if (b[i + j] !== NTLMSSP_SIGNATURE[j]) continue outer;
    return i;
  }
  return -1;
}

/** Decode the NTLMSSP message at the start of `b` (payload offsets are relative to it). */
export function decodeNtlmssp(b: Uint8Array): NtlmMessage | undefined {
  if (b.length < 12 || b.length > MAX_NTLMSSP_BYTES || findNtlmssp(b, 0, 8) !== 0) return undefined;
  const r = new ByteReader(b, 0, b.length, true);
  r.skip(8);
  try {
    switch (r.u32()) {
      case 1:
        return decodeNegotiate(r, b);
      case 2:
        return decodeChallenge(r, b);
      case 3:
        return decodeAuthenticate(r, b);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** Decode the first NTLMSSP message found inside a security blob (SPNEGO or raw). */
export function ntlmsspIn(blob: Uint8Array): NtlmMessage | undefined {
  const at = findNtlmssp(blob);
  return at < 0 ? undefined : decodeNtlmssp(blob.subarray(at, Math.min(blob.length, at + MAX_NTLMSSP_BYTES)));
}

interface Field {
  readonly len: number;
  readonly off: number;
}
const field = (r: ByteReader): Field => {
  const len = r.u16();
  r.u16(); // MaxLen: informational
  return { len, off: r.u32() };
};
/** The bytes a field points at; throws (via the reader) when they lie outside the message. */
const fieldBytes = (b: Uint8Array, f: Field): Uint8Array => (f.len === 0 ? new Uint8Array(0) : sliceChecked(b, f));
function sliceChecked(b: Uint8Array, f: Field): Uint8Array {
  const r = new ByteReader(b, 0, b.length);
  r.seek(Math.min(f.off, b.length));
  return r.bytes(f.len);
}
const text = (bytes: Uint8Array, unicode: boolean): string => (unicode ? utf16.decode(bytes) : latin1.decode(bytes));

function version(r: ByteReader, flags: number, payloadStart: number): NtlmVersion | undefined {
  // VERSION is present only with NEGOTIATE_VERSION and when the payload does not start there
  if ((flags & NTLM_FLAGS.VERSION) === 0 || payloadStart < r.offset + 8) return undefined;
  const major = r.u8();
  const minor = r.u8();
  const build = r.u16();
  r.skip(3);
  return { major, minor, build, revision: r.u8() };
}

function decodeNegotiate(r: ByteReader, b: Uint8Array): NtlmNegotiate {
  const flags = r.u32();
  if (r.remaining < 16) return { type: 1, flags };
  const dom = field(r);
  const ws = field(r);
  const start = Math.min(...[dom, ws].filter((f) => f.len > 0).map((f) => f.off), b.length);
  const v = r.remaining >= 8 ? version(r, flags, start) : undefined;
  const out: { -readonly [K in keyof NtlmNegotiate]: NtlmNegotiate[K] } = { type: 1, flags };
  if (dom.len > 0) out.domain = text(fieldBytes(b, dom), false);
  if (ws.len > 0) out.workstation = text(fieldBytes(b, ws), false);
  if (v) out.version = v;
  return out;
}

function decodeChallenge(r: ByteReader, b: Uint8Array): NtlmChallenge {
  const target = field(r);
  const flags = r.u32();
  const serverChallenge = r.bytes(8);
  r.skip(8);
  const info = r.remaining >= 8 ? field(r) : { len: 0, off: 0 };
  const start = Math.min(...[target, info].filter((f) => f.len > 0).map((f) => f.off), b.length);
  const v = r.remaining >= 8 ? version(r, flags, start) : undefined;
  const unicode = (flags & NTLM_FLAGS.UNICODE) !== 0;
  const out: { -readonly [K in keyof NtlmChallenge]: NtlmChallenge[K] } = {
    type: 2, flags, targetName: text(fieldBytes(b, target), unicode), serverChallenge, targetInfo: decodeAvPairs(fieldBytes(b, info)),
  };
  if (v) out.version = v;
  return out;
}

function decodeAuthenticate(r: ByteReader, b: Uint8Array): NtlmAuthenticate {
  const lm = field(r);
  const nt = field(r);
  const dom = field(r);
  const user = field(r);
  const ws = field(r);
  const key = r.remaining >= 8 ? field(r) : { len: 0, off: 0 };
  const flags = r.remaining >= 4 ? r.u32() : 0;
  const start = Math.min(...[lm, nt, dom, user, ws, key].filter((f) => f.len > 0).map((f) => f.off), b.length);
  const v = r.remaining >= 8 ? version(r, flags, start) : undefined;
  const unicode = (flags & NTLM_FLAGS.UNICODE) !== 0;
  const userName = text(fieldBytes(b, user), unicode);
  const out: { -readonly [K in keyof NtlmAuthenticate]: NtlmAuthenticate[K] } = {
    type: 3, flags, domain: text(fieldBytes(b, dom), unicode), user: userName, workstation: text(fieldBytes(b, ws), unicode),
    lmResponseLength: fieldBytes(b, lm).length, ntResponseLength: fieldBytes(b, nt).length, sessionKeyLength: fieldBytes(b, key).length,
    anonymous: userName === '' && nt.len === 0,
  };
  if (v) out.version = v;
  return out;
}

/** AV pairs up to MsvAvEOL; a pair running past the end ends the list. */
export function decodeAvPairs(b: Uint8Array): NtlmTargetInfo {
  const out: NtlmTargetInfo = {};
  const r = new ByteReader(b, 0, b.length, true);
  while (r.remaining >= 4) {
    const id = r.u16();
    const len = r.u16();
    if (id === AV.EOL || len > r.remaining) break;
    const v = r.bytes(len);
    if (id === AV.NB_COMPUTER) out.nbComputer = utf16.decode(v);
    else if (id === AV.NB_DOMAIN) out.nbDomain = utf16.decode(v);
    else if (id === AV.DNS_COMPUTER) out.dnsComputer = utf16.decode(v);
    else if (id === AV.DNS_DOMAIN) out.dnsDomain = utf16.decode(v);
    else if (id === AV.DNS_TREE) out.dnsTree = utf16.decode(v);
    else if (id === AV.TIMESTAMP && len === 8) out.timestamp = new ByteReader(v, 0, 8, true).u64();
  }
  return out;
}

// ---- encoders ----

const utf16le = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf16le'));

function writeVersion(w: ByteWriter, v: NtlmVersion | undefined): void {
  if (!v) return void w.zeros(8);
  w.u8(v.major).u8(v.minor).u16(v.build).zeros(3).u8(v.revision);
}

/** Lay out fixed part + payload: `fields` are written as (len, maxlen, offset) in order. */
function withPayload(head: (w: ByteWriter, put: (bytes: Uint8Array) => void) => void, fixedLen: number): Uint8Array {
  const payload: Uint8Array[] = [];
  let at = fixedLen;
  const w = new ByteWriter(true, fixedLen + 256);
  head(w, (bytes) => {
    w.u16(bytes.length).u16(bytes.length).u32(bytes.length === 0 ? 0 : at);
    payload.push(bytes);
    at += bytes.length;
  });
  for (const p of payload) w.bytes(p);
  return w.finish();
}

export function encodeNegotiate(m: Omit<NtlmNegotiate, 'type'>): Uint8Array {
  const dom = new Uint8Array(Buffer.from(m.domain ?? '', 'latin1'));
  const ws = new Uint8Array(Buffer.from(m.workstation ?? '', 'latin1'));
  return withPayload((w, put) => {
    w.bytes(NTLMSSP_SIGNATURE).u32(1).u32(m.flags);
    put(dom);
    put(ws);
    writeVersion(w, m.version);
  }, 40);
}

export function encodeAvPairs(t: NtlmTargetInfo): Uint8Array {
  const w = new ByteWriter(true, 128);
  const str = (id: number, s: string | undefined): void => {
    if (s === undefined) return;
    const b = utf16le(s);
    w.u16(id).u16(b.length).bytes(b);
  };
  str(AV.NB_DOMAIN, t.nbDomain);
  str(AV.NB_COMPUTER, t.nbComputer);
  str(AV.DNS_DOMAIN, t.dnsDomain);
  str(AV.DNS_COMPUTER, t.dnsComputer);
  str(AV.DNS_TREE, t.dnsTree);
  if (t.timestamp !== undefined) w.u16(AV.TIMESTAMP).u16(8).u64(t.timestamp);
  w.u16(AV.EOL).u16(0);
  return w.finish();
}

export function encodeChallenge(m: Omit<NtlmChallenge, 'type'>): Uint8Array {
  const unicode = (m.flags & NTLM_FLAGS.UNICODE) !== 0;
  const target = unicode ? utf16le(m.targetName) : new Uint8Array(Buffer.from(m.targetName, 'latin1'));
  const info = encodeAvPairs(m.targetInfo);
  return withPayload((w, put) => {
    w.bytes(NTLMSSP_SIGNATURE).u32(2);
    put(target);
    w.u32(m.flags).bytes(m.serverChallenge.subarray(0, 8)).zeros(8 - Math.min(8, m.serverChallenge.length)).zeros(8);
    put(info);
    writeVersion(w, m.version);
  }, 56);
}

export interface AuthenticateInput {
  readonly flags: number;
  readonly domain: string;
  readonly user: string;
  readonly workstation: string;
  readonly lmResponse: Uint8Array;
  readonly ntResponse: Uint8Array;
  readonly sessionKey?: Uint8Array;
  readonly version?: NtlmVersion;
}

export function encodeAuthenticate(m: AuthenticateInput): Uint8Array {
  const s = (v: string): Uint8Array => ((m.flags & NTLM_FLAGS.UNICODE) !== 0 ? utf16le(v) : new Uint8Array(Buffer.from(v, 'latin1')));
  return withPayload((w, put) => {
    w.bytes(NTLMSSP_SIGNATURE).u32(3);
    put(m.lmResponse);
    put(m.ntResponse);
    put(s(m.domain));
    put(s(m.user));
    put(s(m.workstation));
    put(m.sessionKey ?? new Uint8Array(0));
    w.u32(m.flags);
    writeVersion(w, m.version);
  }, 72);
}
