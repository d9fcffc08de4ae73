// Arguments of the calls the worms after Blaster abused, decoded from the request stub (NDR 2.0):
// MS08-067 / Conficker srvsvc NetprPathCanonicalize (31) and NetprPathCompare (32) paths (MS-SRVS
// 3.1.4.30-31); MS04-011 / Sasser dssetup DsRolerUpgradeDownlevelServer (9) string lengths (eEye
// advisory AD20040413C: the overflow is in DsRolepLogPrintRoutine's vsprintf of these strings);
// CVE-2020-1472 Zerologon netlogon NetrServerReqChallenge (4) and NetrServerAuthenticate/2/3
// (5/15/26) client challenge and credential (MS-NRPC 3.5.4.4.1-2; Secura's whitepaper, Tervoort
// 2020: an all-zero ClientCredential succeeds for 1 in 256 session keys, so the attack repeats it).

import { ByteReader } from '../../../core/byte-reader.js';
import { sameUuid } from './interface-ids.js';

export const SRVSVC_UUID = '4b324fc8-1670-01d3-1278-5a47bf6ee188';
export const DSSETUP_UUID = '3919286a-b10c-11d0-9ba8-00c04fd92ef5';
export const NETLOGON_UUID = '12345678-1234-abcd-ef00-01234567cffb';

/** Longest string kept in a call's arguments (the lengths are kept whole). */
const MAX_KEPT_CHARS = 128;
const utf16 = new TextDecoder('utf-16le');

export type CallArgs = Readonly<Record<string, string | number | boolean>>;

export function decodesWormCall(iface: string | undefined, opnum: number): boolean {
  if (opnum === 31 || opnum === 32) return sameUuid(iface, SRVSVC_UUID);
  if (opnum === 9) return sameUuid(iface, DSSETUP_UUID);
  if (opnum === 4 || opnum === 5 || opnum === 15 || opnum === 26) return sameUuid(iface, NETLOGON_UUID);
  return false;
}

/** [string] wchar_t* (a conformant varying string: max, offset, actual, chars); what follows aligns itself. */
function refString(r: ByteReader): string {
  r.align(4);
  r.u32();
  r.u32();
  const actual = r.u32();
  const bytes = r.bytes(actual * 2);
  return utf16.decode(bytes).replace(/\0+$/, '');
}
/** [unique, string] wchar_t*: a referent id, then the string when it is not null. */
function uniqueString(r: ByteReader): string | undefined {
  r.align(4);
  return r.u32() === 0 ? undefined : refString(r);
}

const keep = (s: string): string => (s.length > MAX_KEPT_CHARS ? s.slice(0, MAX_KEPT_CHARS) : s);

/**
 * How far `path` climbs above its start when `..` components are applied (what canonicalization
 * must refuse): MS08-067 paths such as `\A\..\..\` + filler step above the root, which the
 * unpatched NetpwPathCanonicalize mishandled into a stack overflow.
 */
export function pathUnderflow(path: string): number {
  let depth = 0;
  let lowest = 0;
  for (const part of path.split(/[\\/]/)) {
    if (part === '..') lowest = Math.min(lowest, --depth);
    else if (part !== '' && part !== '.') depth++;
  }
  return -lowest;
}

export function decodeWormCall(iface: string | undefined, opnum: number, stub: Uint8Array, littleEndian: boolean): CallArgs | undefined {
  const r = new ByteReader(stub, 0, stub.length, littleEndian);
  try {
    if (sameUuid(iface, SRVSVC_UUID)) return opnum === 31 ? pathCanonicalize(r) : pathCompare(r);
    if (sameUuid(iface, DSSETUP_UUID)) return longestStrings(stub, littleEndian);
    if (sameUuid(iface, NETLOGON_UUID)) return opnum === 4 ? reqChallenge(r) : authenticate(r, opnum);
  } catch {
    // a short stub: whatever was decoded is not an argument list
    return { method: methodName(iface, opnum), truncated: true };
  }
  return undefined;
}

function methodName(iface: string | undefined, opnum: number): string {
  if (sameUuid(iface, SRVSVC_UUID)) return opnum === 31 ? 'NetprPathCanonicalize' : 'NetprPathCompare';
  if (sameUuid(iface, DSSETUP_UUID)) return 'DsRolerUpgradeDownlevelServer';
  return ({ 4: 'NetrServerReqChallenge', 5: 'NetrServerAuthenticate', 15: 'NetrServerAuthenticate2', 26: 'NetrServerAuthenticate3' } as Record<number, string>)[opnum] ?? `opnum ${opnum}`;
}

function pathCanonicalize(r: ByteReader): CallArgs {
  uniqueString(r); // ServerName
  const path = refString(r);
  r.align(4);
  const outbufLen = r.u32();
  const prefix = refString(r);
  return { method: 'NetprPathCanonicalize', path: keep(path), pathLength: path.length, underflow: pathUnderflow(path), prefix: keep(prefix), prefixLength: prefix.length, outbufLen };
}

function pathCompare(r: ByteReader): CallArgs {
  uniqueString(r);
  const p1 = refString(r);
  const p2 = refString(r);
  return { method: 'NetprPathCompare', path: keep(p1), pathLength: p1.length, path2Length: p2.length, underflow: Math.max(pathUnderflow(p1), pathUnderflow(p2)) };
}

/** Every conformant varying wide string in the stub (4-aligned, offset 0, actual <= max, all in the
 * stub): the undocumented opnum's argument layout is not needed to measure what it carries. */
function longestStrings(stub: Uint8Array, le: boolean): CallArgs {
  const r = new ByteReader(stub, 0, stub.length, le);
  let longest = 0;
  let strings = 0;
  let at = 0;
  while (at + 12 <= stub.length) {
    r.pos = at;
    const max = r.u32();
    const offset = r.u32();
    const actual = r.u32();
    if (offset === 0 && actual > 0 && actual <= max && at + 12 + actual * 2 <= stub.length) {
      strings++;
      longest = Math.max(longest, actual);
      at = (at + 12 + actual * 2 + 3) & ~3;
      continue;
    }
    at += 4;
  }
  return { method: 'DsRolerUpgradeDownlevelServer', strings, longestString: longest, stubLength: stub.length };
}

const allZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

function reqChallenge(r: ByteReader): CallArgs {
  uniqueString(r); // PrimaryName
  const computer = refString(r);
  const challenge = r.bytes(8);
  return { method: 'NetrServerReqChallenge', computerName: keep(computer), clientChallengeZero: allZero(challenge) };
}

function authenticate(r: ByteReader, opnum: number): CallArgs {
  uniqueString(r); // PrimaryName
  const account = refString(r);
  r.align(2);
  const channel = r.u16(); // NETLOGON_SECURE_CHANNEL_TYPE: an enum, two bytes on the wire
  const computer = refString(r);
  const credential = r.bytes(8);
  const out: Record<string, string | number | boolean> = {
    method: methodName(NETLOGON_UUID, opnum), accountName: keep(account), secureChannelType: channel, computerName: keep(computer), clientCredentialZero: allZero(credential),
  };
  if (opnum !== 5) {
    r.align(4);
    out['negotiateFlags'] = r.u32();
  }
  return out;
}
