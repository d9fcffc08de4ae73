// The few SPNEGO tokens (RFC 4178, DER per X.690) an SMB server exchanges around NTLMSSP: the
// negotiate response's NegTokenInit listing NTLMSSP, and the NegTokenResp that carries the NTLMSSP
// challenge (accept-incomplete) or ends the exchange (accept-completed). Hand-written: a handful of
// fixed shapes, no general ASN.1 library needed; decoding goes through ntlmsspIn (the signature scan).

const SPNEGO_OID = [0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
const NTLMSSP_OID = [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];

export const NEG_STATE = { ACCEPT_COMPLETED: 0, ACCEPT_INCOMPLETE: 1, REJECT: 2 } as const;

function len(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, (n >> 8) & 0xff, n & 0xff];
}
function tlv(tag: number, body: ArrayLike<number>): number[] {
  return [tag, ...len(body.length), ...Array.from(body)];
}

/** NegTokenInit with mechTypes [NTLMSSP] (what a server puts in its negotiate response). */
export function spnegoInitNtlm(): Uint8Array {
  const mechTypes = tlv(0xa0, tlv(0x30, NTLMSSP_OID));
  const hints = tlv(0xa3, tlv(0x30, tlv(0xa0, tlv(0x1b, Buffer.from('not_defined_in_RFC4178@please_ignore', 'latin1')))));
  const init = tlv(0xa0, tlv(0x30, [...mechTypes, ...hints]));
  return new Uint8Array(tlv(0x60, [...SPNEGO_OID, ...init]));
}

/** NegTokenResp: negState, supportedMech NTLMSSP (first answer only), responseToken when given. */
export function spnegoResp(state: number, token?: Uint8Array, withMech = token !== undefined): Uint8Array {
  const parts = [...tlv(0xa0, tlv(0x0a, [state]))];
  if (withMech) parts.push(...tlv(0xa1, NTLMSSP_OID));
  if (token) parts.push(...tlv(0xa2, tlv(0x04, token)));
  return new Uint8Array(tlv(0xa1, tlv(0x30, parts)));
}

/** NegTokenInit wrapping an NTLMSSP token (what a client sends first; used by tests and probes). */
export function spnegoInitWith(token: Uint8Array): Uint8Array {
  const mechTypes = tlv(0xa0, tlv(0x30, NTLMSSP_OID));
  const mechToken = tlv(0xa2, tlv(0x04, token));
  return new Uint8Array(tlv(0x60, [...SPNEGO_OID, ...tlv(0xa0, tlv(0x30, [...mechTypes, ...mechToken]))]));
}

/** A client's NegTokenResp carrying only its next NTLMSSP token (the AUTHENTICATE), as Windows
 * clients send it: no negState, no mechanism (RFC 4178 4.2.2). */
export function spnegoClientResp(token: Uint8Array): Uint8Array {
  return new Uint8Array(tlv(0xa1, tlv(0x30, tlv(0xa2, tlv(0x04, token)))));
}

/** Whether a security blob is SPNEGO (an application-0 NegTokenInit or a NegTokenResp) rather than raw NTLMSSP. */
export function isSpnego(blob: Uint8Array): boolean {
  return blob.length > 0 && (blob[0] === 0x60 || blob[0] === 0xa1);
}
