// The persona's side of DCE/RPC authentication (MS-RPCE 3.3.1.5.2, C706 13.2.6): an NTLMSSP
// NEGOTIATE in a bind or alter_context verifier gets the CHALLENGE the SMB persona sends (one
// builder, ntlm-answers.ts), the auth3 (or SPNEGO's alter_context) AUTHENTICATE is accepted
// whatever it claims, as an old Windows accepted null and guest sessions. No password is checked:
// the sensor holds none, so it never has the session key either.

import { randomBytes } from 'node:crypto';
import type { NtlmMessage } from '../../protocols/ntlm/ntlmssp.js';
import { AUTHN_LEVEL, type AuthSpec, type BindPdu, type CompletedRequest } from '../../protocols/dcerpc/index.js';
import { smbFacts } from '../persona/smb-persona.js';
import { ntlmStep } from './ntlm-answers.js';
import type { ResponderContext } from './responder-types.js';

/** NTLMSSP_MESSAGE_SIGNATURE with extended session security (MS-NLMP 2.2.2.9.1): Version 1, an
 * 8-byte checksum, a 4-byte sequence number. */
const SIGNATURE_LEN = 16;
/** Bytes a signed response fragment spends past its stub: up to 15 of padding (the trailer is
 * 16-aligned from the body, MS-RPCE 2.2.2.11), the 8-byte sec_trailer and the signature. */
export const SIGNED_OVERHEAD = 15 + 8 + SIGNATURE_LEN;

interface SecurityContext {
  readonly authType: number;
  readonly authLevel: number;
  /** Responses signed so far (the signature's SeqNum). */
  seq: number;
}

export type RequestVerdict =
  /** Answer in clear, with a verifier on each fragment when `sign` (PKT_INTEGRITY). */
  | { readonly kind: 'answer'; readonly sign: AuthSpec | undefined }
  /** The stub is encrypted (PKT_PRIVACY) and the persona has no key: fault, then close. */
  | { readonly kind: 'sealed' };

/** Security contexts of one DCE/RPC connection (port 135 or one named pipe), by auth_context_id. */
export class RpcSecurity {
  private readonly contexts = new Map<number, SecurityContext>();

  constructor(private readonly ctx: ResponderContext) {}

  /**
   * The verifier for a bind_ack / alter_context_resp answering `pdu`, whose verifier carried `m`
   * (decoded by the connection): a CHALLENGE for a NEGOTIATE, SPNEGO's accept-completed for an
   * AUTHENTICATE in alter_context. Undefined: answer without one (no NTLM, or over maxAuthContexts).
   */
  answerBind(pdu: BindPdu, m: NtlmMessage | undefined): AuthSpec | undefined {
    const a = pdu.auth;
    if (a === undefined || m === undefined || m.type === 2) return undefined;
    if (!this.contexts.has(a.authContextId)) {
      if (this.contexts.size >= this.ctx.dcerpc.maxAuthContexts) {
        this.ctx.record.hit('dcerpc_max_auth_contexts');
        return undefined;
      }
      this.contexts.set(a.authContextId, { authType: a.authType, authLevel: a.authLevel, seq: 0 });
    }
    const persona = this.ctx.persona;
    const step = ntlmStep(m, a.authValue, persona, smbFacts(persona.os), this.ctx.now());
    if (step.kind === 'rejected' || step.blob.length === 0) return undefined;
    // Windows echoes the client's type, level and context id in the answer's sec_trailer.
    return { authType: a.authType, authLevel: a.authLevel, authContextId: a.authContextId, authValue: step.blob };
  }

  /** How to answer a request that arrived with verifier `auth` (undefined: an unauthenticated call). */
  request(auth: CompletedRequest['auth']): RequestVerdict {
    if (auth === undefined || auth.authLevel < AUTHN_LEVEL.PKT_INTEGRITY) return { kind: 'answer', sign: undefined };
    if (auth.authLevel >= AUTHN_LEVEL.PKT_PRIVACY) return { kind: 'sealed' };
    const id = auth.authContextId;
    const sc = this.contexts.get(id);
    const seq = sc ? sc.seq++ : 0;
    // The checksum is HMAC-MD5 under a key derived from the password (MS-NLMP 3.4.4.2): the
    // persona cannot compute it, so it sends random bytes in the signature's shape. impacket does
    // not check a response's signature; a client that does gives up, as against a wrong password.
    const sig = Buffer.alloc(SIGNATURE_LEN);
    sig.writeUInt32LE(1, 0);
    randomBytes(8).copy(sig, 4);
    sig.writeUInt32LE(seq >>> 0, 12);
    return { kind: 'answer', sign: { authType: auth.authType, authLevel: auth.authLevel, authContextId: id, authValue: new Uint8Array(sig) } };
  }
}
