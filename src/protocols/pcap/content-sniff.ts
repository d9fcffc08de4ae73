// Recognises DCE/RPC by content, not by port: the first bytes of a TCP stream against the
// connection-oriented common header (C706 12.6.3.1), a UDP payload against the connectionless
// header (C706 12.5.3.1). Dynamic endpoints (49152+) and non-standard ports are found the same way.

/** ptype values of the connection-oriented protocol (C706 12.6.4; 20 is MS-RPCE rts). */
const CO_PTYPES = new Set([0, 2, 3, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
/** Types only a server sends; a connection whose first PDU is one of them was picked up mid-stream. */
const SERVER_PTYPES = new Set([2, 3, 12, 13, 15]);

/**
 * Whether bytes[start, end) can begin a connection-oriented PDU, judged on what is present (a
 * stream cut into 1-byte segments shows one byte at a time): rpc_vers 5, minor 0/1, a CO ptype,
 * drep integer and character representations 0/1, float representation 0-3, frag_length >= 16.
 */
export function looksLikeDcerpcCo(b: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n < 1 || b[start] !== 5) return false;
  if (n >= 2 && b[start + 1] > 1) return false;
  if (n >= 3 && !CO_PTYPES.has(b[start + 2])) return false;
  if (n >= 5 && (b[start + 4] & 0xee) !== 0) return false;
  if (n >= 6 && b[start + 5] > 3) return false;
  if (n >= 10) {
    const le = (b[start + 4] & 0x10) !== 0;
    const frag = le ? b[start + 8] | (b[start + 9] << 8) : (b[start + 8] << 8) | b[start + 9];
    if (frag < 16) return false;
  }
  return true;
}

/** Whether the first PDU (ptype at bytes[start + 2]) is one that only a server sends; undefined if not present. */
export function isServerPdu(b: Uint8Array, start: number, end: number): boolean | undefined {
  return end - start >= 3 ? SERVER_PTYPES.has(b[start + 2]) : undefined;
}

/** Whether a UDP payload is a connectionless DCE/RPC v4 PDU header (80 bytes, ptype 0-10). */
export function looksLikeDcerpcCl(b: Uint8Array, start: number, end: number): boolean {
  return end - start >= 80 && b[start] === 4 && b[start + 1] <= 10 && (b[start + 4] & 0xee) === 0;
}
