// One entry point from a reassembled call to its decoded arguments: picks the decoder by interface
// UUID and opnum (MS-RPCE 3.1.1.5.3.2 dispatch), and never throws on peer bytes.

import type { ActivationArgs } from '../../../model/call.js';
import type { Anomaly } from '../../../model/anomaly.js';
import { transferSyntaxAnomaly, type NdrLimits } from '../ndr/index.js';
import { decodeRemoteActivationRequest, decodeSystemActivatorRequest } from './activation-requests.js';
import { decodeEptLookupRequest, decodeEptLookupResponse, decodeEptMapRequest, decodeEptMapResponse } from './epm-codec.js';
import { towerBinding, type Tower } from './epm-towers.js';
import { EPM, IOXID_RESOLVER, IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR, MGMT, OPNUM, sameUuid } from './interface-ids.js';
import { decodeInqIfIdsResponse } from './mgmt-codec.js';
import { decodeServerAlive2Request, decodeServerAlive2Response } from './oxid-codec.js';
import { decodesWormCall, decodeWormCall, type CallArgs } from './worm-calls.js';

export interface StubInput {
  readonly ifaceUuid?: string;
  readonly opnum: number;
  readonly stub: Uint8Array;
  readonly littleEndian: boolean;
  /** The context's negotiated transfer syntax; only NDR 2.0 stubs are decoded. */
  readonly transferSyntax?: { readonly uuid: string };
}

export interface StubDecode {
  readonly activation?: ActivationArgs;
  /** Decoded arguments of the calls later worms abused (worm-calls.ts). */
  readonly args?: CallArgs;
  readonly anomalies: Anomaly[];
  readonly summary?: Record<string, unknown>;
}

/** MS-RPCE 2.2.2.13: a verification trailer may follow the NDR data; it is not stray bytes. */
const VT_SIGNATURE = [0x8a, 0xe3, 0x13, 0x71, 0x02, 0xf4, 0x36, 0x71];

function hasVerificationTrailer(stub: Uint8Array, from: number): boolean {
  outer: for (let at = (from + 3) & ~3; at + 8 <= stub.length; at += 4) {
    for (let i = 0; i < 8; i++) if (stub[at + i] !== VT_SIGNATURE[i]) continue outer;
    return true;
  }
  return false;
}

function trailingInfo(stub: Uint8Array, trailing: number): Record<string, unknown> {
  if (trailing === 0) return {};
  return { trailingBytes: trailing, verificationTrailer: hasVerificationTrailer(stub, stub.length - trailing) };
}

const binding = (t: Tower | null | undefined): string | undefined => (t ? towerBinding(t) : undefined);

/** Decode a request stub of a known interface; undefined when the interface/opnum is not one we decode. */
export function decodeRequestStub(req: StubInput, limits?: NdrLimits): StubDecode | undefined {
  const known = decodesRequest(req.ifaceUuid, req.opnum);
  const syntax = transferSyntaxAnomaly(req.transferSyntax?.uuid);
  if (known && syntax) return { anomalies: [syntax] };
  return known ? decodeKnownRequest(req, limits) : undefined;
}

/** Whether decodeRequestStub() decodes requests of this interface and opnum (it returns undefined
 * for every other one, whatever the stub). */
export function decodesRequest(iface: string | undefined, opnum: number): boolean {
  // by opnum first: every completed request asks, and most compare no UUID at all
  if (decodesWormCall(iface, opnum)) return true;
  switch (opnum) {
    case OPNUM.remoteActivation: // = OPNUM.inqIfIds
      return sameUuid(iface, IREMOTE_ACTIVATION.uuid) || sameUuid(iface, MGMT.uuid);
    case OPNUM.eptLookup:
      return sameUuid(iface, EPM.uuid);
    case OPNUM.eptMap: // = OPNUM.remoteGetClassObject
      return sameUuid(iface, EPM.uuid) || sameUuid(iface, ISYSTEM_ACTIVATOR.uuid);
    case OPNUM.remoteCreateInstance:
      return sameUuid(iface, ISYSTEM_ACTIVATOR.uuid);
    case OPNUM.serverAlive2:
      return sameUuid(iface, IOXID_RESOLVER.uuid);
    default:
      return false;
  }
}

