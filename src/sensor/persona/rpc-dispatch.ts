// What the persona answers to each request on an accepted context: endpoint-mapper lookups and
// maps from its registration table, mgmt inq_if_ids, ServerAlive2 bindings, and faults for the rest.
// Nothing here executes, follows or connects to anything the peer names.

import { isIPv4 } from 'node:net';
import type { PersonaConfig } from '../sensor-types.js';
import { netShareEnumAllResponse, SHARES } from './srvsvc-answers.js';
import {
  SRVSVC, EPMAPPER, IOXID_RESOLVER, IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR, MGMT, REGISTRATIONS, SERVED_ON_135,
  type EndpointProtocol, type IfaceId, type ServedInterface,
} from './persona-interfaces.js';
import {
  decodeEptLookupRequest, decodeEptMapRequest, encodeEptLookupResponse, encodeEptMapResponse, encodeInqIfIdsResponse,
  encodeServerAlive2Response, encodeTower, type EptEntrySpec, type InterfaceId,
} from '../../protocols/dcerpc/interfaces/index.js';
import type { ContextHandle } from '../../protocols/dcerpc/ndr/index.js';
import { remoteActivationAnswer } from './activation-answer.js';

/** ept_s_not_registered (C706 appendix O): no (more) entries, or nothing maps. */
export const EPT_S_NOT_REGISTERED = 0x16c9a0d6;
const NIL_HANDLE: ContextHandle = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' };
/** Our lookup handles carry the next entry index in time_low; the rest marks them as ours. */
const HANDLE_TAIL = '-7669-4c69-8067-696c2d65706d';

const handleFor = (cursor: number | undefined): ContextHandle =>
  cursor === undefined ? NIL_HANDLE : { attributes: 0, uuid: `${cursor.toString(16).padStart(8, '0')}${HANDLE_TAIL}` };
const cursorOf = (h: ContextHandle | undefined): number =>
  h && h.uuid.endsWith(HANDLE_TAIL) ? parseInt(h.uuid.slice(0, 8), 16) : 0;
const ifId = (i: IfaceId): InterfaceId => ({ uuid: i.uuid, versionMajor: i.major, versionMinor: i.minor });

/** A short or malformed stub: dispatch throws this and the responder faults with nca_s_fault_ndr. */
export class BadStubError extends Error {}

/** nca_op_rng_error: opnum out of range (C706 appendix E), sent with PFC_DID_NOT_EXECUTE. */
export const NCA_OP_RNG_ERROR = 0x1c010002;
/** nca_unk_if: request on a context the peer never had accepted. */
export const NCA_UNK_IF = 0x1c010003;
/** nca_s_fault_ndr (RPC_X_BAD_STUB_DATA): stub could not be unmarshalled. */
export const NCA_S_FAULT_NDR = 0x000006f7;
/**
 * rpc_s_access_denied. Activation requests get this fault unless sensor.persona.rpcssPatch names a
 * patch level (activation-answer.ts): it is what an XP/2003 host with DCOM restricted answers to an
 * anonymous activation whether patched or not, so the persona neither reveals a patch level nor
 * imitates the unpatched host's RPCSS crash (which would close 135 and end our observation).
 */
export const RPC_S_ACCESS_DENIED = 0x00000005;

export interface DispatchInput {
  readonly iface: ServedInterface;
  readonly opnum: number;
  readonly stub: Uint8Array;
  readonly littleEndian: boolean;
  /** Local IPv4 address the peer reached (used when the persona has no configured address). */
  readonly localAddress: string;
}

export type DispatchResult =
  | { readonly kind: 'response'; readonly stub: Uint8Array }
  | { readonly kind: 'fault'; readonly status: number; readonly didNotExecute: boolean };

const fault = (status: number, didNotExecute = false): DispatchResult => ({ kind: 'fault', status, didNotExecute });

