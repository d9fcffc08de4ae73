// Endpoint mapper e1af8308-5d1f-11c9-91a4-08002b14a0fa v3 (C706 appendix O ept.idl; impacket
// epm.py; Wireshark packet-dcerpc-epm.c): ept_lookup (opnum 2) and ept_map (opnum 3), both ways.

import {
  NdrWriter, Pending, RESPONSE_FIRST_REFERENT_ID, contextHandle, conformantBytes, decodeNdr, pointer, struct, u16, u32, uuid, varyingCString,
  type ContextHandle, type NdrDecodeResult, type NdrLimits, type NdrReader,
} from '../ndr/index.js';
import { decodeEptMapRequestFast } from './epm-map-fast.js';
import { decodeTower, type Tower } from './epm-towers.js';
import type { InterfaceId } from './interface-ids.js';

/** ept status codes (C706 appendix O; MS-RPCE 2.2.1.1.8). */
export const EPT_STATUS = { OK: 0, NOT_REGISTERED: 0x16c9a0d6 } as const;
/** C706 ept.idl: ept_max_annotation_size. */
export const EPT_MAX_ANNOTATION = 64;

const rpcIfId = struct('rpc_if_id_t', { uuid, versMajor: u16, versMinor: u16 });
const twr = struct('twr_t', { towerLength: u32, towerOctetString: conformantBytes });
const eptEntry = struct('ept_entry_t', { object: uuid, tower: pointer(twr, 'full'), annotation: varyingCString });
// Pointer types are stateless declarations: made once here rather than on every call decoded.
const fullUuidPtr = pointer(uuid, 'full');
const fullIfIdPtr = pointer(rpcIfId, 'full');
const fullTowerPtr = pointer(twr, 'full');

export interface EptLookupRequest {
  inquiryType: number;
  object: string | null;
  ifId: InterfaceId | null;
  versOption: number;
  entryHandle: ContextHandle;
  maxEnts: number;
}
export interface EptEntry {
  object: string;
  tower: Tower | null;
  annotation: string;
}
export interface EptLookupResponse {
  entryHandle: ContextHandle;
  maxEnts: number;
  entries: EptEntry[];
  status: number;
}
export interface EptMapRequest {
  object: string | null;
  tower: Tower | null;
  entryHandle: ContextHandle;
  maxTowers: number;
}
export interface EptMapResponse {
  entryHandle: ContextHandle;
  maxTowers: number;
  towers: (Tower | null)[];
  status: number;
}

