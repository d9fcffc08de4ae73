// How the persona answers IRemoteActivation::RemoteActivation, by its configured RPCSS patch level
// (sensor.persona.rpcssPatch), so that the MS03-026 / MS03-039 checks of the 2003 scanners (Tenable
// plugins 11808 msrpc_dcom.nasl and 11835 msrpc_dcom2.nasl, after eEye's scanner; see
// src/scan/probes/ms03-026-check.ts) see the Windows they would have seen:
// - 'none' (no KB823980): the object name goes unchecked to the class lookup, which fails for the
//   scanners' unregistered CLSIDs: REGDB_E_CLASSNOTREG.
// - 'KB823980' (MS03-026): RPCSS validates a UNC object name first; the malformed short names and a
//   path to another machine are refused with CO_E_BAD_PATH.
// - 'KB824146' (MS03-039, which includes MS03-026): the name is read up to its first NUL; a bare
//   "\\server" reaches the class lookup (REGDB_E_CLASSNOTREG), a path on another machine is refused
//   (CO_E_BAD_PATH): the pair plugin 11835 reads as patched.
// - 'undisclosed' (default): every activation is refused with rpc_s_access_denied, as before.
// An overlong server name (an exploit's, not a check's) always gets the access-denied fault: the
// persona never imitates the crash of an unpatched RPCSS, which would end the observation.

import { HRESULT, decodeRemoteActivationRequest, encodeRemoteActivationFailure, uncServer } from '../../protocols/dcerpc/interfaces/index.js';
import type { PersonaConfig } from '../sensor-types.js';

export type RpcssPatch = 'undisclosed' | 'none' | 'KB823980' | 'KB824146';
export const RPCSS_PATCHES: readonly RpcssPatch[] = ['undisclosed', 'none', 'KB823980', 'KB824146'];

/** Longest UNC server component answered by patch level (the vulnerable buffer held 32 characters). */
export const MAX_ANSWERED_SERVER_NAME = 32;

/** The HRESULT for an object name, or undefined for "refuse with the access-denied fault". */
export function activationHresult(objectName: string | undefined, patch: RpcssPatch): number | undefined {
  if (patch === 'undisclosed') return undefined;
  const unc = uncServer(objectName);
  if (!unc || objectName === undefined) return HRESULT.REGDB_E_CLASSNOTREG;
  if (unc.length > MAX_ANSWERED_SERVER_NAME) return undefined;
  if (patch === 'none') return HRESULT.REGDB_E_CLASSNOTREG;
  if (patch === 'KB823980') return HRESULT.CO_E_BAD_PATH;
  const cut = objectName.split('\0')[0];
  const server = uncServer(cut);
  // "\\server" alone (or "\\server\") names no file: nothing to refuse before the class lookup
  const bare = !server || cut.length <= 2 + server.length + 1;
  return bare ? HRESULT.REGDB_E_CLASSNOTREG : HRESULT.CO_E_BAD_PATH;
}

export type ActivationAnswer = { readonly kind: 'response'; readonly stub: Uint8Array } | { readonly kind: 'deny' } | { readonly kind: 'bad_stub' };

export function remoteActivationAnswer(stub: Uint8Array, littleEndian: boolean, persona: PersonaConfig): ActivationAnswer {
  const patch = persona.rpcssPatch ?? 'undisclosed';
  if (patch === 'undisclosed') return { kind: 'deny' };
  const d = decodeRemoteActivationRequest(stub, littleEndian);
  if (!d.complete) return { kind: 'bad_stub' };
  const hr = activationHresult(d.activation.objectName, patch);
  if (hr === undefined) return { kind: 'deny' };
  const comMinor = persona.os === 'windows-2003' || persona.os === 'windows-xp-sp2' ? 7 : 6;
  return { kind: 'response', stub: encodeRemoteActivationFailure({ hr, interfaces: d.request.interfaces ?? 0, serverVersion: { major: 5, minor: comMinor } }, littleEndian) };
}
