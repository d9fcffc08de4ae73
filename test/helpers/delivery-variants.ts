// Test traffic generator: one inert DCOM activation request (filler-letter UNC names, never
// shellcode) as client byte streams under every delivery variant of issue 2 (fragments, segments, drep, ...).

import {
  encodeAlterContext, encodeBind, fragmentRequest, PFC, TRANSFER_SYNTAX,
  type AuthSpec, type PresentationContext, type SyntaxId,
} from '../../src/protocols/dcerpc/index.js';
import {
  EPM, IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR,
  encodeRemoteActivationRequest, encodeRemoteCreateInstanceRequest, encodeRemoteGetClassObjectRequest,
} from '../../src/protocols/dcerpc/interfaces/index.js';

export type ActivationKind = 'RemoteActivation' | 'RemoteCreateInstance' | 'RemoteGetClassObject';

export interface ActivationCall {
  readonly kind: ActivationKind;
  readonly iface: SyntaxId;
  readonly opnum: number;
  /** The UNC name carried (object name, file name or server name). */
  readonly name: string;
  /** The stub as it must come out of reassembly, in the variant's byte order. */
  stub(littleEndian: boolean): Uint8Array;
}

export interface DeliveryVariant {
  readonly name: string;
  readonly littleEndian: boolean;
  /** Client-to-server TCP segments, in order. */
  readonly chunks: readonly Uint8Array[];
}

const CLSID = '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57';

/** `\\<filler x n>\c$\x.doc`: a server component longer than any host name, made of one letter. */
export function inertUncName(serverLength = 600, filler = 'A'): string {
  if (!/^[A-Za-z]$/.test(filler)) throw new RangeError('filler must be one letter (inert test traffic)');
  return `\\\\${filler.repeat(serverLength)}\\c$\\x.doc`;
}

export function activationCall(kind: ActivationKind = 'RemoteActivation', name = inertUncName()): ActivationCall {
  const sa = { uuid: ISYSTEM_ACTIVATOR.uuid, versionMajor: 0, versionMinor: 0 };
  switch (kind) {
    case 'RemoteActivation':
      return { kind, name, iface: { uuid: IREMOTE_ACTIVATION.uuid, versionMajor: 0, versionMinor: 0 }, opnum: 0, stub: (le) => encodeRemoteActivationRequest({ clsid: CLSID, objectName: name }, le) };
    case 'RemoteCreateInstance':
      return { kind, name, iface: sa, opnum: 4, stub: (le) => encodeRemoteCreateInstanceRequest({ clsid: CLSID, fileName: name, serverName: 'HOST' }, le) };
    case 'RemoteGetClassObject':
      return { kind, name, iface: sa, opnum: 3, stub: (le) => encodeRemoteGetClassObjectRequest({ clsid: CLSID, serverName: name }, le) };
  }
}

const ctx = (ctxId: number, abstractSyntax: SyntaxId, ts: SyntaxId = TRANSFER_SYNTAX.NDR): PresentationContext => ({ ctxId, abstractSyntax, transferSyntaxes: [ts] });
const EPM_SYNTAX: SyntaxId = { uuid: EPM.uuid, versionMajor: EPM.versionMajor, versionMinor: 0 };
/** Harmless-looking extra contexts an evader offers before the real one. */
const BOGUS: SyntaxId[] = [
  { uuid: '12345778-1234-abcd-ef00-0123456789ab', versionMajor: 0, versionMinor: 0 },
  { uuid: '0badc0de-0000-4000-8000-00000000beef', versionMajor: 1, versionMinor: 0 },
  EPM_SYNTAX,
];
/** NTLMSSP-shaped verifiers with zero bytes: an auth trailer, no credentials. */
const BIND_AUTH: AuthSpec = { authType: 10, authLevel: 5, authValue: new Uint8Array([...Buffer.from('NTLMSSP\0'), 1, 0, 0, 0, 0x07, 0x82, 0x08, 0xa2, ...new Uint8Array(16)]) };
const REQ_AUTH: AuthSpec = { authType: 10, authLevel: 5, authValue: new Uint8Array([1, 0, 0, 0, ...new Uint8Array(12)]) };

