// Peer bytes as text that is safe to print anywhere (terminal, JSON, logs): valid UTF-8 is decoded,
// everything a terminal or a renderer could interpret is escaped (RFC 3629 for what is valid UTF-8).

/** Code points shown as escapes even inside valid UTF-8: C0/C1 controls, DEL, and the bidi and
 * line-separator marks that reorder or break what a reader sees (CVE-2021-42574 "Trojan Source"). */
function mustEscape(cp: number): boolean {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x200e || cp === 0x200f || (cp >= 0x202a && cp <= 0x202e)
    || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x2028 || cp === 0x2029 || cp === 0xfeff;
}

const SHORT: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x5c: '\\\\' };

/** Length of the valid UTF-8 sequence starting at `i` (1 for ASCII), or 0 when the bytes there are
 * not one (overlong, surrogate, out of range, or cut short by the end of `b`). */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > b.length) return 0;
  for (let k = 1; k < n; k++) if ((b[i + k] & 0xc0) !== 0x80) return 0;
  const b1 = b[i + 1];
  if (c === 0xe0 && b1 < 0xa0) return 0; // overlong
  if (c === 0xed && b1 >= 0xa0) return 0; // UTF-16 surrogate
  if (c === 0xf0 && b1 < 0x90) return 0; // overlong
  if (c === 0xf4 && b1 >= 0x90) return 0; // above U+10FFFF
  return n;
}

export interface EscapedText {
  readonly text: string;
  /** Bytes of the input the text covers (the rest did not fit in maxChars). */
  readonly consumed: number;
}

/**
 * `bytes` as text: printable ASCII and valid UTF-8 as themselves; `\\`, `\t`, `\n`, `\r` as those
 * two-character escapes; every other control, bidi mark or invalid byte as `\xNN` (per byte) or
 * `\u{N}` (per code point). Nothing is lost and nothing can be interpreted. Stops before a piece
 * that would take the text past `maxChars`, so a 100 KB line costs only what is kept.
 */
export function escapeBytes(bytes: Uint8Array, maxChars = Number.POSITIVE_INFINITY): EscapedText {
  let text = '';
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    let piece: string;
    let n = sequenceLength(bytes, i);
    if (n === 0) {
      piece = `\\x${c.toString(16).padStart(2, '0')}`;
      n = 1;
    } else if (n === 1) {
      piece = SHORT[c] ?? (mustEscape(c) ? `\\x${c.toString(16).padStart(2, '0')}` : String.fromCharCode(c));
    } else {
      const s = Buffer.from(bytes.subarray(i, i + n)).toString('utf8');
      const cp = s.codePointAt(0) ?? 0;
      piece = mustEscape(cp) ? `\\u{${cp.toString(16)}}` : s;
    }
    if (text.length + piece.length > maxChars) break;
    text += piece;
    i += n;
  }
  return { text, consumed: i };
}

/** A JavaScript string (already decoded) with the same escapes, for text that was never bytes. */
export function escapeText(s: string, maxChars = Number.POSITIVE_INFINITY): EscapedText {
  return escapeBytes(Buffer.from(s, 'utf8'), maxChars);
}

/** ASCII-only rendering of peer bytes (what PayloadEvent.text carries, live and from captures alike):
 * printable ASCII kept, `\\` and `\t` escaped, every other byte as `\xNN`. */
export function printableBytes(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) s += String.fromCharCode(b);
    else if (b === 0x5c) s += '\\\\';
    else if (b === 0x09) s += '\\t';
    else s += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return s;
}
