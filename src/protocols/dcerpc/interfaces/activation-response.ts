// IRemoteActivation::RemoteActivation (opnum 0) response (MS-DCOM 3.1.2.5.2.3.1; Wireshark
// packet-dcom-remact.c): ORPCTHAT, OXID, bindings, IPID, authn hint, COM version, HRESULT, the
// per-interface pointers and results. Encoded by the persona, decoded by the scanner's checks.

import {
  NdrWriter, RESPONSE_FIRST_REFERENT_ID, conformantArray, decodeNdr, hyper, pointer, struct, u32, uuid,
  type NdrDecodeResult, type NdrLimits,
} from '../ndr/index.js';
import { comVersion, mInterfacePointer, orpcExtentArray } from './dcom-types.js';
import { dualStringArray, parseDualStringArray, type DualStringArray } from './oxid-codec.js';

export const orpcThat = struct('ORPCTHAT', { flags: u32, extensions: pointer(orpcExtentArray) });

/** HRESULTs an activation answers with (MS-ERREF 2.1). */
export const HRESULT = {
  S_OK: 0x00000000,
  E_ACCESSDENIED: 0x80070005,
  REGDB_E_CLASSNOTREG: 0x80040154,
  CO_E_BAD_PATH: 0x80080004,
} as const;

export interface RemoteActivationResponse {
  oxid: bigint;
  bindings: DualStringArray | null;
  ipidRemUnknown: string;
  authnHint: number;
  serverVersion: { major: number; minor: number };
  hr: number;
  interfaceCount: number;
  results: number[];
  status: number;
}

const NIL = '00000000-0000-0000-0000-000000000000';
const dsaPtr = pointer(dualStringArray);
const mipArray = conformantArray(pointer(mInterfacePointer));

/** The answer of a failed activation: no bindings, null interface pointers, `hr` in every result. */
export function encodeRemoteActivationFailure(resp: { hr: number; interfaces: number; serverVersion?: { major: number; minor: number } }, littleEndian = true): Uint8Array {
  const w = new NdrWriter(littleEndian, RESPONSE_FIRST_REFERENT_ID);
  const n = Math.max(0, resp.interfaces);
  w.top(() => orpcThat.write(w, { flags: 0, extensions: null }));
  w.top(() => hyper.write(w, 0n));
  w.top(() => dsaPtr.write(w, null));
  w.top(() => uuid.write(w, NIL));
  w.top(() => u32.write(w, 0));
  w.top(() => comVersion.write(w, resp.serverVersion ?? { major: 5, minor: 6 }));
  w.top(() => u32.write(w, resp.hr));
  w.top(() => mipArray.write(w, new Array(n).fill(null)));
  w.top(() => conformantArray(u32).write(w, new Array(n).fill(resp.hr)));
  w.top(() => u32.write(w, 0));
  return w.finish();
}

export function decodeRemoteActivationResponse(stub: Uint8Array, littleEndian: boolean, limits?: NdrLimits): NdrDecodeResult<Partial<RemoteActivationResponse>> {
  return decodeNdr(stub, littleEndian, {} as Partial<RemoteActivationResponse>, (r, out) => {
    r.top(() => orpcThat.read(r), 'ORPCthat');
    out.oxid = r.top(() => hyper.read(r), 'pOxid');
    const dsa = r.top(() => dsaPtr.read(r), 'ppdsaOxidBindings');
    out.bindings = dsa && parseDualStringArray(dsa, r.anomalies);
    out.ipidRemUnknown = r.top(() => uuid.read(r), 'pipidRemUnknown');
    out.authnHint = r.top(() => u32.read(r), 'pAuthnHint');
    out.serverVersion = r.top(() => comVersion.read(r), 'pServerVersion');
    out.hr = r.top(() => u32.read(r), 'phr');
    out.interfaceCount = r.top(() => mipArray.read(r), 'ppInterfaceData').length;
    out.results = r.top(() => conformantArray(u32).read(r), 'pResults');
    out.status = r.top(() => u32.read(r), 'error_status_t');
  }, limits, 'RemoteActivation_response');
}
