// The persona's side of NTLMSSP (MS-NLMP 3.2.5): a CHALLENGE naming its host, domain and version,
// and acceptance of whatever AUTHENTICATE follows (null, guest or any credentials, as old Windows
// let a null session onto IPC$). Nothing is verified: the sensor holds no secrets to verify with.

import { randomBytes } from 'node:crypto';
import { encodeChallenge, NTLM_FLAGS, type NtlmAuthenticate, type NtlmMessage } from '../../protocols/ntlm/ntlmssp.js';
import { isSpnego, NEG_STATE, spnegoResp } from '../../protocols/smb/spnego.js';
import type { SmbPersonaFacts } from '../persona/smb-persona.js';
import type { PersonaConfig } from '../sensor-types.js';

/** Windows FILETIME (100 ns since 1601) for a Unix time in ms. */
export const filetime = (ms: number): bigint => (BigInt(Math.floor(ms)) + 11644473600000n) * 10000n;

export type NtlmStep =
  | { readonly kind: 'challenge'; readonly blob: Uint8Array }
  | { readonly kind: 'accepted'; readonly blob: Uint8Array; readonly anonymous: boolean; readonly user: string; readonly domain: string; readonly workstation: string }
  | { readonly kind: 'rejected' };

export function ntlmStep(m: NtlmMessage | undefined, reqBlob: Uint8Array, persona: PersonaConfig, facts: SmbPersonaFacts, nowMs: number): NtlmStep {
  const spnego = isSpnego(reqBlob);
  if (m?.type === 1) {
    const echo = m.flags & (NTLM_FLAGS.SIGN | NTLM_FLAGS.SEAL | NTLM_FLAGS.KEY_EXCH | NTLM_FLAGS.N56 | NTLM_FLAGS.N128);
    const flags = NTLM_FLAGS.UNICODE | NTLM_FLAGS.REQUEST_TARGET | NTLM_FLAGS.NTLM | NTLM_FLAGS.ALWAYS_SIGN | NTLM_FLAGS.TARGET_TYPE_DOMAIN
      | NTLM_FLAGS.EXTENDED_SESSIONSECURITY | NTLM_FLAGS.TARGET_INFO | NTLM_FLAGS.VERSION | echo;
    const challenge = encodeChallenge({
      flags,
      targetName: persona.domain,
      serverChallenge: randomBytes(8),
      targetInfo: {
        nbDomain: persona.domain,
        nbComputer: persona.hostname,
        dnsDomain: persona.domain.toLowerCase(),
        dnsComputer: persona.hostname.toLowerCase(),
        ...(facts.avTimestamp && { timestamp: filetime(nowMs) }),
      },
      version: facts.version,
    });
    return { kind: 'challenge', blob: spnego ? spnegoResp(NEG_STATE.ACCEPT_INCOMPLETE, challenge) : challenge };
  }
  if (m?.type === 3) {
    return { kind: 'accepted', blob: spnego ? spnegoResp(NEG_STATE.ACCEPT_COMPLETED) : new Uint8Array(0), anonymous: m.anonymous, user: m.user, domain: m.domain, workstation: m.workstation };
  }
  return { kind: 'rejected' };
}

/** The session's transcript line for an AUTHENTICATE (SMB session setup or DCE/RPC auth3): who the
 * peer claimed to be, from which workstation. The password is never checked, so this is a claim. */
export function authenticateNote(m: NtlmAuthenticate): string {
  return `NTLMSSP AUTHENTICATE ${m.anonymous ? 'anonymous' : `user ${m.domain}\\${m.user}`} from ${m.workstation}`;
}
