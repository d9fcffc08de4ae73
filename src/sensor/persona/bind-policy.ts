// How the persona answers a bind or alter_context, context by context, as XP/2003 RPCSS does
// (C706 12.6.4.4, MS-RPCE 2.2.2.4 and 3.3.1.5.3): NDR accepted for served interfaces, NDR64 and
// unknown transfer syntaxes refused (reason 2), unknown interfaces refused (reason 1), bind-time
// feature negotiation acknowledged with negotiate_ack (result 3) and the supported feature bits.

import { BTFN_PREFIX, TRANSFER_SYNTAX, type ContextResult, type PresentationContext, type SyntaxId } from '../../protocols/dcerpc/pdu-types.js';
import { SERVED_ON_135, servedInterface, type ServedInterface } from './persona-interfaces.js';

export const RESULT = { ACCEPTANCE: 0, USER_REJECTION: 1, PROVIDER_REJECTION: 2, NEGOTIATE_ACK: 3 } as const;
export const PROVIDER_REASON = { NOT_SPECIFIED: 0, ABSTRACT_SYNTAX_NOT_SUPPORTED: 1, PROPOSED_TRANSFER_SYNTAXES_NOT_SUPPORTED: 2, LOCAL_LIMIT_EXCEEDED: 3 } as const;
/** Bind-time features Windows supports: security context multiplexing (1), keep connection on orphan (2). */
export const BTFN_SUPPORTED = 0x0003;

const NULL_SYNTAX: SyntaxId = { uuid: '00000000-0000-0000-0000-000000000000', versionMajor: 0, versionMinor: 0 };

export interface ContextDecision {
  readonly result: ContextResult;
  /** The served interface the context now carries, when accepted. */
  readonly accepted?: ServedInterface;
}

/** Requested feature bits of a BTFN transfer syntax: bytes 8-9 of the UUID, little-endian. */
function btfnBits(uuid: string): number {
  const group = uuid.slice(19, 23);
  return parseInt(group.slice(2, 4) + group.slice(0, 2), 16);
}

function isNdr(s: SyntaxId): boolean {
  return s.uuid.toLowerCase() === TRANSFER_SYNTAX.NDR.uuid && s.versionMajor === 2;
}

export function decideContext(ctx: PresentationContext, served: readonly ServedInterface[] = SERVED_ON_135): ContextDecision {
  const btfn = ctx.transferSyntaxes.find((t) => t.uuid.toLowerCase().startsWith(BTFN_PREFIX));
  if (btfn) {
    return { result: { result: RESULT.NEGOTIATE_ACK, reason: btfnBits(btfn.uuid) & BTFN_SUPPORTED, transferSyntax: NULL_SYNTAX } };
  }
  const iface = servedInterface(ctx.abstractSyntax.uuid, ctx.abstractSyntax.versionMajor, served);
  if (!iface) {
    return { result: { result: RESULT.PROVIDER_REJECTION, reason: PROVIDER_REASON.ABSTRACT_SYNTAX_NOT_SUPPORTED, transferSyntax: NULL_SYNTAX } };
  }
  const ndr = ctx.transferSyntaxes.find(isNdr);
  if (!ndr) {
    return { result: { result: RESULT.PROVIDER_REJECTION, reason: PROVIDER_REASON.PROPOSED_TRANSFER_SYNTAXES_NOT_SUPPORTED, transferSyntax: NULL_SYNTAX } };
  }
  return { result: { result: RESULT.ACCEPTANCE, reason: 0, transferSyntax: TRANSFER_SYNTAX.NDR }, accepted: iface };
}