/** An entry to send: the tower as an octet string (see encodeTower). */
export interface EptEntrySpec {
  readonly object?: string;
  readonly tower: Uint8Array | null;
  readonly annotation?: string;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

function readTower(r: NdrReader, v: { towerLength: number; towerOctetString: Uint8Array } | null): Tower | null {
  if (v === null) return null;
  if (v.towerLength !== v.towerOctetString.length) {
    r.anomaly('declared_size_mismatch', `tower_length ${v.towerLength} but max_count ${v.towerOctetString.length}`);
  }
  return decodeTower(v.towerOctetString, r.anomalies);
}

function readIfId(v: { uuid: string; versMajor: number; versMinor: number } | null): InterfaceId | null {
  return v && { uuid: v.uuid, versionMajor: v.versMajor, versionMinor: v.versMinor };
}

export function decodeEptLookupRequest(stub: Uint8Array, littleEndian: boolean, limits?: NdrLimits): NdrDecodeResult<Partial<EptLookupRequest>> {
  return decodeNdr(stub, littleEndian, {} as Partial<EptLookupRequest>, (r, out) => {
    out.inquiryType = r.top(() => u32.read(r), 'inquiry_type');
    out.object = r.top(() => fullUuidPtr.read(r), 'object');
    out.ifId = readIfId(r.top(() => fullIfIdPtr.read(r), 'Ifid'));
    out.versOption = r.top(() => u32.read(r), 'vers_option');
    out.entryHandle = r.top(() => contextHandle.read(r), 'entry_handle');
    out.maxEnts = r.top(() => u32.read(r), 'max_ents');
  }, limits, 'ept_lookup');
}

export function encodeEptLookupRequest(req: Partial<EptLookupRequest>, littleEndian = true): Uint8Array {
  const w = new NdrWriter(littleEndian);
  w.top(() => u32.write(w, req.inquiryType ?? 0));
  w.top(() => pointer(uuid, 'full').write(w, req.object ?? null));
  const id = req.ifId;
  w.top(() => pointer(rpcIfId, 'full').write(w, id ? { uuid: id.uuid, versMajor: id.versionMajor, versMinor: id.versionMinor } : null));
  w.top(() => u32.write(w, req.versOption ?? 1));
  w.top(() => contextHandle.write(w, req.entryHandle ?? { attributes: 0, uuid: NIL_UUID }));
  w.top(() => u32.write(w, req.maxEnts ?? 500));
  return w.finish();
}

/** [out, length_is(*num), size_is(max)] array: max_count is the caller's max, not the length. */
function writeVaryingOut<T>(w: NdrWriter, max: number, items: readonly T[], each: (v: T) => void): void {
  w.top(() => {
    w.u32(max).u32(0).u32(items.length);
    w.inside(() => items.forEach(each));
  });
}

function readVaryingOut<T>(r: NdrReader, countField: number, each: () => T): { max: number; items: T[] } {
  const max = r.u32();
  const offset = r.u32();
  const actual = r.u32();
  if (offset !== 0 || actual > max || actual !== countField) {
    r.anomaly('ndr_string_inconsistent', `count ${countField}, max_count ${max}, offset ${offset}, actual_count ${actual}`);
  }
  r.checkCount('maxArrayElements', actual, 4);
  const items: T[] = new Array<T>(actual);
  r.inside(() => {
    for (let i = 0; i < actual; i++) {
      const v = each();
      // An embedded pointer's referent arrives after the array: fill the slot then.
      if (v instanceof Pending) v.bind((x) => (items[i] = x as T));
      else items[i] = v;
    }
  });
  return { max, items };
}

export function encodeEptLookupResponse(resp: { entryHandle: ContextHandle; maxEnts: number; entries: readonly EptEntrySpec[]; status: number }, littleEndian = true): Uint8Array {
  const w = new NdrWriter(littleEndian, RESPONSE_FIRST_REFERENT_ID);
  w.top(() => contextHandle.write(w, resp.entryHandle));
  w.top(() => u32.write(w, resp.entries.length));
  writeVaryingOut(w, Math.max(resp.maxEnts, resp.entries.length), resp.entries, (e) =>
    eptEntry.write(w, {
      object: e.object ?? NIL_UUID,
      tower: e.tower && { towerLength: e.tower.length, towerOctetString: e.tower },
      annotation: { value: (e.annotation ?? '').slice(0, EPT_MAX_ANNOTATION - 1) },
    }),
  );
  w.top(() => u32.write(w, resp.status));
  return w.finish();
}

export function decodeEptLookupResponse(stub: Uint8Array, littleEndian: boolean, limits?: NdrLimits): NdrDecodeResult<Partial<EptLookupResponse>> {
  return decodeNdr(stub, littleEndian, {} as Partial<EptLookupResponse>, (r, out) => {
    out.entryHandle = r.top(() => contextHandle.read(r), 'entry_handle');
    const num = r.top(() => u32.read(r), 'num_ents');
    const raw = r.top(() => readVaryingOut(r, num, () => eptEntry.read(r)), 'entries');
    out.maxEnts = raw.max;
    out.entries = raw.items.map((e, i) => ({
      object: e.object,
      tower: r.field(`entries[${i}].tower`, () => readTower(r, e.tower)),
      annotation: e.annotation.value,
    }));
    out.status = r.top(() => u32.read(r), 'status');
  }, limits, 'ept_lookup_response');
}

export function decodeEptMapRequest(stub: Uint8Array, littleEndian: boolean, limits?: NdrLimits): NdrDecodeResult<Partial<EptMapRequest>> {
  // the plain case at fixed offsets (epm-map-fast.ts); any other stub through the declarations
  return decodeEptMapRequestFast(stub, littleEndian, limits) ?? decodeEptMapRequestGeneric(stub, littleEndian, limits);
}

/** ept_map request through the NDR declarations: the reference the fast path is tested against. */
export function decodeEptMapRequestGeneric(stub: Uint8Array, littleEndian: boolean, limits?: NdrLimits): NdrDecodeResult<Partial<EptMapRequest>> {
  return decodeNdr(stub, littleEndian, {} as Partial<EptMapRequest>, (r, out) => {
    out.object = r.top(() => fullUuidPtr.read(r), 'object');
    out.tower = r.top(() => readTower(r, fullTowerPtr.read(r)), 'map_tower');
    out.entryHandle = r.top(() => contextHandle.read(r), 'entry_handle');
    out.maxTowers = r.top(() => u32.read(r), 'max_towers');
  }, limits, 'ept_map');
}

export function encodeEptMapRequest(req: { object?: string | null; tower: Uint8Array; entryHandle?: ContextHandle; maxTowers?: number }, littleEndian = true): Uint8Array {
  const w = new NdrWriter(littleEndian);
  w.top(() => pointer(uuid, 'full').write(w, req.object ?? NIL_UUID));
  w.top(() => pointer(twr, 'full').write(w, { towerLength: req.tower.length, towerOctetString: req.tower }));
  w.top(() => contextHandle.write(w, req.entryHandle ?? { attributes: 0, uuid: NIL_UUID }));
  w.top(() => u32.write(w, req.maxTowers ?? 4));
  return w.finish();
}

export function encodeEptMapResponse(resp: { entryHandle: ContextHandle; maxTowers: number; towers: readonly Uint8Array[]; status: number }, littleEndian = true): Uint8Array {
  // Full pointers are per call: ids fresh from the request's (Windows answers id 1, 2 with 3).
  const w = new NdrWriter(littleEndian, RESPONSE_FIRST_REFERENT_ID);
  w.top(() => contextHandle.write(w, resp.entryHandle));
  w.top(() => u32.write(w, resp.towers.length));
  const ptr = pointer(twr, 'full');
  writeVaryingOut(w, Math.max(resp.maxTowers, resp.towers.length), resp.towers, (t) => ptr.write(w, { towerLength: t.length, towerOctetString: t }));
  w.top(() => u32.write(w, resp.status));
  return w.finish();
}

export function decodeEptMapResponse(stub: Uint8Array, littleEndian: boolean, limits?: NdrLimits): NdrDecodeResult<Partial<EptMapResponse>> {
  return decodeNdr(stub, littleEndian, {} as Partial<EptMapResponse>, (r, out) => {
    out.entryHandle = r.top(() => contextHandle.read(r), 'entry_handle');
    const num = r.top(() => u32.read(r), 'num_towers');
    const ptr = pointer(twr, 'full');
    const raw = r.top(() => readVaryingOut(r, num, () => ptr.read(r)), 'towers');
    out.maxTowers = raw.max;
    out.towers = raw.items.map((t, i) => r.field(`towers[${i}]`, () => readTower(r, t)));
    out.status = r.top(() => u32.read(r), 'status');
  }, limits, 'ept_map_response');
}

/** One page of an ept_lookup walk: Windows hands out max_ents entries per call and keeps a
 * cursor behind the context handle; the last page returns a nil handle. */
export function eptLookupPage<T>(all: readonly T[], start: number, maxEnts: number): { page: T[]; next: number | undefined } {
  const end = Math.min(all.length, start + Math.max(1, maxEnts));
  return { page: all.slice(start, end), next: end < all.length ? end : undefined };
}

