// Zeek's conn_state (S0, REJ, SF, RSTO, OTH, ...) of a TCP connection from the flags each side sent,
// per Zeek base/protocols/conn/main.zeek conn_state() and its TCP endpoint states; hand-written (tiny).

/** What an endpoint sent, as bits of one number per side (no allocation on the packet path). */
export const SENT = { SYN: 1, SYN_ACK: 2, FIN: 4, RST: 8, ANY: 16 } as const;

// Endpoint states as Zeek's TCP analyzer names them (TCP_INACTIVE ... TCP_RESET).
const INACTIVE = 0;
const SYN_SENT = 1;
const SYN_ACK_SENT = 2;
const PARTIAL = 3;
const ESTABLISHED = 4;
const CLOSED = 5;
const RESET = 6;

/**
 * One endpoint's final state. Zeek treats the handshake as established once the originator's SYN
 * is answered by the responder's SYN-ACK (its connection_established event); a FIN or RST after
 * that wins (CLOSED / RESET), and an endpoint seen only mid-stream is PARTIAL.
 */
function endpointState(own: number, established: boolean, isOrig: boolean): number {
  if (own & SENT.RST) return RESET;
  if (own & SENT.FIN) return CLOSED;
  if (established) return ESTABLISHED;
  if (own & SENT.SYN_ACK) return isOrig ? SYN_SENT : SYN_ACK_SENT;
  if (own & SENT.SYN) return SYN_SENT;
  return own & SENT.ANY ? PARTIAL : INACTIVE;
}

/**
 * Zeek conn_state of a connection: `orig`/`resp` are the SENT bits of originator and responder,
 * `origBytes`/`respBytes` the payload each sent (REJ vs RSTO when both reset). The ordering of the
 * tests is Zeek's: a responder reset first, then an originator reset, then the FIN states.
 */
export function tcpConnState(orig: number, resp: number, origBytes: number, respBytes: number): string {
  const established = (orig & SENT.SYN) !== 0 && (resp & SENT.SYN_ACK) !== 0;
  const os = endpointState(orig, established, true);
  const rs = endpointState(resp, established, false);
  const oInactive = os === INACTIVE || os === PARTIAL;
  const rInactive = rs === INACTIVE || rs === PARTIAL;
  if (rs === RESET) {
    if (os === SYN_SENT || os === SYN_ACK_SENT || (os === RESET && origBytes === 0 && respBytes === 0)) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === RESET) return rInactive ? 'RSTOS0' : 'RSTO';
  if (os === CLOSED && rs === CLOSED) return 'SF';
  if (os === CLOSED) return rInactive ? 'SH' : 'S2';
  if (rs === CLOSED) return oInactive ? 'SHR' : 'S3';
  if (os === SYN_SENT && rs === INACTIVE) return 'S0';
  if (os === ESTABLISHED && rs === ESTABLISHED) return 'S1';
  return 'OTH';
}
