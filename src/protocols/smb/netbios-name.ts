// NetBIOS names in the session service (RFC 1001 14.1 and RFC 1002 4.3.2): the 16-byte name
// (15 characters padded with spaces, then the suffix byte) split into nibbles, each added to 'A',
// as one 32-byte DNS label. A session request on 139 carries the called and the calling name.

import { encodeNbss, NBSS } from './netbios-framer.js';

/** Suffix of the file server service (what a session request calls) and of a workstation. */
export const NETBIOS_SUFFIX = { SERVER: 0x20, WORKSTATION: 0x00 } as const;

/** The name any Windows server answers a session request for (MS-SMB 2.1, "*SMBSERVER"). */
export const ANY_SMB_SERVER = '*SMBSERVER';

/** First-level encoding of a name as a length-prefixed label with the root label after it. */
export function encodeNetbiosName(name: string, suffix: number): Uint8Array {
  const raw = Buffer.alloc(16, 0x20);
  raw.write(name.toUpperCase().slice(0, 15), 0, 'latin1');
  raw[15] = suffix;
  const out = new Uint8Array(34);
  out[0] = 32;
  for (let i = 0; i < 16; i++) {
    out[1 + 2 * i] = 0x41 + (raw[i] >> 4);
    out[2 + 2 * i] = 0x41 + (raw[i] & 0x0f);
  }
  return out; // out[33] = 0: the root label
}

/** The first-level decoding of a 32-character encoded label: name (trailing spaces dropped) and suffix. */
export function decodeNetbiosName(label: Uint8Array): { name: string; suffix: number } | undefined {
  if (label.length < 32) return undefined;
  const raw = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const hi = label[2 * i] - 0x41;
    const lo = label[2 * i + 1] - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return undefined;
    raw[i] = (hi << 4) | lo;
  }
  return { name: Buffer.from(raw.subarray(0, 15)).toString('latin1').replace(/ +$/, ''), suffix: raw[15] };
}

/** A session request (type 0x81): called name then calling name, NetBIOS-framed. */
export function sessionRequest(called: string, calling: string): Uint8Array {
  const a = encodeNetbiosName(called, NETBIOS_SUFFIX.SERVER);
  const b = encodeNetbiosName(calling, NETBIOS_SUFFIX.WORKSTATION);
  const payload = new Uint8Array(a.length + b.length);
  payload.set(a);
  payload.set(b, a.length);
  return encodeNbss(payload, NBSS.SESSION_REQUEST);
}