function ipv4Addresses(persona: PersonaConfig, local: string): string[] {
  const v4 = persona.addresses.filter((a) => isIPv4(a));
  if (v4.length > 0) return v4;
  return [isIPv4(local) ? local : '0.0.0.0'];
}

/** The list is fixed per persona and local address: build it once, not per ept_lookup. */
const entryCache = new WeakMap<PersonaConfig, Map<string, EptEntrySpec[]>>();

function cachedEntries(persona: PersonaConfig, local: string): EptEntrySpec[] {
  let byAddr = entryCache.get(persona);
  if (!byAddr) entryCache.set(persona, (byAddr = new Map()));
  let list = byAddr.get(local);
  if (!list) {
    list = lookupEntries(persona, local);
    // A sensor on many addresses (or IPv6 peers) could otherwise grow this without bound.
    if (byAddr.size < 64) byAddr.set(local, list);
  }
  return list;
}

interface TowerTarget {
  readonly hostname: string;
  readonly address: string;
  readonly dynamicPort: number;
}

function towerOf(iface: IfaceId, p: EndpointProtocol, t: TowerTarget): Uint8Array {
  const id = ifId(iface);
  switch (p.kind) {
    case 'ncacn_ip_tcp':
      return encodeTower({ iface: id, protseq: p.kind, port: p.port === 'dynamic' ? t.dynamicPort : p.port, ip: t.address });
    case 'ncacn_http':
      return encodeTower({ iface: id, protseq: p.kind, port: p.port, ip: t.address });
    case 'ncacn_np':
      return encodeTower({ iface: id, protseq: p.kind, endpoint: p.pipe, host: `\\\\${t.hostname}` });
    case 'ncalrpc':
      return encodeTower({ iface: id, protseq: p.kind, endpoint: p.name });
  }
}

/** Every (registration x protocol x address) tower the endpoint mapper lists, in table order. */
export function lookupEntries(persona: PersonaConfig, local: string): EptEntrySpec[] {
  const out: EptEntrySpec[] = [];
  const addresses = ipv4Addresses(persona, local);
  for (const address of addresses) {
    const target: TowerTarget = { hostname: persona.hostname, address, dynamicPort: persona.dynamicPort };
    for (const reg of REGISTRATIONS) {
      for (const p of reg.protocols) {
        // Named-pipe and LRPC towers do not depend on the address: list them once.
        if (address !== addresses[0] && (p.kind === 'ncacn_np' || p.kind === 'ncalrpc')) continue;
        out.push({ annotation: reg.annotation, tower: towerOf(reg.iface, p, target) });
      }
    }
  }
  return out;
}

/** Hard cap on entries per ept_lookup page, whatever max_ents the peer asks for (Windows uses 500). */
export const MAX_LOOKUP_PAGE = 500;

/** Answers by request bytes, per persona: a scanner or worm repeats the same ept_lookup stub, and the
 * connection tracker has already decoded it once for the call record. Only small stubs, few entries. */
const lookupAnswers = new WeakMap<PersonaConfig, Map<string, DispatchResult>>();
const MAX_MEMO_STUB = 256;
const MAX_MEMO_ANSWERS = 256;

/** The answer given last, checked byte for byte before building a key: a stream of identical probes. */
let lastLookup: { persona: PersonaConfig; littleEndian: boolean; localAddress: string; stub: Uint8Array; answer: DispatchResult } | undefined;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function eptLookup(input: DispatchInput, persona: PersonaConfig): DispatchResult {
  const { stub } = input;
  if (stub.length > MAX_MEMO_STUB) return eptLookupAnswer(input, persona);
  const last = lastLookup;
  if (last && last.persona === persona && last.littleEndian === input.littleEndian && last.localAddress === input.localAddress && sameBytes(last.stub, stub)) {
    return last.answer;
  }
  let memo = lookupAnswers.get(persona);
  if (!memo) lookupAnswers.set(persona, (memo = new Map()));
  // The answer depends on the stub's bytes, its byte order and the address the peer reached.
  const key = `${input.littleEndian ? 'l' : 'b'}${input.localAddress}|${Buffer.from(stub.buffer, stub.byteOffset, stub.length).toString('latin1')}`;
  let answer = memo.get(key);
  if (!answer) {
    answer = eptLookupAnswer(input, persona); // throws BadStubError for a short stub: never memoised
    if (memo.size < MAX_MEMO_ANSWERS) memo.set(key, answer);
  }
  // A copy: the request's stub belongs to the connection that sent it.
  lastLookup = { persona, littleEndian: input.littleEndian, localAddress: input.localAddress, stub: Uint8Array.from(stub), answer };
  return answer;
}

