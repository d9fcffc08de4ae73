// What the scanner asks an RPC endpoint mapper (135, or 593 over ncacn_http) on one association:
// every endpoint (ept_lookup paged by its context handle until the mapper says no more, each tower
// decoded, as impacket's rpcdump does), the interfaces it serves (mgmt inq_if_ids, as rpcmap does),
// and the host's names and addresses (IObjectExporter ServerAlive2, MS-DCOM 3.1.2.5.1.6).

import { isIP } from 'node:net';
import type { EndpointObservation } from '../../model/scan.js';
import {
  EPM, EPT_STATUS, IOXID_RESOLVER, MGMT, OPNUM, decodeEptLookupResponse, decodeInqIfIdsResponse, decodeServerAlive2Response,
  encodeEptLookupRequest, type InterfaceId, type Tower,
} from '../../protocols/dcerpc/interfaces/index.js';
import { NULL_CONTEXT_HANDLE, type ContextHandle } from '../../protocols/dcerpc/ndr/index.js';
import { ProbeError, type RpcClient } from './rpc-client.js';

export interface RpcProbeLimits {
  /** Entries asked for per ept_lookup call (Windows and impacket use 500). */
  readonly lookupPageSize: number;
  /** ept_lookup calls per host before giving up on a mapper that never ends its list. */
  readonly maxLookupPages: number;
  /** Endpoints kept per host. */
  readonly maxEndpoints: number;
}

export const DEFAULT_RPC_PROBE_LIMITS: RpcProbeLimits = { lookupPageSize: 500, maxLookupPages: 64, maxEndpoints: 4096 };

export interface RpcProbeResult {
  endpoints?: EndpointObservation[];
  interfaces?: { uuid: string; version: string }[];
  /** ServerAlive2: the COM version and the string bindings (names and addresses, in order). */
  comVersion?: { major: number; minor: number };
  hostname?: string;
  addresses?: string[];
  errors: string[];
}

const sameHandle = (a: ContextHandle, b: ContextHandle): boolean => a.attributes === b.attributes && a.uuid === b.uuid;
const version = (i: InterfaceId): string => `${i.versionMajor}.${i.versionMinor}`;
const isNil = (h: ContextHandle): boolean => sameHandle(h, NULL_CONTEXT_HANDLE);

/** A tower as impacket's rpcdump prints it (epm.PrintStringBinding): the NetBIOS floor of a named
 * pipe as sent (Windows sends it with its leading backslashes), addresses with their port. */
export function rpcdumpBinding(t: Tower): string {
  switch (t.protseq) {
    case 'ncacn_ip_tcp':
    case 'ncadg_ip_udp':
    case 'ncacn_http':
      return `${t.protseq}:${t.ip ?? ''}[${t.port ?? ''}]`;
    case 'ncacn_np':
      return `ncacn_np:${t.host ?? ''}[${t.endpoint ?? ''}]`;
    case 'ncalrpc':
      return `ncalrpc:[${t.endpoint ?? ''}]`;
    default:
      return `unknown:${t.floors.map((f) => f.lhs[0]?.toString(16) ?? '?').join('.')}`;
  }
}

