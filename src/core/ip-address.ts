// The one canonical text form of an IP address (IPv4 dotted quad, IPv4-mapped IPv6 unwrapped, IPv6
// per RFC 5952), validated with ipaddr.js: what the sensor records, the API takes and assets store.

import ipaddr from 'ipaddr.js';

/** Canonical text of an IPv4 or IPv6 address, or undefined when `text` is not one. */
export function canonicalAddress(text: string): string | undefined {
  const s = text.trim();
  if (!ipaddr.isValid(s)) return undefined;
  const a = ipaddr.parse(s);
  if (a.kind() === 'ipv4') return a.toString();
  const v6 = a as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
}
