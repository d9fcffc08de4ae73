// NDR Type Serialization Version 1 (MS-RPCE 2.2.6): the 8-byte common header (version 1, its own
// endianness byte, length 8, filler 0xcccccccc) and 8-byte private header framing one NDR object.

import { ByteReader } from '../../../core/byte-reader.js';
import { ByteWriter } from '../../../core/byte-writer.js';
import type { Anomaly } from '../../../model/anomaly.js';
import { dcerpcAnomaly } from '../anomalies.js';

export const TYPE_SERIALIZATION_HEADER_LEN = 16;

export interface TypeSerializationHeader {
  readonly version: number;
  /** Endianness byte 0x10: little-endian; 0x00: big-endian. */
  readonly littleEndian: boolean;
  readonly commonHeaderLength: number;
  readonly objectBufferLength: number;
}

export interface SerializedObject {
  readonly header: TypeSerializationHeader;
  /** The object's NDR bytes: objectBufferLength bytes, clipped to what is present. */
  readonly body: Uint8Array;
  readonly anomalies: Anomaly[];
}

/** Read the headers at the start of `bytes`; `what` names the object in anomaly details. Returns
 * undefined when not even the 16 header bytes are there (recorded as an anomaly). */
export function readTypeSerialization(bytes: Uint8Array, what: string, anomalies: Anomaly[]): SerializedObject | undefined {
  if (bytes.length < TYPE_SERIALIZATION_HEADER_LEN) {
    anomalies.push(dcerpcAnomaly('declared_size_mismatch', `${what}: ${bytes.length} bytes, too short for a type serialisation header`));
    return undefined;
  }
  const version = bytes[0];
  const littleEndian = bytes[1] !== 0x00;
  const r = new ByteReader(bytes, 2, bytes.length, littleEndian);
  const commonHeaderLength = r.u16();
  r.skip(4); // filler 0xcccccccc
  const objectBufferLength = r.u32();
  r.skip(4); // private header filler
  const own: Anomaly[] = [];
  if (version !== 1 || commonHeaderLength !== 8 || (bytes[1] !== 0x10 && bytes[1] !== 0x00)) {
    own.push(dcerpcAnomaly('protocol_violation', `${what}: type serialisation header version ${version}, endianness 0x${bytes[1].toString(16)}, length ${commonHeaderLength}`));
  }
  const present = bytes.length - TYPE_SERIALIZATION_HEADER_LEN;
  if (objectBufferLength > present) {
    own.push(dcerpcAnomaly('declared_size_mismatch', `${what}.ObjectBufferLength: declared ${objectBufferLength}, present ${present}`));
  }
  anomalies.push(...own);
  const body = bytes.subarray(TYPE_SERIALIZATION_HEADER_LEN, TYPE_SERIALIZATION_HEADER_LEN + Math.min(objectBufferLength, present));
  return { header: { version, littleEndian, commonHeaderLength, objectBufferLength }, body, anomalies: own };
}

/** Frame an NDR body; the body is padded to a multiple of 8 as the spec requires. */
export function writeTypeSerialization(body: Uint8Array, littleEndian = true): Uint8Array {
  const padded = (body.length + 7) & ~7;
  const w = new ByteWriter(littleEndian, TYPE_SERIALIZATION_HEADER_LEN + padded);
  w.u8(1).u8(littleEndian ? 0x10 : 0x00).u16(8).u32(0xcccccccc);
  w.u32(padded).u32(0);
  w.bytes(body).zeros(padded - body.length);
  return w.finish();
}
