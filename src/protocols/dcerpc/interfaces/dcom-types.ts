// DCOM wire types shared by the activation interfaces (MS-DCOM 2.2.11-2.2.14): COMVERSION,
// ORPC_EXTENT(_ARRAY), ORPCTHIS, MInterfacePointer, and the size checks each one implies.

import { conformantArray, conformantBytes, pointer, struct, u16, u32, uuid, type NdrReader, type NdrValue } from '../ndr/index.js';

export const comVersion = struct('COMVERSION', { major: u16, minor: u16 });
export const orpcExtent = struct('ORPC_EXTENT', { id: uuid, size: u32, data: conformantBytes });
export const orpcExtentArray = struct('ORPC_EXTENT_ARRAY', { size: u32, reserved: u32, extent: pointer(conformantArray(pointer(orpcExtent))) });
export const orpcThis = struct('ORPCTHIS', { version: comVersion, flags: u32, reserved1: u32, cid: uuid, extensions: pointer(orpcExtentArray) });
export const mInterfacePointer = struct('MInterfacePointer', { ulCntData: u32, abData: conformantBytes });

export type OrpcThis = NdrValue<typeof orpcThis>;
export type MInterfacePointer = NdrValue<typeof mInterfacePointer>;

/** ORPC_EXTENT data is padded to 8 and the extent array to an even count (MS-DCOM 2.2.13.1-2). */
export function checkOrpcThis(r: NdrReader, v: OrpcThis): void {
  const ext = v.extensions;
  if (!ext) return;
  const n = ext.extent?.length ?? 0;
  if (ext.extent && n !== ((ext.size + 1) & ~1)) {
    r.anomaly('declared_size_mismatch', `ORPCTHIS.extensions.size ${ext.size} but ${n} extent slot(s)`);
  }
  for (const [i, e] of (ext.extent ?? []).entries()) {
    if (e && e.data.length !== ((e.size + 7) & ~7)) {
      r.anomaly('declared_size_mismatch', `ORPCTHIS.extensions.extent[${i}].size ${e.size} but ${e.data.length} data byte(s)`);
    }
  }
}

/** ulCntData must equal the conformant max_count of abData (MS-DCOM 2.2.14). */
export function checkInterfacePointer(r: NdrReader, field: string, v: MInterfacePointer | null): void {
  if (v && v.ulCntData !== v.abData.length) {
    r.anomaly('declared_size_mismatch', `${field}.ulCntData ${v.ulCntData} but abData max_count ${v.abData.length}`);
  }
}

export function orpcThisValue(version = { major: 5, minor: 7 }, cid = '00000000-0000-0000-0000-000000000000'): OrpcThis {
  return { version, flags: 0, reserved1: 0, cid, extensions: null };
}

export function interfacePointer(data: Uint8Array): MInterfacePointer {
  return { ulCntData: data.length, abData: data };
}
