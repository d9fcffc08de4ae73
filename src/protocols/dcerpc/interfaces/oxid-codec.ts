// IOXIDResolver 99fcfec4-5260-101b-bbcb-00aa0021347a ServerAlive2 (opnum 5) and the
// DUALSTRINGARRAY it returns (MS-DCOM 2.2.19, 3.1.2.5.1.6; impacket dcomrt.py).

import { AppError } from '../../../core/errors.js';
import type { Anomaly } from '../../../model/anomaly.js';
import { dcerpcAnomaly } from '../anomalies.js';
import { NdrWriter, RESPONSE_FIRST_REFERENT_ID, fromCharCodes, conformantArray, decodeNdr, pointer, struct, u16, u32, type NdrDecodeResult, type NdrLimits } from '../ndr/index.js';

export const comVersion = struct('COMVERSION', { major: u16, minor: u16 });
export const dualStringArray = struct('DUALSTRINGARRAY', { wNumEntries: u16, wSecurityOffset: u16, aStringArray: conformantArray(u16) });

/** Tower ids of string bindings (MS-DCOM 2.2.19.3): 0x07 ncacn_ip_tcp, 0x1f ncacn_http, ... */
export const TOWER_ID = { NCACN_IP_TCP: 0x07, NCADG_IP_UDP: 0x08, NCACN_NP: 0x0f, NCACN_HTTP: 0x1f } as const;

export interface StringBinding {
  readonly towerId: number;
  readonly networkAddr: string;
}
export interface SecurityBinding {
  readonly authnSvc: number;
  /** Reserved; Windows sends 0xffff (MS-DCOM 2.2.19.4). */
  readonly authzSvc: number;
  readonly principal: string;
}
export interface DualStringArray {
  readonly stringBindings: StringBinding[];
  readonly securityBindings: SecurityBinding[];
}

/** Split aStringArray into its two NUL-terminated lists; the counts must agree with the array. */
export function parseDualStringArray(v: { wNumEntries: number; wSecurityOffset: number; aStringArray: number[] }, anomalies: Anomaly[]): DualStringArray {
  const a = v.aStringArray;
  if (v.wNumEntries !== a.length) anomalies.push(dcerpcAnomaly('declared_size_mismatch', `DUALSTRINGARRAY.wNumEntries ${v.wNumEntries} but max_count ${a.length}`));
  if (v.wSecurityOffset > a.length) anomalies.push(dcerpcAnomaly('declared_size_mismatch', `DUALSTRINGARRAY.wSecurityOffset ${v.wSecurityOffset} past ${a.length} entries`));
  const str = (from: number): [string, number] => {
    let end = from;
    while (end < a.length && a[end] !== 0) end++;
    return [fromCharCodes(a, from, end), end + 1];
  };
  const stringBindings: StringBinding[] = [];
  for (let i = 0; i < Math.min(v.wSecurityOffset, a.length) && a[i] !== 0; ) {
    const [networkAddr, next] = str(i + 1);
    stringBindings.push({ towerId: a[i], networkAddr });
    i = next;
  }
  const securityBindings: SecurityBinding[] = [];
  for (let i = v.wSecurityOffset; i + 1 < a.length && a[i] !== 0; ) {
    const [principal, next] = str(i + 2);
    securityBindings.push({ authnSvc: a[i], authzSvc: a[i + 1], principal });
    i = next;
  }
  return { stringBindings, securityBindings };
}

export function buildDualStringArray(d: DualStringArray): { wNumEntries: number; wSecurityOffset: number; aStringArray: number[] } {
  const a: number[] = [];
  // Appended one unit at a time: spreading a long name into push() would overflow the stack.
  const text = (s: string): void => {
    for (let i = 0; i < s.length; i++) a.push(s.charCodeAt(i));
    a.push(0);
  };
  for (const b of d.stringBindings) {
    a.push(b.towerId);
    text(b.networkAddr);
  }
  a.push(0);
  const wSecurityOffset = a.length;
  for (const s of d.securityBindings) {
    a.push(s.authnSvc, s.authzSvc);
    text(s.principal);
  }
  a.push(0);
  if (a.length > 0xffff) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `DUALSTRINGARRAY of ${a.length} entries: wNumEntries is 16 bits`);
  return { wNumEntries: a.length, wSecurityOffset, aStringArray: a };
}

export interface ServerAlive2Response {
  comVersion: { major: number; minor: number };
  bindings: DualStringArray | null;
  reserved: number;
  errorCode: number;
}

/** ServerAlive2 has no [in] arguments: a well-formed request stub is empty. */
export function decodeServerAlive2Request(stub: Uint8Array): { anomalies: Anomaly[] } {
  return { anomalies: stub.length === 0 ? [] : [dcerpcAnomaly('declared_size_mismatch', `ServerAlive2 request carries ${stub.length} stub byte(s), expected 0`)] };
}

export function encodeServerAlive2Response(resp: { comVersion?: { major: number; minor: number }; bindings: DualStringArray; errorCode?: number }, littleEndian = true): Uint8Array {
  const w = new NdrWriter(littleEndian, RESPONSE_FIRST_REFERENT_ID);
  w.top(() => comVersion.write(w, resp.comVersion ?? { major: 5, minor: 7 }));
  w.top(() => pointer(dualStringArray).write(w, buildDualStringArray(resp.bindings)));
  w.top(() => u32.write(w, 0));
  w.top(() => u32.write(w, resp.errorCode ?? 0));
  return w.finish();
}

export function decodeServerAlive2Response(stub: Uint8Array, littleEndian: boolean, limits?: NdrLimits): NdrDecodeResult<Partial<ServerAlive2Response>> {
  return decodeNdr(stub, littleEndian, {} as Partial<ServerAlive2Response>, (r, out) => {
    out.comVersion = r.top(() => comVersion.read(r), 'pComVersion');
    const dsa = r.top(() => pointer(dualStringArray).read(r), 'ppdsaOrBindings');
    out.bindings = dsa && parseDualStringArray(dsa, r.anomalies);
    out.reserved = r.top(() => u32.read(r), 'pReserved');
    out.errorCode = r.top(() => u32.read(r), 'ErrorCode');
  }, limits, 'ServerAlive2_response');
}
