// NDR strings (C706 14.3.4; MS-RPCE 2.2.5.2): [string] wchar_t* / char* as conformant-varying
// arrays ending in NUL, and fixed-size [string] arrays as varying arrays. Counts are in characters.

import type { NdrReader } from './ndr-reader.js';
import type { NdrType } from './ndr-types.js';
import type { NdrWriter } from './ndr-writer.js';

export type CharWidth = 1 | 2;

/** A decoded string with the counts the peer declared, for evidence (field, lengths, offset). */
export interface NdrString {
  /** Characters up to actual_count, without one terminating NUL. */
  readonly value: string;
  /** max_count (conformant strings only). */
  readonly maxCount?: number;
  readonly offset: number;
  readonly actualCount: number;
  /** Offset in the stub of the first character. */
  readonly at: number;
  readonly terminated: boolean;
}

/** How a string is written; the counts may be overridden to build inconsistent test traffic. */
export interface NdrStringSpec {
  readonly value: string;
  readonly maxCount?: number;
  readonly offset?: number;
  readonly actualCount?: number;
  /** Append the terminating NUL (default true). */
  readonly terminate?: boolean;
}

/** Characters from code units, in slices: one spread of a peer-sized array could overflow the stack. */
export function fromCharCodes(codes: ArrayLike<number>, start = 0, end = codes.length): string {
  let text = '';
  for (let i = start; i < end; i += 8192) text += String.fromCharCode(...Array.prototype.slice.call(codes, i, Math.min(end, i + 8192)));
  return text;
}

function readChars(r: NdrReader, n: number, width: CharWidth): { text: string; terminated: boolean } {
  r.checkCount('maxStringChars', n, width);
  const codes = new Array<number>(n);
  if (width === 2) for (let i = 0; i < n; i++) codes[i] = r.bytes.u16();
  else for (let i = 0; i < n; i++) codes[i] = r.bytes.u8();
  const terminated = n > 0 && codes[n - 1] === 0;
  if (terminated) codes.length = n - 1;
  return { text: fromCharCodes(codes), terminated };
}

function readString(r: NdrReader, width: CharWidth, conformant: boolean, type: string): NdrString {
  const what = r.fieldPath ? 'string' : type;
  const maxCount = conformant ? r.conformance() : undefined;
  const offset = r.u32();
  const actualCount = r.u32();
  if (offset !== 0) r.anomaly('ndr_string_inconsistent', `${what}: offset ${offset} (expected 0)`);
  if (maxCount !== undefined && offset + actualCount > maxCount) {
    r.anomaly('ndr_string_inconsistent', `${what}: actual_count ${actualCount} + offset ${offset} > max_count ${maxCount}`);
  }
  const at = r.offset;
  const { text, terminated } = readChars(r, actualCount, width);
  if (!terminated) r.anomaly('ndr_string_inconsistent', `${what}: not NUL-terminated (actual_count ${actualCount})`);
  return maxCount === undefined
    ? { value: text, offset, actualCount, at, terminated }
    : { value: text, maxCount, offset, actualCount, at, terminated };
}

function writeString(w: NdrWriter, width: CharWidth, conformant: boolean, spec: NdrStringSpec): void {
  const chars = spec.terminate === false ? spec.value : `${spec.value}\0`;
  if (conformant) w.conformance(spec.maxCount ?? chars.length);
  w.u32(spec.offset ?? 0).u32(spec.actualCount ?? chars.length);
  if (width === 2) for (let i = 0; i < chars.length; i++) w.bytes.u16(chars.charCodeAt(i));
  else for (let i = 0; i < chars.length; i++) w.bytes.u8(chars.charCodeAt(i));
}

function stringType(name: string, width: CharWidth, conformant: boolean): NdrType<NdrString, NdrStringSpec> {
  return {
    name,
    align: 4,
    size: conformant ? 12 : 8,
    conformant,
    conformantCount: (v) => v.maxCount ?? v.value.length + (v.terminate === false ? 0 : 1),
    read: (r) => readString(r, width, conformant, name),
    write: (w, v) => writeString(w, width, conformant, v),
  };
}

/** [string] wchar_t* referent: conformant-varying UTF-16 string. */
export const wstring = stringType('wchar_t[string]', 2, true);
/** [string] char* referent: conformant-varying 8-bit string. */
export const cstring = stringType('char[string]', 1, true);
/** [string] char name[N] inside a structure: varying only (e.g. ept_entry_t.annotation). */
export const varyingCString = stringType('char[N][string]', 1, false);
/** [string] wchar_t name[N] inside a structure. */
export const varyingWString = stringType('wchar_t[N][string]', 2, false);
