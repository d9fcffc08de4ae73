// Peer-address arguments shared by the API and the CLI: validated and put in the form the sensor
// records (core/ip-address.ts), so `2001:0DB8::7` finds what was stored as `2001:db8::7`.

import { AppError } from '../core/errors.js';
import { canonicalAddress } from '../core/ip-address.js';

export function normalizeAddress(text: string, what: string): string {
  const a = canonicalAddress(text);
  if (a === undefined) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${what}: expected an IPv4 or IPv6 address, got ${JSON.stringify(text)}`);
  return a;
}
