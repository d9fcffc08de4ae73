// NDR stubs of the persona's endpoint-mapper, mgmt and OXID-resolver replies (C706 appendix O
// ept_lookup/ept_map, C706 appendix Q mgmt inq_if_ids, MS-DCOM 3.1.2.5.1.6 ServerAlive2), and the
// two request decoders they need. Field order and alignment checked against impacket epm.py/dcomrt.py.

import { ByteReader } from '../../core/byte-reader.js';
import { ByteWriter } from '../../core/byte-writer.js';
import type { IfaceId } from './persona-interfaces.js';
import { decodeTower, type DecodedTower } from './towers.js';

export const EPT_S_NOT_REGISTERED = 0x16c9a0d6;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
/** Our lookup handles carry the next entry index in time_low; the rest marks them as ours. */
const HANDLE_TAIL = '-7669-4c69-8067-696c2d65706d';

export interface LookupRequest {
  readonly inquiryType: number;
  readonly ifid?: IfaceId;
  /** Index of the next entry to return (0 for a fresh handle). */
  readonly cursor: number;
  readonly maxEnts: number;
}

function uniqueUuid(r: ByteReader): string | undefined {
  const ptr = r.u32();
  return ptr === 0 ? undefined : r.uuid();
}

function readHandle(r: ByteReader): number {
  r.u32();
  const u = r.uuid();
  return u.endsWith(HANDLE_TAIL) ? parseInt(u.slice(0, 8), 16) : 0;
}

/** ept_lookup [in] arguments; throws TruncatedError on short stubs (the caller faults the call). */
export function decodeLookupRequest(stub: Uint8Array, littleEndian: boolean): LookupRequest {
  const r = new ByteReader(stub, 0, stub.length, littleEndian);
  const inquiryType = r.u32();
  uniqueUuid(r);
  const ifPtr = r.u32();
  const ifid = ifPtr === 0 ? undefined : { uuid: r.uuid(), major: r.u16(), minor: r.u16() };
  r.u32(); // vers_option
  const cursor = readHandle(r);
  const maxEnts = r.u32();
  return ifid ? { inquiryType, ifid, cursor, maxEnts } : { inquiryType, cursor, maxEnts };
}

export interface MapRequest {
  readonly tower?: DecodedTower;
  readonly maxTowers: number;
}

/** ept_map [in] arguments: the tower the peer wants mapped and how many answers it takes. */
export function decodeMapRequest(stub: Uint8Array, littleEndian: boolean): MapRequest {
  const r = new ByteReader(stub, 0, stub.length, littleEndian);
  uniqueUuid(r);
  let tower: DecodedTower | undefined;
  if (r.u32() !== 0) {
    r.u32(); // conformance (max_count) of the conformant twr_t
    const len = r.u32();
    tower = decodeTower(r.bytes(Math.min(len, r.remaining)));
    r.align(4);
  }
  readHandle(r);
  return { tower, maxTowers: r.u32() };
}

function writeHandle(w: ByteWriter, cursor: number | undefined): void {
  w.u32(0);
  w.uuid(cursor === undefined ? NIL_UUID : `${cursor.toString(16).padStart(8, '0')}${HANDLE_TAIL}`);
}

export interface LookupEntry {
  readonly annotation: string;
  readonly tower: Uint8Array;
}

/**
 * ept_lookup [out]: entry_handle, num_ents, entries (conformant varying, size max_ents), status.
 * `next` is the cursor of the following page, or undefined on the last page (a nil handle, which
 * is what impacket's hept_lookup loops on).
 */
export function encodeLookupResponse(entries: readonly LookupEntry[], maxEnts: number, next: number | undefined, status = 0): Uint8Array {
  const w = new ByteWriter(true, 256 + entries.length * 160);
  writeHandle(w, next);
  w.u32(entries.length);
  w.u32(maxEnts).u32(0).u32(entries.length);
  let ref = 0x00020000;
  for (const e of entries) {
    w.uuid(NIL_UUID).u32((ref += 4));
    const ann = Buffer.from(`${e.annotation}\0`, 'latin1');
    w.u32(0).u32(ann.length).bytes(ann).align(4);
  }
  for (const e of entries) writeTower(w, e.tower);
  w.u32(status);
  return w.finish();
}

function writeTower(w: ByteWriter, tower: Uint8Array): void {
  w.u32(tower.length).u32(tower.length).bytes(tower).align(4);
}

/** ept_map [out]: entry_handle (nil), num_towers, towers (conformant varying of pointers), status. */
export function encodeMapResponse(towers: readonly Uint8Array[], maxTowers: number): Uint8Array {
  const w = new ByteWriter(true, 128);
  writeHandle(w, undefined);
  w.u32(towers.length);
  w.u32(maxTowers).u32(0).u32(towers.length);
  for (let i = 0; i < towers.length; i++) w.u32(0x00020004 + 4 * i);
  for (const t of towers) writeTower(w, t);
  w.u32(towers.length === 0 ? EPT_S_NOT_REGISTERED : 0);
  return w.finish();
}

/** mgmt inq_if_ids [out]: a unique pointer to rpc_if_id_vector_t, then status. */
export function encodeInqIfIdsResponse(ids: readonly IfaceId[]): Uint8Array {
  const w = new ByteWriter(true, 64 + ids.length * 28);
  w.u32(0x00020000);
  w.u32(ids.length).u32(ids.length);
  for (let i = 0; i < ids.length; i++) w.u32(0x00020004 + 4 * i);
  for (const id of ids) w.uuid(id.uuid).u16(id.major).u16(id.minor);
  w.u32(0);
  return w.finish();
}

/** RPC_C_AUTHN_* services a workstation advertises in its security bindings (MS-DCOM 2.2.19.4). */
const SECURITY_BINDINGS = [0x0a /* WINNT (NTLM) */, 0x09 /* GSS_NEGOTIATE */, 0x10 /* GSS_KERBEROS */];

/**
 * IOXIDResolver ServerAlive2 [out]: COMVERSION, DUALSTRINGARRAY* (string bindings: ncacn_ip_tcp
 * with host name and each address; then security bindings), reserved, status.
 */
export function encodeServerAlive2Response(hostname: string, addresses: readonly string[], comMinor = 6): Uint8Array {
  const words: number[] = [];
  const str = (s: string): void => {
    for (const ch of s) words.push(ch.charCodeAt(0) & 0xffff);
    words.push(0);
  };
  for (const name of [hostname, ...addresses]) {
    words.push(0x0007);
    str(name);
  }
  words.push(0);
  const securityOffset = words.length;
  for (const svc of SECURITY_BINDINGS) {
    words.push(svc, 0xffff);
    words.push(0);
  }
  words.push(0);
  const w = new ByteWriter(true, 64 + words.length * 2);
  w.u16(5).u16(comMinor);
  w.u32(0x00020000);
  w.u32(words.length).u16(words.length).u16(securityOffset);
  for (const x of words) w.u16(x);
  w.align(4).u32(0).u32(0);
  return w.finish();
}
