// The MS03-026 (CVE-2003-0352, KB823980) and MS03-039 (CVE-2003-0715, KB824146) checks, non-destructive, by the public method of the
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

import type { CheckObservation } from '../../model/scan.js';
import { toHex } from '../../core/hex.js';
import {
  HRESULT, IREMOTE_ACTIVATION, OPNUM, decodeRemoteActivationResponse, encodeRemoteActivationRequest,
} from '../../protocols/dcerpc/interfaces/index.js';
import { ProbeError, RpcClient, type RpcByteStream, type RpcClientLimits } from './rpc-client.js';

export const MS03_026 = { check: 'ms03-026', cve: 'CVE-2003-0352' } as const;
export const MS03_039 = { check: 'ms03-039', cve: 'CVE-2003-0715' } as const;

/** An unregistered CLSID ("VIGILCHK" in ASCII and zeros): the activation must fail, never start a server. */
export const CHECK_CLSID = '47495756-4c49-4843-4b00-000000000000';
/** Probe A, plugin 11808's shape: server "A" cut by a NUL, then "A\AA". */
export const NAME_A = '\\\\A\0A\\AA';
/** Probes B and C, plugin 11835's pair: a short path on another machine, and "\\A", a NUL, a share
 * path. RPCSS with KB824146 (MS03-039, which contains MS03-026) reads a name up to its first NUL, so
 * it refuses B (CO_E_BAD_PATH) but takes C, a bare "\\A", to the class lookup (REGDB_E_CLASSNOTREG);
 * it answers A as it answers C, which is why plugin 11808 runs only where 11835 found no KB824146. */
export const NAME_B = '\\\\A\\B';
export const NAME_C = '\\\\A\0\\c$\\vigil.txt';
/** The longest UNC server component these probes send (each sends "A"). */
export const CHECK_MAX_NAME = 1;

const IID_NIL = '00000000-0000-0000-0000-000000000000';

export function checkRequestStub(objectName: string = NAME_A): Uint8Array {
  // ClientImpLevel 0, Mode 0, one (nil) IID and no protocol sequences, as plugin 11808 asks.
  return encodeRemoteActivationRequest({ clsid: CHECK_CLSID, objectName, clientImpLevel: 0, mode: 0, iids: [IID_NIL], protseqs: [] });
}

const hex8 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

type Answer = { kind: 'response'; stub: Uint8Array; littleEndian: boolean } | { kind: 'fault'; status: number; raw: Uint8Array };

/** What one RemoteActivation answer says: the HRESULT (phr), or the fault. */
interface Reading {
  readonly hr?: number;
  readonly fault?: number;
  readonly hex: string;
}

function read(a: Answer): Reading {
  if (a.kind === 'fault') return { fault: a.status, hex: toHex(a.raw) };
  const hr = decodeRemoteActivationResponse(a.stub, a.littleEndian).value.hr;
  return { ...(hr === undefined ? {} : { hr }), hex: toHex(a.stub.subarray(0, 512)) };
}

const PATCHED_HR = new Set<number>([HRESULT.CO_E_BAD_PATH, HRESULT.E_ACCESSDENIED]);
const name = (hr: number): string => ({ [HRESULT.CO_E_BAD_PATH]: ' CO_E_BAD_PATH', [HRESULT.E_ACCESSDENIED]: ' E_ACCESSDENIED', [HRESULT.REGDB_E_CLASSNOTREG]: ' REGDB_E_CLASSNOTREG' })[hr] ?? '';
const said = (r: Reading): string => (r.fault !== undefined ? `fault ${hex8(r.fault)}` : r.hr !== undefined ? `phr ${hex8(r.hr)}${name(r.hr)}` : 'no readable HRESULT');

/** How the probes reached RPCSS: the transport and how to name it in a reason. */
export interface CheckPath {
  readonly port: number;
  readonly transport: NonNullable<CheckObservation['transport']>;
  /** e.g. 'port 135', 'port 445, \PIPE\epmapper over SMB 2.1'. */
  readonly via: string;
}

export const tcpPath = (port: number, ncacnHttp = false): CheckPath => ({ port, transport: ncacnHttp ? 'ncacn_http' : 'ncacn_ip_tcp', via: `port ${port}` });

/** Observations of both checks with one verdict (a refusal, no answer). */
export function bothChecks(path: CheckPath, verdict: CheckObservation['verdict'], reason: string, hex?: string): CheckObservation[] {
  return [MS03_026, MS03_039].map((id) => ({ ...id, port: path.port, transport: path.transport, verdict, reason: `${reason} (${path.via})`, ...(hex === undefined ? {} : { evidenceHex: hex }) }));
}