function decodeKnownRequest(req: StubInput, limits?: NdrLimits): StubDecode | undefined {
  const { ifaceUuid: iface, opnum, stub, littleEndian: le } = req;
  if (decodesWormCall(iface, opnum)) {
    const args = decodeWormCall(iface, opnum, stub, le);
    return args ? { args, anomalies: [], summary: { ...args } } : undefined;
  }
  if (sameUuid(iface, IREMOTE_ACTIVATION.uuid) && opnum === OPNUM.remoteActivation) {
    const d = decodeRemoteActivationRequest(stub, le, limits);
    return { activation: d.activation, anomalies: d.anomalies, summary: { complete: d.complete, ...trailingInfo(stub, d.trailing) } };
  }
  if (sameUuid(iface, ISYSTEM_ACTIVATOR.uuid) && (opnum === OPNUM.remoteCreateInstance || opnum === OPNUM.remoteGetClassObject)) {
    const d = decodeSystemActivatorRequest(opnum === OPNUM.remoteCreateInstance ? 'RemoteCreateInstance' : 'RemoteGetClassObject', stub, le, limits);
    const o = d.request.orpcThis;
    return {
      activation: d.activation,
      anomalies: d.anomalies,
      summary: { complete: d.complete, ...(o ? { orpcVersion: `${o.version.major}.${o.version.minor}` } : {}), ...trailingInfo(stub, d.trailing) },
    };
  }
  if (sameUuid(iface, EPM.uuid) && opnum === OPNUM.eptLookup) {
    const d = decodeEptLookupRequest(stub, le, limits);
    const v = d.value;
    return { anomalies: d.anomalies, summary: { inquiryType: v.inquiryType, ifId: v.ifId?.uuid, maxEnts: v.maxEnts, ...trailingInfo(stub, d.trailing) } };
  }
  if (sameUuid(iface, EPM.uuid) && opnum === OPNUM.eptMap) {
    const d = decodeEptMapRequest(stub, le, limits);
    return { anomalies: d.anomalies, summary: { iface: d.value.tower?.iface?.uuid, protseq: d.value.tower?.protseq, maxTowers: d.value.maxTowers, ...trailingInfo(stub, d.trailing) } };
  }
  if (sameUuid(iface, IOXID_RESOLVER.uuid) && opnum === OPNUM.serverAlive2) return { anomalies: decodeServerAlive2Request(stub).anomalies, summary: {} };
  if (sameUuid(iface, MGMT.uuid) && opnum === OPNUM.inqIfIds) return { anomalies: [], summary: {} };
  return undefined;
}

/** Decode a response stub (what the scanner reads back from real hosts). */
export function decodeResponseStub(resp: StubInput, limits?: NdrLimits): StubDecode | undefined {
  const { ifaceUuid: iface, opnum, stub, littleEndian: le } = resp;
  const syntax = transferSyntaxAnomaly(resp.transferSyntax?.uuid);
  if (syntax) return { anomalies: [syntax] };
  if (sameUuid(iface, EPM.uuid) && opnum === OPNUM.eptLookup) {
    const d = decodeEptLookupResponse(stub, le, limits);
    const entries = (d.value.entries ?? []).map((e) => ({ object: e.object, annotation: e.annotation, iface: e.tower?.iface?.uuid, binding: binding(e.tower) }));
    return { anomalies: d.anomalies, summary: { status: d.value.status, entries } };
  }
  if (sameUuid(iface, EPM.uuid) && opnum === OPNUM.eptMap) {
    const d = decodeEptMapResponse(stub, le, limits);
    return { anomalies: d.anomalies, summary: { status: d.value.status, bindings: (d.value.towers ?? []).map(binding) } };
  }
  if (sameUuid(iface, MGMT.uuid) && opnum === OPNUM.inqIfIds) {
    const d = decodeInqIfIdsResponse(stub, le, limits);
    return { anomalies: d.anomalies, summary: { status: d.value.status, ifIds: (d.value.ifIds ?? []).map((i) => i && `${i.uuid} v${i.versionMajor}.${i.versionMinor}`) } };
  }
  if (sameUuid(iface, IOXID_RESOLVER.uuid) && opnum === OPNUM.serverAlive2) {
    const d = decodeServerAlive2Response(stub, le, limits);
    const b = d.value.bindings;
    return { anomalies: d.anomalies, summary: { errorCode: d.value.errorCode, comVersion: d.value.comVersion, stringBindings: b?.stringBindings, securityBindings: b?.securityBindings } };
  }
  return undefined;
}
