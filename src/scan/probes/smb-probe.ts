// The SMB probe on 445 (or 139): what nmap's smb-protocols, smb-security-mode, smb-os-discovery and
// smb2-time scripts learn, from at most two connections and without logging on.
// 1. Everything offered (NT LM 0.12, SMB 2.002, SMB 2.???, then SMB 2.0.2-3.1.1): the dialect the
//    host chooses, its signing mode and clock, and the NTLMSSP CHALLENGE of a session setup: the
//    VERSION (major.minor.build) and the target info's NetBIOS and DNS names (MS-NLMP 2.2.1.2).
// 2. Only when the first spoke SMB2: NT LM 0.12 alone, which tells whether SMB1 is still enabled
//    and, where it is, the session setup answer's NativeOS and NativeLanMan strings (the fields
//    smb-os-discovery prints; SMB2 has none).

import type { Socket } from 'node:net';
import type { SmbObservation } from '../../model/scan.js';
import type { NtlmChallenge } from '../../protocols/ntlm/ntlmssp.js';
import { ANY_SMB_SERVER } from '../../protocols/smb/netbios-name.js';
import { CALLING_NAME } from './ms03-026-pipe-check.js';
import { ProbeError } from './rpc-client.js';
import { SmbClient, type SmbClientLimits } from './smb-client.js';
import { negotiate, ntlmChallenge, NT_LM_012, type ChallengeAnswer, type Negotiated } from './smb-session.js';

export interface SmbProbeResult {
  readonly smb?: SmbObservation;
  readonly errors?: readonly string[];
}

/** FILETIME (100 ns since 1601) as epoch ms; undefined for a time no clock shows. */
export function filetimeMs(ft: bigint): number | undefined {
  const ms = Number(ft / 10_000n) - 11_644_473_600_000;
  return ms > 0 && ms < 8.64e15 ? ms : undefined;
}

interface Conversation {
  readonly n: Negotiated;
  readonly answer?: ChallengeAnswer;
  /** Why the session setup gave no challenge (the negotiate still counts). */
  readonly setupError?: string;
}

async function converse(connect: () => Promise<Socket | undefined>, port: number, limits: SmbClientLimits, offerSmb2: boolean): Promise<Conversation> {
  const s = await connect();
  if (!s) throw new ProbeError('no connection');
  const c = new SmbClient(s, limits);
  try {
    if (port === 139) await c.sessionRequest(ANY_SMB_SERVER, CALLING_NAME);
    const n = await negotiate(c, offerSmb2);
    if (!n.extendedSecurity) return { n };
    try {
      return { n, answer: await ntlmChallenge(c, n) };
    } catch (e) {
      if (!(e instanceof ProbeError)) throw e;
      return { n, setupError: e.message };
    }
  } finally {
    c.close();
  }
}

const names = (ch: NtlmChallenge | undefined): Partial<SmbObservation> => {
  const t = ch?.targetInfo;
  if (!t) return {};
  const out: { -readonly [K in keyof SmbObservation]?: SmbObservation[K] } = {};
  if (t.nbComputer) out.netbiosComputer = t.nbComputer;
  if (t.nbDomain) out.netbiosDomain = t.nbDomain;
  if (t.dnsComputer) out.dnsComputer = t.dnsComputer;
  if (t.dnsDomain) out.dnsDomain = t.dnsDomain;
  if (t.dnsTree) out.dnsTree = t.dnsTree;
  return out;
};

export async function probeSmb(port: number, connect: () => Promise<Socket | undefined>, limits: SmbClientLimits): Promise<SmbProbeResult> {
  const errors: string[] = [];
  let first: Conversation;
  try {
    first = await converse(connect, port, limits, true);
  } catch (e) {
    if (!(e instanceof ProbeError)) throw e;
    return { errors: [`${port}: SMB: ${e.message}`] };
  }
  if (first.setupError) errors.push(`${port}: SMB session setup: ${first.setupError}`);
  let smb1: boolean | undefined = first.n.smb2 ? undefined : true;
  let old: Conversation | undefined;
  if (first.n.smb2) {
    try {
      old = await converse(connect, port, limits, false);
      smb1 = true;
    } catch (e) {
      if (!(e instanceof ProbeError)) throw e;
      // a refused dialect or a dropped connection both mean no SMB1; silence leaves it open
      if (/no answer within/.test(e.message)) errors.push(`${port}: SMB1 negotiate: ${e.message}`);
      else smb1 = false;
    }
  }
  const one = first.n.smb2 ? old : first;
  const ch = first.answer?.challenge ?? old?.answer?.challenge;
  const v = ch?.version;
  const serverMs = first.n.systemTime === undefined ? undefined : filetimeMs(first.n.systemTime);
  const obs: SmbObservation = {
    port,
    dialects: [...(smb1 ? [NT_LM_012] : []), ...(first.n.smb2 ? [first.n.dialect] : [])],
    ...(smb1 === undefined ? {} : { smb1 }),
    signing: first.n.signing,
    ...(one?.answer?.nativeOs ? { nativeOs: one.answer.nativeOs } : {}),
    ...(one?.answer?.nativeLanMan ? { nativeLanMan: one.answer.nativeLanMan } : {}),
    ...(v ? { ntlmVersion: `${v.major}.${v.minor}.${v.build}` } : {}),
    // an SMB1 host without NTLMSSP names itself in the negotiate answer
    ...(one?.n.server ? { netbiosComputer: one.n.server } : {}),
    ...(one?.n.domain ? { netbiosDomain: one.n.domain } : {}),
    ...names(ch),
    ...(serverMs === undefined ? {} : { serverTime: new Date(serverMs).toISOString(), clockSkewSeconds: Math.round((serverMs - first.n.receivedAt) / 1000) }),
  };
  return { smb: obs, ...(errors.length ? { errors } : {}) };
}
