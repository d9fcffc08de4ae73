// Public API of the NDR 2.0 codec (C706 chapter 14, MS-RPCE 2.2.5-2.2.6): reader, writer,
// declarative types, strings, limits, NDR64 recognition and type serialisation framing.

export { NdrReader, Pending } from './ndr-reader.js';
export { NdrWriter, FIRST_REFERENT_ID, RESPONSE_FIRST_REFERENT_ID } from './ndr-writer.js';
export {
  u8, u16, u32, i32, hyper, uuid, struct, pointer, conformantArray, conformantVaryingArray, varyingArray,
  fixedArray, conformantBytes, contextHandle, NULL_CONTEXT_HANDLE,
} from './ndr-types.js';
export type { NdrType, NdrValue, NdrInput, AnyNdrType, PointerKind, ContextHandle } from './ndr-types.js';
export { wstring, cstring, varyingCString, varyingWString, fromCharCodes } from './ndr-strings.js';
export type { NdrString, NdrStringSpec, CharWidth } from './ndr-strings.js';
export { NDR_LIMIT_SPECS, DEFAULT_NDR_LIMITS, resolveNdrLimits, NdrLimitError } from './ndr-limits.js';
export type { NdrLimits, NdrLimitName } from './ndr-limits.js';
export { NDR20_SYNTAX_UUID, NDR64_SYNTAX_UUID, isNdr64, transferSyntaxAnomaly } from './ndr64.js';
export { readTypeSerialization, writeTypeSerialization, TYPE_SERIALIZATION_HEADER_LEN } from './type-serialization.js';
export type { TypeSerializationHeader, SerializedObject } from './type-serialization.js';
export { decodeNdr } from './ndr-decode.js';
export type { NdrDecodeResult } from './ndr-decode.js';