function eptLookupAnswer(input: DispatchInput, persona: PersonaConfig): DispatchResult {
  const req = decodeEptLookupRequest(input.stub, input.littleEndian);
  const maxEnts = req.value.maxEnts;
  if (!req.complete || maxEnts === undefined) throw new BadStubError('ept_lookup arguments incomplete');
  const all = cachedEntries(persona, input.localAddress);
  const start = Math.min(cursorOf(req.value.entryHandle), all.length);
  const pageSize = Math.min(maxEnts, MAX_LOOKUP_PAGE);
  if (start >= all.length || pageSize === 0) {
    return { kind: 'response', stub: encodeEptLookupResponse({ entryHandle: NIL_HANDLE, maxEnts, entries: [], status: EPT_S_NOT_REGISTERED }) };
  }
  return { kind: 'response', stub: lookupPage(all, start, pageSize, maxEnts) };
}

/** Encoded pages per entry list: scanners repeat the same lookup (cursor 0, max_ents 500). */
const pageCache = new WeakMap<EptEntrySpec[], Map<string, Uint8Array>>();

function lookupPage(all: EptEntrySpec[], start: number, pageSize: number, maxEnts: number): Uint8Array {
  let pages = pageCache.get(all);
  if (!pages) pageCache.set(all, (pages = new Map()));
  const key = `${start}:${pageSize}:${maxEnts}`;
  let stub = pages.get(key);
  if (!stub) {
    const page = all.slice(start, start + pageSize);
    const next = start + page.length < all.length ? start + page.length : undefined;
    stub = encodeEptLookupResponse({ entryHandle: handleFor(next), maxEnts, entries: page, status: 0 });
    // Peers choose max_ents freely; keep only a few shapes so the cache stays bounded.
    if (pages.size < 32) pages.set(key, stub);
  }
  return stub;
}

function eptMap(input: DispatchInput, persona: PersonaConfig): DispatchResult {
  const req = decodeEptMapRequest(input.stub, input.littleEndian);
  const maxTowers = req.value.maxTowers;
  if (!req.complete || maxTowers === undefined) throw new BadStubError('ept_map arguments incomplete');
  const want = req.value.tower?.iface;
  const reg = want && REGISTRATIONS.find((r) => r.iface.uuid === want.uuid.toLowerCase() && r.iface.major === want.versionMajor);
  const tcp = reg?.protocols.find((p) => p.kind === 'ncacn_ip_tcp');
  const none = (): DispatchResult => ({ kind: 'response', stub: encodeEptMapResponse({ entryHandle: NIL_HANDLE, maxTowers, towers: [], status: EPT_S_NOT_REGISTERED }) });
  if (!reg || !tcp || req.value.tower?.protseq !== 'ncacn_ip_tcp' || maxTowers === 0) return none();
  const address = ipv4Addresses(persona, input.localAddress)[0];
  const tower = towerOf(reg.iface, tcp, { hostname: persona.hostname, address, dynamicPort: persona.dynamicPort });
  return { kind: 'response', stub: encodeEptMapResponse({ entryHandle: NIL_HANDLE, maxTowers, towers: [tower], status: 0 }) };
}

/** RPC_C_AUTHN_* services a workstation advertises in ServerAlive2 (MS-DCOM 2.2.19.4): NTLM, SPNEGO, Kerberos. */
const SECURITY_SERVICES = [0x0a, 0x09, 0x10];