/** Verdicts from probe A and, when A alone cannot tell, probes B and C. */
export function verdicts(at: number | CheckPath, a: Reading, b?: Reading, c?: Reading): CheckObservation[] {
  const path = typeof at === 'number' ? tcpPath(at) : at;
  const port = path.port;
  const obs = (id: typeof MS03_026 | typeof MS03_039, verdict: CheckObservation['verdict'], reason: string, hex: string): CheckObservation =>
    ({ ...id, port, transport: path.transport, verdict, reason: `${reason} (${path.via})`, evidenceHex: hex });
  const abc = [a, b, c].filter((x): x is Reading => x !== undefined);
  const fault = abc.find((x) => x.fault !== undefined || x.hr === undefined);
  if (fault) {
    const why = `RemoteActivation answered with ${said(fault)}: refused before the name was parsed (DCOM restricted or disabled)`;
    return [obs(MS03_026, 'unknown', why, fault.hex), obs(MS03_039, 'unknown', why, fault.hex)];
  }
  if (a.hr === HRESULT.S_OK) {
    const why = 'phr 0x00000000: an unregistered class was activated, which no Windows RPCSS answers';
    return [obs(MS03_026, 'unknown', why, a.hex), obs(MS03_039, 'unknown', why, a.hex)];
  }
  if (PATCHED_HR.has(a.hr!)) {
    // KB823980 at least; whether KB824146 too is for B and C to tell
    const p026 = obs(MS03_026, 'patched', `probe A (malformed short UNC name): ${said(a)}, the name was refused (KB823980 behaviour)`, a.hex);
    if (!b || !c) return [p026];
    const p039 = b.hr === HRESULT.CO_E_BAD_PATH && c.hr === HRESULT.REGDB_E_CLASSNOTREG;
    return [p026, obs(MS03_039, p039 ? 'patched' : 'vulnerable', `probe B ${said(b)}, probe C ${said(c)}${p039 ? ': the KB824146 pair' : ': not the KB824146 pair (plugin 11835)'}`, `${b.hex} ${c.hex}`)];
  }
  if (b && c && b.hr === HRESULT.CO_E_BAD_PATH && c.hr === HRESULT.REGDB_E_CLASSNOTREG) {
    const why = `probe A ${said(a)}, probe B ${said(b)}, probe C ${said(c)}: the KB824146 pair (MS03-039, which contains MS03-026)`;
    return [obs(MS03_026, 'patched', why, `${a.hex} ${b.hex} ${c.hex}`), obs(MS03_039, 'patched', why, `${b.hex} ${c.hex}`)];
  }
  const why = `probe A (malformed short UNC name): ${said(a)}, the name passed unchecked to the class lookup (no KB823980)${b && c ? `; probes B ${said(b)}, C ${said(c)}` : ''}`;
  return [obs(MS03_026, 'vulnerable', why, a.hex), obs(MS03_039, 'vulnerable', why, a.hex)];
}

/** Run the probes on a connected socket to 135 (or 593 with the ncacn_http greeting), or on the
 * \PIPE\epmapper stream of an SMB session (ms03-026-pipe-check.ts, `path` names it); the
 * observations of the checks asked for (ms03-026, ms03-039). */
export async function checkRemoteActivation(socket: RpcByteStream, port: number, limits: RpcClientLimits, ncacnHttp: boolean, wanted: readonly string[], path: CheckPath = tcpPath(port, ncacnHttp)): Promise<CheckObservation[]> {
  const rpc = new RpcClient(socket, limits, ncacnHttp);
  const pick = (list: CheckObservation[]): CheckObservation[] => list.filter((o) => wanted.includes(o.check));
  const unknown = (reason: string): CheckObservation[] => pick(bothChecks(path, 'unknown', reason));
  try {
    const [accepted] = await rpc.bind([IREMOTE_ACTIVATION]);
    if (!accepted) return unknown('IRemoteActivation not accepted in bind');
    const call = async (n: string): Promise<Reading> => read(await rpc.call(0, OPNUM.remoteActivation, checkRequestStub(n)));
    const a = await call(NAME_A);
    const needBC = a.hr !== undefined && a.hr !== HRESULT.S_OK && (!PATCHED_HR.has(a.hr) || wanted.includes('ms03-039'));
    if (!needBC) return pick(verdicts(path, a));
    const b = await call(NAME_B);
    const c = await call(NAME_C);
    return pick(verdicts(path, a, b, c));
  } catch (e) {
    if (!(e instanceof ProbeError)) throw e;
    return unknown(`no answer to the check: ${e.message}`);
  } finally {
    rpc.close();
  }
}
