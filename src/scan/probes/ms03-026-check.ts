// The MS03-026 (CVE-2003-0352, KB823980) check, non-destructive, by the public method of the
// scanners of 2003: eEye's "Retina MS03-026 RPC DCOM" scanner and Tenable plugin 11808
// (msrpc_dcom.nasl, "check methods based on eEye's MSRPC scanner 1.03"; read in the Nessus 2/3
// plugin tree, e.g. rhuitl/uClinux user/nessus/nessus-plugins/scripts/msrpc_dcom.nasl, and the
// MS03-039 plugin 11835 msrpc_dcom2.nasl, which names the HRESULTs). The request is an
// IRemoteActivation::RemoteActivation (opnum 0) for an unregistered CLSID whose object name is a
// short, malformed UNC path: "\\A", an embedded NUL, "A\AA". RPCSS patched by KB823980 validates the
// server component and refuses the path (CO_E_BAD_PATH 0x80080004) or the anonymous caller
// (E_ACCESSDENIED 0x80070005); an unpatched RPCSS copies the short name unchecked and goes on to look
// the class up (REGDB_E_CLASSNOTREG 0x80040154): the plugin reads the HRESULT at offset 44 of the
// 68-byte response stub (phr, decoded here by the NDR declarations instead of an offset).
// The name is 8 characters: nothing is ever sent that could overflow, crash or run on the target.

import type { Socket } from 'node:net';
import type { CheckObservation } from '../../model/scan.js';
import { toHex } from '../../core/hex.js';
import {
  HRESULT, IREMOTE_ACTIVATION, OPNUM, decodeRemoteActivationResponse, encodeRemoteActivationRequest,
} from '../../protocols/dcerpc/interfaces/index.js';
import { ProbeError, RpcClient, type RpcClientLimits } from './rpc-client.js';

export const MS03_026 = { check: 'ms03-026', cve: 'CVE-2003-0352' } as const;

/** An unregistered CLSID ("VIGILCHK" in ASCII and zeros): the activation must fail, never start a server. */
export const CHECK_CLSID = '47495756-4c49-4843-4b00-000000000000';
/** The probe's object name: server "A" cut by a NUL, then "A\AA" (plugin 11808's shape). */
export const CHECK_OBJECT_NAME = '\\\\A\0A\\AA';
/** The longest UNC server component this check may ever send (it sends 1). */
export const CHECK_MAX_NAME = 16;

const IID_NIL = '00000000-0000-0000-0000-000000000000';

export function checkRequestStub(): Uint8Array {
  // ClientImpLevel 0, Mode 0, one (nil) IID and no protocol sequences, as plugin 11808 asks.
  return encodeRemoteActivationRequest({ clsid: CHECK_CLSID, objectName: CHECK_OBJECT_NAME, clientImpLevel: 0, mode: 0, iids: [IID_NIL], protseqs: [] });
}

const hex8 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** The verdict from RemoteActivation's answer (a response stub, or a fault status). */
export function verdictFromAnswer(port: number, answer: { kind: 'response'; stub: Uint8Array; littleEndian: boolean } | { kind: 'fault'; status: number; raw: Uint8Array }): CheckObservation {
  const base = { ...MS03_026, port };
  if (answer.kind === 'fault') {
    return { ...base, verdict: 'unknown', reason: `RemoteActivation fault ${hex8(answer.status)} on ${port}: the call was refused before the path was parsed (DCOM restricted or disabled)`, evidenceHex: toHex(answer.raw) };
  }
  const d = decodeRemoteActivationResponse(answer.stub, answer.littleEndian);
  const hr = d.value.hr;
  const evidenceHex = toHex(answer.stub.subarray(0, 512));
  if (hr === undefined) return { ...base, verdict: 'unknown', reason: `RemoteActivation response of ${answer.stub.length} bytes without a readable HRESULT`, evidenceHex };
  if (hr === HRESULT.CO_E_BAD_PATH) return { ...base, verdict: 'patched', reason: `phr ${hex8(hr)} CO_E_BAD_PATH: the malformed UNC name was refused (KB823980 behaviour)`, evidenceHex };
  if (hr === HRESULT.E_ACCESSDENIED) return { ...base, verdict: 'patched', reason: `phr ${hex8(hr)} E_ACCESSDENIED: the anonymous activation was refused (a patched RPCSS)`, evidenceHex };
  if (hr === HRESULT.S_OK) return { ...base, verdict: 'unknown', reason: 'phr 0x00000000: the activation of an unregistered class succeeded, which no Windows RPCSS answers', evidenceHex };
  const what = hr === HRESULT.REGDB_E_CLASSNOTREG ? ' REGDB_E_CLASSNOTREG' : '';
  return { ...base, verdict: 'vulnerable', reason: `phr ${hex8(hr)}${what}: the malformed UNC name passed unchecked to the class lookup (no KB823980)`, evidenceHex };
}

/** Run the check on a connected socket to 135 (or 593 with the ncacn_http greeting). */
export async function checkMs03026(socket: Socket, port: number, limits: RpcClientLimits, ncacnHttp: boolean): Promise<CheckObservation> {
  const rpc = new RpcClient(socket, limits, ncacnHttp);
  try {
    const [accepted] = await rpc.bind([IREMOTE_ACTIVATION]);
    if (!accepted) return { ...MS03_026, port, verdict: 'unknown', reason: `IRemoteActivation not accepted in bind on ${port}` };
    const answer = await rpc.call(0, OPNUM.remoteActivation, checkRequestStub());
    return verdictFromAnswer(port, answer);
  } catch (e) {
    if (!(e instanceof ProbeError)) throw e;
    return { ...MS03_026, port, verdict: 'unknown', reason: `no answer to the check on ${port}: ${e.message}` };
  } finally {
    rpc.close();
  }
}
