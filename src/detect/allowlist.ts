// Sources the detectors ignore: known benign scanners (research scanners, one's own vulnerability
// scanner) by address or CIDR prefix, IPv4 and IPv6 (RFC 4632, RFC 4291 2.3), parsed by ipaddr.js.

import ipaddr from 'ipaddr.js';
import { AppError } from '../core/errors.js';
import type { AddrKey } from './addr-key.js';

/**
 * IPv4 entries become [first, last] ranges of unsigned 32-bit numbers, so the conn.log fast path
 * (which keys IPv4 sources as numbers, addr-key.ts) checks a source without making a string or an
 * object; IPv6 entries are matched with ipaddr.js. IPv4-mapped IPv6 sources (::ffff:a.b.c.d) are
 * the IPv4 address, as the sensor records them. Lists are short (a few scanners), so a linear scan
 * of the ranges costs less than any index.
 */
export class Allowlist {
  private readonly v4: Float64Array;
  private readonly v6: Array<[ipaddr.IPv6, number]> = [];
  readonly entries: readonly string[];

  /** Throws AppError VIGIL_ERR_CONFIG naming `where` and the entry that is not an address or CIDR. */
  constructor(entries: readonly string[], where = 'detect.allowlist') {
    this.entries = entries;
    const v4: number[] = [];
    for (const raw of entries) {
      const [addr, bits] = parseEntry(raw.trim(), where);
      if (addr.kind() === 'ipv4') {
        const first = (ipv4Number(addr as ipaddr.IPv4) & prefixMask(bits)) >>> 0;
        v4.push(first, first + 2 ** (32 - bits) - 1);
      } else {
        this.v6.push([addr as ipaddr.IPv6, bits]);
      }
    }
    this.v4 = Float64Array.from(v4);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Whether a source (text, or an IPv4 number as addrKey() gives it) is on the list. */
  has(src: AddrKey): boolean {
    if (typeof src === 'number') return this.hasV4(src >>> 0);
    if (this.entries.length === 0 || !ipaddr.isValid(src)) return false;
    let a = ipaddr.parse(src);
    if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
    if (a.kind() === 'ipv4') return this.hasV4(ipv4Number(a as ipaddr.IPv4));
    for (const range of this.v6) if ((a as ipaddr.IPv6).match(range)) return true;
    return false;
  }

  private hasV4(n: number): boolean {
    const r = this.v4;
    for (let i = 0; i < r.length; i += 2) if (n >= r[i]! && n <= r[i + 1]!) return true;
    return false;
  }
}

function parseEntry(s: string, where: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  try {
    if (s.includes('/')) return ipaddr.parseCIDR(s);
    const a = ipaddr.parse(s);
    return [a, a.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw new AppError('VIGIL_ERR_CONFIG', `${where}: expected an IPv4 or IPv6 address or CIDR prefix (192.0.2.0/24, 2001:db8::/32), got ${JSON.stringify(s)}`, { key: where });
  }
}

function ipv4Number(a: ipaddr.IPv4): number {
  const [b0, b1, b2, b3] = a.octets as [number, number, number, number];
  return ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}

function prefixMask(bits: number): number {
  return bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
}
