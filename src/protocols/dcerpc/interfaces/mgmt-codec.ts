// Management interface afa8bd80-7d8a-11c9-bef4-08002b102989 v1 (C706 appendix Q mgmt.idl;
// impacket mgmt.py): rpc__mgmt_inq_if_ids (opnum 0) response, which lists the bound interfaces.

import { NdrWriter, RESPONSE_FIRST_REFERENT_ID, conformantArray, decodeNdr, pointer, struct, u16, u32, uuid, type NdrDecodeResult, type NdrLimits } from '../ndr/index.js';
import type { InterfaceId } from './interface-ids.js';

const rpcIfId = struct('rpc_if_id_t', { uuid, versMajor: u16, versMinor: u16 });
const ifIdVector = struct('rpc_if_id_vector_t', { count: u32, ifId: conformantArray(pointer(rpcIfId)) });

export interface InqIfIdsResponse {
  ifIds: (InterfaceId | null)[];
  status: number;
}

export function encodeInqIfIdsResponse(resp: { ifIds: readonly InterfaceId[]; status?: number }, littleEndian = true): Uint8Array {
  const w = new NdrWriter(littleEndian, RESPONSE_FIRST_REFERENT_ID);
  const ids = resp.ifIds.map((i) => ({ uuid: i.uuid, versMajor: i.versionMajor, versMinor: i.versionMinor }));
  w.top(() => pointer(ifIdVector).write(w, { count: ids.length, ifId: ids }));
  w.top(() => u32.write(w, resp.status ?? 0));
  return w.finish();
}

export function decodeInqIfIdsResponse(stub: Uint8Array, littleEndian: boolean, limits?: NdrLimits): NdrDecodeResult<Partial<InqIfIdsResponse>> {
  return decodeNdr(stub, littleEndian, {} as Partial<InqIfIdsResponse>, (r, out) => {
    const v = r.top(() => pointer(ifIdVector).read(r), 'if_id_vector');
    if (v && v.count !== v.ifId.length) r.anomaly('declared_size_mismatch', `if_id_vector.count ${v.count} but max_count ${v.ifId.length}`);
    out.ifIds = (v?.ifId ?? []).map((i) => i && { uuid: i.uuid, versionMajor: i.versMajor, versionMinor: i.versMinor });
    out.status = r.top(() => u32.read(r), 'status');
  }, limits, 'inq_if_ids_response');
}
