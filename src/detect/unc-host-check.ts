// Host-name plausibility for the server component of a UNC path (\\server\share\...), the field
// MS03-026 overflows. Limits from RFC 1035 2.3.4 / RFC 1123 2.1 (DNS) and MS-NBTE / [MS-DCOM] names.

/**
 * Why these defaults. A legitimate UNC server is one of: a NetBIOS name (15 characters, the 16th
 * byte being the service suffix), a dotted IPv4 address (at most 15), an IPv6 literal in the
 * `ipv6-literal.net` form (at most 45 + 17), or a DNS name: labels of at most 63 octets and at most
 * 255 octets on the wire, i.e. 253 characters in text (RFC 1035 2.3.4). So a component without a
 * dot may be at most one DNS label (63), and a dotted one at most 253 with no label over 63. The
 * vulnerable RPCSS routine copies the server name into a fixed stack buffer sized for a machine
 * name, and every public MS03-026 exploit (and Blaster) sends hundreds of bytes there: anything
 * past these limits is not a host name at all, so the rule has no false positive on real hosts.
 */
export const UNC_HOST_DEFAULTS = {
  maxLabelLength: 63,
  maxHostLength: 253,
} as const;

export interface UncHostOptions {
  readonly maxLabelLength?: number;
  readonly maxHostLength?: number;
  /** Accept non-ASCII letters (IDN written in Unicode); off by default: shellcode decodes to them. */
  readonly allowNonAscii?: boolean;
}

export interface UncHostFinding {
  readonly reason: 'too_long' | 'label_too_long' | 'bad_characters';
  readonly length: number;
  /** Index of the first offending character in the server component, for bad_characters. */
  readonly at?: number;
}

// Characters Windows accepts in NetBIOS computer names besides letters and digits, plus the DNS
// dot and the `$` of hidden shares / machine accounts and IPv6-literal `:` `%` `[` `]`.
const EXTRA_ALLOWED = new Set("-_.!@#$%^&'(){}~:[]");

export function checkUncHost(server: string, opts: UncHostOptions = {}): UncHostFinding | undefined {
  const maxLabel = opts.maxLabelLength ?? UNC_HOST_DEFAULTS.maxLabelLength;
  const maxHost = opts.maxHostLength ?? UNC_HOST_DEFAULTS.maxHostLength;
  const length = server.length;
  if (length > maxHost) return { reason: 'too_long', length };
  for (let i = 0; i < server.length; i++) {
    const c = server.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (alnum || EXTRA_ALLOWED.has(server[i]!)) continue;
    if (opts.allowNonAscii && c > 0xa0 && c < 0xd800) continue;
    return { reason: 'bad_characters', length, at: i };
  }
  if (server.split('.').some((l) => l.length > maxLabel)) return { reason: 'label_too_long', length };
  return undefined;
}

/** The server component of `\\server\rest` (or of `\\server`), else undefined. */
export function uncServerOf(path: string): string | undefined {
  if (!path.startsWith('\\\\')) return undefined;
  const end = path.indexOf('\\', 2);
  // Only trailing NULs (the NDR terminator) are dropped: the vulnerable copy runs to the next
  // backslash, not to a NUL, so a NUL inside the component stays and counts as a bad character.
  return (end < 0 ? path.slice(2) : path.slice(2, end)).replace(/\0+$/, '');
}