interface Shape {
  littleEndian?: boolean;
  maxFragStub?: number;
  objectUuid?: string;
  bogusContexts?: boolean;
  alterContext?: boolean;
  bindFlags?: number;
  auth?: boolean;
}

function pdus(call: ActivationCall, s: Shape): Uint8Array[] {
  const le = s.littleEndian ?? true;
  const stub = call.stub(le);
  const base = { littleEndian: le, ...(s.auth ? { auth: BIND_AUTH } : {}) };
  const bindFlags = s.bindFlags ?? PFC.FIRST_FRAG | PFC.LAST_FRAG;
  const out: Uint8Array[] = [];
  let ctxId = 0;
  if (s.alterContext) {
    out.push(encodeBind({ ...base, callId: 1, flags: bindFlags, contexts: [ctx(0, EPM_SYNTAX)] }));
    out.push(encodeAlterContext({ ...base, callId: 2, contexts: [ctx(1, call.iface)] }));
    ctxId = 1;
  } else if (s.bogusContexts) {
    out.push(encodeBind({ ...base, callId: 1, flags: bindFlags, contexts: [...BOGUS.map((b, i) => ctx(i, b)), ctx(BOGUS.length, call.iface), ctx(9, call.iface, TRANSFER_SYNTAX.NDR64)] }));
    ctxId = BOGUS.length;
  } else {
    out.push(encodeBind({ ...base, callId: 1, flags: bindFlags, contexts: [ctx(0, call.iface)] }));
  }
  out.push(...fragmentRequest({
    littleEndian: le, callId: 7, ctxId, opnum: call.opnum, stub, maxFragStub: s.maxFragStub ?? stub.length,
    ...(s.objectUuid ? { objectUuid: s.objectUuid } : {}), ...(s.auth ? { auth: REQ_AUTH } : {}),
  }));
  return out;
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const bytewise = (b: Uint8Array): Uint8Array[] => Array.from(b, (_, i) => b.subarray(i, i + 1));

/** Every delivery variant of the activation call: each yields the same call once reassembled. */
export function deliveryVariants(call: ActivationCall = activationCall()): DeliveryVariant[] {
  const len = call.stub(true).length;
  const v = (name: string, s: Shape, segment: 'per-pdu' | 'one' | 'bytes' = 'per-pdu'): DeliveryVariant => {
    const p = pdus(call, s);
    const chunks = segment === 'one' ? [concat(p)] : segment === 'bytes' ? bytewise(concat(p)) : p;
    return { name, littleEndian: s.littleEndian ?? true, chunks };
  };
  return [
    v('plain', {}),
    ...[2, 3, 7].map((n) => v(`${n} fragments`, { maxFragStub: Math.ceil(len / n) })),
    v('fragments of 13 bytes', { maxFragStub: 13 }),
    v('fragments of 1 byte', { maxFragStub: 1 }),
    v('1-byte TCP segments', {}, 'bytes'),
    v('all PDUs in one segment', { maxFragStub: Math.ceil(len / 3) }, 'one'),
    v('big-endian drep', { littleEndian: false }),
    v('big-endian drep, 5 fragments', { littleEndian: false, maxFragStub: Math.ceil(len / 5) }),
    v('PFC_OBJECT_UUID set', { objectUuid: '11111111-2222-3333-4444-555555555555' }),
    v('bogus contexts in the bind', { bogusContexts: true }),
    v('harmless bind then alter_context', { alterContext: true }),
    v('bind without PFC_FIRST_FRAG', { bindFlags: 0 }),
    v('auth trailer (NTLM, integrity)', { auth: true }),
    v('auth trailer on 4 fragments', { auth: true, maxFragStub: Math.ceil(len / 4) }),
    v('everything at once', {
      littleEndian: false, maxFragStub: 13, objectUuid: '11111111-2222-3333-4444-555555555555', alterContext: true, bindFlags: 0, auth: true,
    }, 'bytes'),
  ];
}
