// Strings inside SMB messages: OEM (latin1) or UTF-16LE, NUL-terminated or counted, with SMB1's
// rule that a Unicode string is 2-aligned from the start of the SMB header (MS-CIFS 2.2.1.1).

import type { ByteReader } from '../../core/byte-reader.js';

const utf16 = new TextDecoder('utf-16le');
const latin1 = new TextDecoder('latin1');

/** Longest string the codec reads (a path, a name); the rest of a longer one is skipped. */
export const MAX_SMB_STRING_BYTES = 4096;

/** A NUL-terminated string from `r`; an unterminated one runs to the end. `base` is the absolute
 * offset alignment counts from (the SMB header), used for Unicode only. */
export function readSmbString(r: ByteReader, unicode: boolean, base: number): string {
  if (unicode) {
    if ((r.pos - base) % 2 !== 0 && r.remaining > 0) r.skip(1);
    const start = r.pos;
    let end = start;
    while (end + 1 < r.end && (r.buf[end] !== 0 || r.buf[end + 1] !== 0)) end += 2;
    const s = utf16.decode(r.buf.subarray(start, Math.min(end, start + MAX_SMB_STRING_BYTES)));
    r.pos = Math.min(r.end, end + 2);
    return s;
  }
  const start = r.pos;
  let end = start;
  while (end < r.end && r.buf[end] !== 0) end++;
  const s = latin1.decode(r.buf.subarray(start, Math.min(end, start + MAX_SMB_STRING_BYTES)));
  r.pos = Math.min(r.end, end + 1);
  return s;
}

/** A counted UTF-16LE string (SMB2 names and paths). */
export function utf16At(b: Uint8Array, start: number, len: number): string {
  return utf16.decode(b.subarray(start, start + Math.min(len, MAX_SMB_STRING_BYTES)));
}

export function utf16Bytes(s: string, nul = false): Uint8Array {
  return new Uint8Array(Buffer.from(nul ? `${s}\0` : s, 'utf16le'));
}

export function oemBytes(s: string, nul = true): Uint8Array {
  return new Uint8Array(Buffer.from(nul ? `${s}\0` : s, 'latin1'));
}
