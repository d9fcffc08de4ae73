// Client byte streams that deliver one activation request under each evasion variant of the
// DCE/RPC issue (fragments, 1-byte segments, big-endian, object UUID, bogus contexts, alter_context,
// bind without first-frag, auth trailer), plus the engine run that turns them into CallRecords.
// Stubs carry inert filler ('A's) where an exploit would put its overflow; never shellcode.

import type { CallRecord } from '../../src/model/call.js';
import { DcerpcConnection } from '../../src/protocols/dcerpc/connection.js';
import { encodeAlterContext, encodeAlterContextResp, encodeBind, encodeBindAck, encodeRequest, fragmentRequest, type AuthSpec } from '../../src/protocols/dcerpc/pdu-encode.js';
import { PFC, type SyntaxId } from '../../src/protocols/dcerpc/pdu-types.js';
import {
  activationProperties, decodeRequestStub, encodeRemoteActivationRequest, encodeSystemActivatorRequest, EPM, IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR, OPNUM,
} from '../../src/protocols/dcerpc/interfaces/index.js';
import { NDR20_SYNTAX_UUID } from '../../src/protocols/dcerpc/ndr/index.js';

export const VARIANTS = ['plain', 'fragments', 'one_byte_segments', 'big_endian', 'object_uuid', 'bogus_contexts', 'alter_context', 'bind_without_first_frag', 'auth_trailer'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface ActivationCase {
  readonly name: string;
  readonly iface: SyntaxId;
  readonly opnum: number;
  /** Stub in the given byte order. */
  readonly stub: (littleEndian: boolean) => Uint8Array;
}

const NDR20: SyntaxId = { uuid: NDR20_SYNTAX_UUID, versionMajor: 2, versionMinor: 0 };
const syntax = (i: { uuid: string; versionMajor: number; versionMinor: number }): SyntaxId => ({ uuid: i.uuid, versionMajor: i.versionMajor, versionMinor: i.versionMinor });
export const IREMOTE: SyntaxId = syntax(IREMOTE_ACTIVATION);
export const ISYSACT: SyntaxId = syntax(ISYSTEM_ACTIVATOR);
const AUTH: AuthSpec = { authType: 10, authLevel: 2, authValue: new Uint8Array(16).fill(0x4e) }; // NTLMSSP-shaped, inert

interface Pdus {
  readonly client: Uint8Array[];
  readonly server: Uint8Array[];
}

/** The client PDUs (and server answers) delivering `stub` on `iface` under `variant`. */
export function deliveryPdus(c: ActivationCase, variant: Variant): Pdus {
  const le = variant !== 'big_endian';
  const stub = c.stub(le);
  const base = { littleEndian: le, ...(variant === 'auth_trailer' ? { auth: AUTH } : {}) };
  const ctx = (ctxId: number, abstractSyntax: SyntaxId) => ({ ctxId, abstractSyntax, transferSyntaxes: [NDR20] });
  const accept = { result: 0, reason: 0, transferSyntax: NDR20 };
  const client: Uint8Array[] = [];
  const server: Uint8Array[] = [];
  let ctxId = 0;
  if (variant === 'bogus_contexts') {
    const bogus = [1, 2, 3].map((i) => ctx(i, { uuid: `0000000${i}-dead-beef-0000-00000000000${i}`, versionMajor: 9, versionMinor: 9 }));
    client.push(encodeBind({ ...base, callId: 1, contexts: [...bogus, ctx(7, c.iface)] }));
    server.push(encodeBindAck({ ...base, callId: 1, secondaryAddress: '135', results: [...bogus.map(() => ({ result: 2, reason: 1, transferSyntax: { uuid: '00000000-0000-0000-0000-000000000000', versionMajor: 0, versionMinor: 0 } })), accept] }));
    ctxId = 7;
  } else if (variant === 'alter_context') {
    client.push(encodeBind({ ...base, callId: 1, contexts: [ctx(0, syntax(EPM))] }));
    server.push(encodeBindAck({ ...base, callId: 1, secondaryAddress: '135', results: [accept] }));
    client.push(encodeAlterContext({ ...base, callId: 2, contexts: [ctx(1, c.iface)] }));
    server.push(encodeAlterContextResp({ ...base, callId: 2, results: [accept] }));
    ctxId = 1;
  } else {
    const flags = variant === 'bind_without_first_frag' ? PFC.LAST_FRAG : PFC.FIRST_FRAG | PFC.LAST_FRAG;
    client.push(encodeBind({ ...base, callId: 1, flags, contexts: [ctx(0, c.iface)] }));
    server.push(encodeBindAck({ ...base, callId: 1, secondaryAddress: '135', results: [accept] }));
  }
  const req = { ...base, callId: 3, ctxId, opnum: c.opnum, stub, ...(variant === 'object_uuid' ? { objectUuid: '41414141-4141-4141-4141-414141414141' } : {}) };
  if (variant === 'fragments') client.push(...fragmentRequest({ ...req, maxFragStub: 48 }));
  else client.push(encodeRequest(req));
  return { client, server };
}

/** Run the PDUs through the engine as a sensor would see them; returns the finished calls. */
export function engineCalls(c: ActivationCase, variant: Variant, t0 = 1_060_617_600_000): CallRecord[] {
  const calls: CallRecord[] = [];
  const conn = new DcerpcConnection({
    decodeStub: (r) => decodeRequestStub({ ...(r.ifaceUuid !== undefined ? { ifaceUuid: r.ifaceUuid } : {}), opnum: r.opnum, stub: r.stub, littleEndian: r.littleEndian }),
    onCall: (rec) => calls.push(rec),
  });
  const { client, server } = deliveryPdus(c, variant);
  let t = t0;
  const send = (bytes: Uint8Array): void => {
    if (variant === 'one_byte_segments') for (let i = 0; i < bytes.length; i++) conn.feed('to_server', bytes.subarray(i, i + 1), t);
    else conn.feed('to_server', bytes, t);
  };
  // Binds are answered before the request goes out, as on a real association.
  const binds = client.length - (variant === 'fragments' ? client.length - server.length : 1);
  for (let i = 0; i < client.length; i++) {
    send(client[i]!);
    if (i < binds && server[i]) conn.feed('to_client', server[i]!, ++t);
  }
  conn.close(t + 1);
  return calls;
}

/** Client chunks only (as test/helpers/delivery-variants.ts yields them) through the engine. */
export function engineCallsFromChunks(chunks: readonly Uint8Array[], t0 = 1_060_617_600_000): CallRecord[] {
  const calls: CallRecord[] = [];
  const conn = new DcerpcConnection({
    decodeStub: (r) => decodeRequestStub({ ...(r.ifaceUuid !== undefined ? { ifaceUuid: r.ifaceUuid } : {}), opnum: r.opnum, stub: r.stub, littleEndian: r.littleEndian }),
    onCall: (c) => calls.push(c),
  });
  chunks.forEach((chunk, i) => conn.feed('to_server', chunk, t0 + i));
  conn.close(t0 + chunks.length);
  return calls;
}

/** Inert filler standing where an exploit puts its overflow. */
export const FILLER = (n: number): string => 'A'.repeat(n);

export const EXPLOIT_CASES: readonly (ActivationCase & { readonly rule: string })[] = [
  {
    name: 'MS03-026 RemoteActivation long UNC server', rule: 'ms03_026_unc_server', iface: IREMOTE, opnum: OPNUM.remoteActivation,
    stub: (le) => encodeRemoteActivation(`\\\\${FILLER(300)}\\c$\\a.doc`, le),
  },
  {
    name: 'MS03-026 RemoteCreateInstance fileName UNC server', rule: 'ms03_026_unc_server', iface: ISYSACT, opnum: OPNUM.remoteCreateInstance,
    stub: (le) => encodeSystemActivator('RemoteCreateInstance', { fileName: `\\\\${FILLER(200)}\\share\\x.doc` }, le),
  },
  {
    name: 'MS03-039 RemoteCreateInstance long file name', rule: 'ms03_039_long_file_name', iface: ISYSACT, opnum: OPNUM.remoteCreateInstance,
    stub: (le) => encodeSystemActivator('RemoteCreateInstance', { fileName: `c:\\${FILLER(600)}.doc` }, le),
  },
  {
    name: 'MS03-039 NDR string counts that disagree', rule: 'ms03_039_length_mismatch', iface: IREMOTE, opnum: OPNUM.remoteActivation,
    stub: (le) => encodeRemoteActivationRequest({ clsid: CLSID, objectName: { value: `c:\\${FILLER(40)}`, maxCount: 8 } }, le),
  },
  {
    name: 'MS03-039 activation blob count that disagrees with the bytes', rule: 'ms03_039_length_mismatch', iface: ISYSACT, opnum: OPNUM.remoteCreateInstance,
    stub: (le) => encodeSystemActivator('RemoteCreateInstance', { fileName: 'c:\\x.doc', badIidCount: 50 }, le),
  },
  {
    name: 'MS03-039 RemoteGetClassObject without properties', rule: 'ms03_039_getclassobject_properties', iface: ISYSACT, opnum: OPNUM.remoteGetClassObject,
    stub: (le) => encodeSystemActivator('RemoteGetClassObject', { noProperties: true }, le),
  },
];

export const BENIGN_CASES: readonly ActivationCase[] = [
  { name: 'RemoteActivation of a file on a named server', iface: IREMOTE, opnum: OPNUM.remoteActivation, stub: (le) => encodeRemoteActivation('\\\\FILESRV01\\public\\report.doc', le) },
  { name: 'RemoteCreateInstance on dc1.corp.example.com', iface: ISYSACT, opnum: OPNUM.remoteCreateInstance, stub: (le) => encodeSystemActivator('RemoteCreateInstance', { serverName: 'dc1.corp.example.com' }, le) },
  { name: 'RemoteGetClassObject as Windows sends it', iface: ISYSACT, opnum: OPNUM.remoteGetClassObject, stub: (le) => encodeSystemActivator('RemoteGetClassObject', {}, le) },
];

const CLSID = '000209ff-0000-0000-c000-000000000046'; // Word.Application, an ordinary DCOM class

function encodeRemoteActivation(objectName: string, le: boolean): Uint8Array {
  return encodeRemoteActivationRequest({ clsid: CLSID, objectName }, le);
}

interface ActivatorOpts { fileName?: string; serverName?: string; noProperties?: boolean; badIidCount?: number }

function encodeSystemActivator(method: 'RemoteCreateInstance' | 'RemoteGetClassObject', o: ActivatorOpts, le: boolean): Uint8Array {
  const spec = { clsid: CLSID, ...(o.fileName !== undefined ? { fileName: o.fileName } : {}), ...(o.serverName !== undefined ? { serverName: o.serverName } : {}) };
  let props = o.noProperties ? [] : activationProperties(spec);
  // InstantiationInfoData.cIID declaring more interface ids than the array holds (CVE-2003-0715 shape).
  if (o.badIidCount !== undefined) props = props.map((p) => (p.name === 'InstantiationInfoData' ? { ...p, value: { ...(p.value as object), cIID: o.badIidCount } } as typeof p : p));
  return encodeSystemActivatorRequest(method, spec, le, props);
}
