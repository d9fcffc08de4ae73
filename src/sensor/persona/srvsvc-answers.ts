// srvsvc answers (MS-SRVS 3.1.4.8 NetrShareEnum, 2.2.4.23 SHARE_INFO_1): the persona's share list,
// NDR-encoded by hand as level 1 (what smbclient -L and `net view` ask for): a container of
// (netname, type, remark) with the strings deferred after the array (C706 14.3.12.3).

import { ByteWriter } from '../../core/byte-writer.js';

export interface ShareEntry {
  readonly name: string;
  /** STYPE_* (MS-SRVS 2.2.2.4): 0 disk, 3 IPC, with 0x80000000 for special (administrative) shares. */
  readonly type: number;
  readonly remark: string;
}

/** An XP workstation's default shares. */
export const SHARES: readonly ShareEntry[] = [
  { name: 'IPC$', type: 0x80000003, remark: 'Remote IPC' },
  { name: 'ADMIN$', type: 0x80000000, remark: 'Remote Admin' },
  { name: 'C$', type: 0x80000000, remark: 'Default share' },
  { name: 'SharedDocs', type: 0, remark: '' },
];

function ndrString(w: ByteWriter, s: string): void {
  const chars = s.length + 1;
  w.align(4).u32(chars).u32(0).u32(chars).bytes(new Uint8Array(Buffer.from(`${s}\0`, 'utf16le')));
}

/** NetrShareEnum response: SHARE_ENUM_STRUCT (level 1), TotalEntries, ResumeHandle, status 0. */
export function netShareEnumAllResponse(shares: readonly ShareEntry[]): Uint8Array {
  const w = new ByteWriter(true, 512);
  let ref = 0x00020000;
  const next = (): number => (ref += 4);
  w.u32(1).u32(1).u32(next()); // Level, union tag, pointer to the container
  w.u32(shares.length).u32(next()); // EntriesRead, pointer to the array
  w.u32(shares.length); // conformance
  for (const s of shares) w.u32(next()).u32(s.type >>> 0).u32(next());
  for (const s of shares) {
    ndrString(w, s.name);
    ndrString(w, s.remark);
  }
  w.align(4).u32(shares.length).u32(next()).u32(0).u32(0); // TotalEntries, ResumeHandle -> 0, status
  return w.finish();
}
