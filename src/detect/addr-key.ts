// Address keys for per-source state: IPv4 as a signed 32-bit integer (a small integer to V8: no
// allocation, fast hashing; the byte scanner produces it without a string), anything else as text.

export type AddrKey = number | string;

/** Dotted-quad IPv4 text to its signed 32-bit number ((a<<24|b<<16|c<<8|d) | 0), else the text (IPv6, names). */
export function addrKey(text: string): AddrKey {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else if (c === 46 && digits > 0 && dots < 3 && part <= 255) {
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return text;
  }
  if (dots !== 3 || digits === 0 || part > 255) return text;
  return (n * 256 + part) | 0;
}

/** Back to text for alerts and indicators. */
export function addrText(k: AddrKey): string {
  if (typeof k === 'string') return k;
  return `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
}
