// What the persona answers to each request on an accepted context: endpoint-mapper lookups and
// maps from its registration table, mgmt inq_if_ids, ServerAlive2 bindings, and faults for the rest.
// Nothing here executes, follows or connects to anything the peer names.

import { isIPv4 } from 'node:net';
import type { PersonaConfig } from '../sensor-types.js';
import {
  EPMAPPER, IOXID_RESOLVER, IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR, MGMT, REGISTRATIONS, SERVED_ON_135,
  type ServedInterface,
} from './persona-interfaces.js';
import {
  decodeLookupRequest, decodeMapRequest, encodeInqIfIdsResponse, encodeLookupResponse, encodeMapResponse,
  encodeServerAlive2Response, EPT_S_NOT_REGISTERED, type LookupEntry,
} from './epm-replies.js';
import { encodeTower, FLOOR, type TowerTarget } from './towers.js';

/** nca_op_rng_error: opnum out of range (C706 appendix E), sent with PFC_DID_NOT_EXECUTE. */
export const NCA_OP_RNG_ERROR = 0x1c010002;
/** nca_unk_if: request on a context the peer never had accepted. */
export const NCA_UNK_IF = 0x1c010003;
/** nca_s_fault_ndr (RPC_X_BAD_STUB_DATA): stub could not be unmarshalled. */
export const NCA_S_FAULT_NDR = 0x000006f7;
/**
 * rpc_s_access_denied. Activation requests get this fault: it is what an XP/2003 host answers to an
 * anonymous DCOM activation whether patched or not, so the persona neither reveals a patch level nor
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
const entryCache = new WeakMap<PersonaConfig, Map<string, LookupEntry[]>>();

function cachedEntries(persona: PersonaConfig, local: string): LookupEntry[] {
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

/** Every (registration x protocol x address) tower the endpoint mapper lists, in table order. */
export function lookupEntries(persona: PersonaConfig, local: string): LookupEntry[] {
  const out: LookupEntry[] = [];
  for (const address of ipv4Addresses(persona, local)) {
    const target: TowerTarget = { hostname: persona.hostname, address, dynamicPort: persona.dynamicPort };
    for (const reg of REGISTRATIONS) {
      for (const p of reg.protocols) {
        // Named-pipe and LRPC towers do not depend on the address: list them once.
        if (address !== ipv4Addresses(persona, local)[0] && (p.kind === 'ncacn_np' || p.kind === 'ncalrpc')) continue;
        out.push({ annotation: reg.annotation, tower: encodeTower(reg.iface, p, target) });
      }
    }
  }
  return out;
}

/** Hard cap on entries per ept_lookup page, whatever max_ents the peer asks for (Windows uses 500). */
export const MAX_LOOKUP_PAGE = 500;

function eptLookup(input: DispatchInput, persona: PersonaConfig): DispatchResult {
  const req = decodeLookupRequest(input.stub, input.littleEndian);
  const all = cachedEntries(persona, input.localAddress);
  const start = Math.min(req.cursor, all.length);
  const pageSize = Math.min(req.maxEnts, MAX_LOOKUP_PAGE);
  if (start >= all.length || pageSize === 0) {
    return { kind: 'response', stub: encodeLookupResponse([], req.maxEnts, undefined, EPT_S_NOT_REGISTERED) };
  }
  return { kind: 'response', stub: lookupPage(all, start, pageSize, req.maxEnts) };
}

/** Encoded pages per entry list: scanners repeat the same lookup (cursor 0, max_ents 500). */
const pageCache = new WeakMap<LookupEntry[], Map<string, Uint8Array>>();

function lookupPage(all: LookupEntry[], start: number, pageSize: number, maxEnts: number): Uint8Array {
  let pages = pageCache.get(all);
  if (!pages) pageCache.set(all, (pages = new Map()));
  const key = `${start}:${pageSize}:${maxEnts}`;
  let stub = pages.get(key);
  if (!stub) {
    const page = all.slice(start, start + pageSize);
    const next = start + page.length < all.length ? start + page.length : undefined;
    stub = encodeLookupResponse(page, maxEnts, next);
    // Peers choose max_ents freely; keep only a few shapes so the cache stays bounded.
    if (pages.size < 32) pages.set(key, stub);
  }
  return stub;
}

function eptMap(input: DispatchInput, persona: PersonaConfig): DispatchResult {
  const req = decodeMapRequest(input.stub, input.littleEndian);
  const want = req.tower?.iface;
  const wantsTcp = req.tower?.protocols.includes(FLOOR.TCP) ?? false;
  const reg = want && REGISTRATIONS.find((r) => r.iface.uuid === want.uuid.toLowerCase() && r.iface.major === want.major);
  const tcp = reg?.protocols.find((p) => p.kind === 'ncacn_ip_tcp');
  if (!reg || !tcp || !wantsTcp || req.maxTowers === 0) return { kind: 'response', stub: encodeMapResponse([], req.maxTowers) };
  const address = ipv4Addresses(persona, input.localAddress)[0];
  const tower = encodeTower(reg.iface, tcp, { hostname: persona.hostname, address, dynamicPort: persona.dynamicPort });
  return { kind: 'response', stub: encodeMapResponse([tower], req.maxTowers) };
}

export function dispatch(input: DispatchInput, persona: PersonaConfig): DispatchResult {
  const { iface, opnum } = input;
  if (iface.ops[opnum] === undefined) return fault(NCA_OP_RNG_ERROR, true);
  if (iface === EPMAPPER) {
    if (opnum === 2) return eptLookup(input, persona);
    if (opnum === 3) return eptMap(input, persona);
    if (opnum === 4) return { kind: 'response', stub: new Uint8Array(24) }; // nil handle, status 0
    return fault(RPC_S_ACCESS_DENIED);
  }
  if (iface === MGMT) {
    if (opnum === 0) return { kind: 'response', stub: encodeInqIfIdsResponse(SERVED_ON_135) };
    return fault(RPC_S_ACCESS_DENIED);
  }
  if (iface === IOXID_RESOLVER) {
    if (opnum === 5) {
      const comMinor = persona.os === 'windows-2003' || persona.os === 'windows-xp-sp2' ? 7 : 6;
      const addrs = persona.addresses.length > 0 ? persona.addresses : [input.localAddress];
      return { kind: 'response', stub: encodeServerAlive2Response(persona.hostname, addrs, comMinor) };
    }
    if (opnum === 3) return { kind: 'response', stub: new Uint8Array(4) }; // ServerAlive: status 0
    return fault(RPC_S_ACCESS_DENIED);
  }
  if (iface === IREMOTE_ACTIVATION || iface === ISYSTEM_ACTIVATOR) return fault(RPC_S_ACCESS_DENIED);
  return fault(NCA_OP_RNG_ERROR, true);
}