/** ept_lookup with RPC_C_EP_ALL_ELTS until the mapper ends the list (status not ok, or a nil handle). */
export async function lookupEndpoints(rpc: RpcClient, ctxId: number, limits: RpcProbeLimits): Promise<EndpointObservation[]> {
  const out: EndpointObservation[] = [];
  let handle: ContextHandle = NULL_CONTEXT_HANDLE;
  for (let page = 0; page < limits.maxLookupPages; page++) {
    const stub = encodeEptLookupRequest({ inquiryType: 0, object: null, ifId: null, versOption: 1, entryHandle: handle, maxEnts: limits.lookupPageSize });
    const res = await rpc.call(ctxId, OPNUM.eptLookup, stub);
    if (res.kind === 'fault') throw new ProbeError(`ept_lookup fault 0x${res.status.toString(16).padStart(8, '0')}`);
    const d = decodeEptLookupResponse(res.stub, res.littleEndian).value;
    for (const e of d.entries ?? []) {
      const iface = e.tower?.iface;
      if (!e.tower || !iface || out.length >= limits.maxEndpoints) continue;
      out.push({ uuid: iface.uuid.toLowerCase(), version: version(iface), ...(e.annotation ? { annotation: e.annotation } : {}), binding: rpcdumpBinding(e.tower) });
    }
    if (d.status !== EPT_STATUS.OK || !d.entryHandle || isNil(d.entryHandle) || (d.entries?.length ?? 0) === 0) return out;
    // a mapper that hands back the handle we sent would loop: stop
    if (sameHandle(d.entryHandle, handle)) return out;
    handle = d.entryHandle;
  }
  return out;
}

export async function inqIfIds(rpc: RpcClient, ctxId: number): Promise<{ uuid: string; version: string }[]> {
  const res = await rpc.call(ctxId, OPNUM.inqIfIds, new Uint8Array(0));
  if (res.kind === 'fault') throw new ProbeError(`inq_if_ids fault 0x${res.status.toString(16).padStart(8, '0')}`);
  const d = decodeInqIfIdsResponse(res.stub, res.littleEndian).value;
  return (d.ifIds ?? []).flatMap((i) => (i ? [{ uuid: i.uuid.toLowerCase(), version: version(i) }] : []));
}

/** ServerAlive2's string bindings: the first non-address one names the host (impacket's
 * IOXIDResolver recon and nmap's rpc-... scripts read it so); the addresses are every IP listed. */
export async function serverAlive2(rpc: RpcClient, ctxId: number): Promise<Pick<RpcProbeResult, 'comVersion' | 'hostname' | 'addresses'>> {
  const res = await rpc.call(ctxId, OPNUM.serverAlive2, new Uint8Array(0));
  if (res.kind === 'fault') throw new ProbeError(`ServerAlive2 fault 0x${res.status.toString(16).padStart(8, '0')}`);
  const d = decodeServerAlive2Response(res.stub, res.littleEndian).value;
  const names = (d.bindings?.stringBindings ?? []).map((b) => b.networkAddr).filter((a) => a.length > 0 && a.length <= 255);
  const hostname = names.find((n) => isIP(n.replace(/\[.*$/, '')) === 0);
  const addresses = [...new Set(names.map((n) => n.replace(/\[.*$/, '')).filter((n) => isIP(n) !== 0))];
  return { ...(d.comVersion ? { comVersion: d.comVersion } : {}), ...(hostname ? { hostname } : {}), addresses };
}

/** Bind the three interfaces on one association and ask each; a failure of one leaves the others. */
export async function probeEndpointMapper(rpc: RpcClient, limits: RpcProbeLimits = DEFAULT_RPC_PROBE_LIMITS): Promise<RpcProbeResult> {
  const out: RpcProbeResult = { errors: [] };
  const [epm, mgmt, oxid] = await rpc.bind([EPM, MGMT, IOXID_RESOLVER]);
  const attempt = async (what: string, accepted: boolean, fn: () => Promise<void>): Promise<void> => {
    if (!accepted) return void out.errors.push(`${what}: interface not accepted in bind`);
    try {
      await fn();
    } catch (e) {
      if (!(e instanceof ProbeError)) throw e;
      out.errors.push(`${what}: ${e.message}`);
    }
  };
  await attempt('ept_lookup', epm, async () => void (out.endpoints = await lookupEndpoints(rpc, 0, limits)));
  await attempt('inq_if_ids', mgmt, async () => void (out.interfaces = await inqIfIds(rpc, 1)));
  await attempt('ServerAlive2', oxid, async () => void Object.assign(out, await serverAlive2(rpc, 2)));
  return out;
}