/** ServerAlive2 answers per persona and local address (its request has no arguments that matter). */
const aliveAnswers = new WeakMap<PersonaConfig, Map<string, DispatchResult>>();

function serverAlive2(input: DispatchInput, persona: PersonaConfig): DispatchResult {
  let byAddr = aliveAnswers.get(persona);
  if (!byAddr) aliveAnswers.set(persona, (byAddr = new Map()));
  let answer = byAddr.get(input.localAddress);
  if (!answer) {
    answer = serverAlive2Answer(input, persona);
    // Bounded like the entry cache: a sensor on many addresses must not grow it without limit.
    if (byAddr.size < 64) byAddr.set(input.localAddress, answer);
  }
  return answer;
}

function serverAlive2Answer(input: DispatchInput, persona: PersonaConfig): DispatchResult {
  const comMinor = persona.os === 'windows-2003' || persona.os === 'windows-xp-sp2' ? 7 : 6;
  const addrs = persona.addresses.length > 0 ? persona.addresses : [input.localAddress];
  const bindings = {
    stringBindings: [persona.hostname, ...addrs].map((networkAddr) => ({ towerId: 0x07, networkAddr })),
    securityBindings: SECURITY_SERVICES.map((authnSvc) => ({ authnSvc, authzSvc: 0xffff, principal: '' })),
  };
  return { kind: 'response', stub: encodeServerAlive2Response({ comVersion: { major: 5, minor: comMinor }, bindings }) };
}

/** mgmt inq_if_ids lists the fixed SERVED_ON_135: encoded on first use. */
let inqIfIdsAnswer: DispatchResult | undefined;

export function dispatch(input: DispatchInput, persona: PersonaConfig): DispatchResult {
  const { iface, opnum } = input;
  if (!iface.opnums.has(opnum)) return fault(NCA_OP_RNG_ERROR, true);
  if (iface === EPMAPPER) {
    if (opnum === 2) return eptLookup(input, persona);
    if (opnum === 3) return eptMap(input, persona);
    if (opnum === 4) return { kind: 'response', stub: new Uint8Array(24) }; // nil handle, status 0
    return fault(RPC_S_ACCESS_DENIED);
  }
  if (iface === MGMT) {
    if (opnum === 0) return (inqIfIdsAnswer ??= { kind: 'response', stub: encodeInqIfIdsResponse({ ifIds: SERVED_ON_135.map(ifId) }) });
    return fault(RPC_S_ACCESS_DENIED);
  }
  if (iface === IOXID_RESOLVER) {
    if (opnum === 5) return serverAlive2(input, persona);
    if (opnum === 3) return { kind: 'response', stub: new Uint8Array(4) }; // ServerAlive: status 0
    return fault(RPC_S_ACCESS_DENIED);
  }
  if (iface === IREMOTE_ACTIVATION && opnum === 0) {
    const a = remoteActivationAnswer(input.stub, input.littleEndian, persona);
    if (a.kind === 'bad_stub') throw new BadStubError('RemoteActivation arguments incomplete');
    return a.kind === 'response' ? a : fault(RPC_S_ACCESS_DENIED);
  }
  if (iface === IREMOTE_ACTIVATION || iface === ISYSTEM_ACTIVATOR) return fault(RPC_S_ACCESS_DENIED);
  // srvsvc NetrShareEnum (15): the share list `smbclient -L` and `net view` print; the rest of the
  // pipe interfaces (lsarpc, samr, netlogon, dssetup, wkssvc) are decoded and denied, never executed.
  if (iface === SRVSVC && opnum === 15) return { kind: 'response', stub: netShareEnumAllResponse(SHARES) };
  if (SERVED_ON_135.includes(iface)) return fault(NCA_OP_RNG_ERROR, true);
  return fault(RPC_S_ACCESS_DENIED);
}
