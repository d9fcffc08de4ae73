// NTLMSSP carried in a DCE/RPC auth verifier (MS-RPCE 2.2.2.11 sec_trailer, then auth_value): raw
// for auth_type RPC_C_AUTHN_WINNT (10), inside SPNEGO for RPC_C_AUTHN_GSS_NEGOTIATE (9). Only the
// bind, alter_context, auth3 and their answers carry security-context tokens; request and response
// verifiers are signatures (MS-NLMP 2.2.2.9), never decoded as messages.

import { ntlmsspIn, type NtlmMessage } from '../ntlm/ntlmssp.js';
import { AUTHN, AUTHN_LEVEL, type AuthVerifier, type Pdu } from './pdu-types.js';

/** The NTLMSSP message a bind-family PDU's verifier carries, if any. */
export function ntlmsspOfPdu(pdu: Pdu): NtlmMessage | undefined {
  const a = pdu.auth;
  if (a === undefined || (a.authType !== AUTHN.WINNT && a.authType !== AUTHN.GSS_NEGOTIATE && a.authType !== AUTHN.DEFAULT)) return undefined;
  switch (pdu.type) {
    case 'bind':
    case 'alter_context':
    case 'bind_ack':
    case 'alter_context_resp':
    case 'auth3':
      return ntlmsspIn(a.authValue);
    default:
      return undefined;
  }
}

/** A request or response at PKT_PRIVACY: its stub is encrypted with a key only the two ends hold
 * (MS-RPCE 3.3.1.5.2.2), so decoding it as NDR would read ciphertext. */
export function isSealed(auth: Pick<AuthVerifier, 'authLevel'> | undefined): boolean {
  return auth !== undefined && auth.authLevel === AUTHN_LEVEL.PKT_PRIVACY;
}
