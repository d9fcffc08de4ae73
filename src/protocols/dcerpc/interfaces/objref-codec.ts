// OBJREF, the marshaled interface pointer inside MInterfacePointer.abData (MS-DCOM 2.2.18):
// 'MEOW' signature, flags, IID, then the standard/handler/custom/extended body. Always little-endian.

import { ByteReader } from '../../../core/byte-reader.js';
import { ByteWriter } from '../../../core/byte-writer.js';
import { TruncatedError } from '../../../core/errors.js';
import type { Anomaly } from '../../../model/anomaly.js';
import { dcerpcAnomaly } from '../anomalies.js';

export const OBJREF_SIGNATURE = 0x574f454d; // 'MEOW'
export const OBJREF_FLAGS = { STANDARD: 1, HANDLER: 2, CUSTOM: 4, EXTENDED: 8 } as const;
export const OBJREF_CUSTOM_HEADER_LEN = 48;

export interface ObjrefCustom {
  readonly clsid: string;
  readonly cbExtension: number;
  /** MS-DCOM calls it reserved; impacket ObjectReferenceSize. Windows sends the activation blob's
   * dwSize + 16 here, 8 more than the bytes that follow (seen in both corpus activations). */
  readonly objectReferenceSize: number;
  readonly objectData: Uint8Array;
}

export interface Objref {
  readonly signature: number;
  readonly flags: number;
  readonly iid: string;
  readonly custom?: ObjrefCustom;
}

export function decodeObjref(bytes: Uint8Array, anomalies: Anomaly[], what = 'OBJREF'): Objref | undefined {
  const r = new ByteReader(bytes, 0, bytes.length, true);
  try {
    const signature = r.u32();
    const flags = r.u32();
    const iid = r.uuid();
    if (signature !== OBJREF_SIGNATURE) anomalies.push(dcerpcAnomaly('protocol_violation', `${what}.signature 0x${signature.toString(16)}, expected 'MEOW'`));
    if (flags !== OBJREF_FLAGS.CUSTOM) return { signature, flags, iid };
    const clsid = r.uuid();
    const cbExtension = r.u32();
    const objectReferenceSize = r.u32();
    const objectData = r.bytes(r.remaining);
    if (cbExtension !== 0) anomalies.push(dcerpcAnomaly('declared_size_mismatch', `${what}.cbExtension ${cbExtension}, expected 0`));
    return { signature, flags, iid, custom: { clsid, cbExtension, objectReferenceSize, objectData } };
  } catch (e) {
    if (!(e instanceof TruncatedError)) throw e;
    anomalies.push(dcerpcAnomaly('declared_size_mismatch', `${what}: ${bytes.length} byte(s), too short for its header`));
    return undefined;
  }
}

export function encodeObjrefCustom(iid: string, clsid: string, objectData: Uint8Array, objectReferenceSize = objectData.length + 8): Uint8Array {
  const w = new ByteWriter(true, OBJREF_CUSTOM_HEADER_LEN + objectData.length);
  w.u32(OBJREF_SIGNATURE).u32(OBJREF_FLAGS.CUSTOM).uuid(iid).uuid(clsid).u32(0).u32(objectReferenceSize);
  return w.bytes(objectData).finish();
}
