// Peer-address arguments shared by the API and the CLI: validated with ipaddr.js and put in the
// form the sensor records (IPv4 dotted quad, IPv4-mapped IPv6 unwrapped, IPv6 per RFC 5952), so
// `2001:0DB8::7` finds what was stored as `2001:db8::7`.

import ipaddr from 'ipaddr.js';
import { AppError } from '../core/errors.js';

export function normalizeAddress(text: string, what: string): string {
  const s = text.trim();
  if (!ipaddr.isValid(s)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${what}: expected an IPv4 or IPv6 address, got ${JSON.stringify(text)}`);
  const a = ipaddr.parse(s);
  if (a.kind() === 'ipv4') return a.toString();
  const v6 = a as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
}
