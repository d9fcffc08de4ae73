// TCP connections of a capture as conn events, so that a capture replay feeds the scanner and surge
// detectors as a Zeek conn.log does ("replay equals live"); states per Zeek conn.log conn_state.

import { connStateOutcome } from '../zeek-conn-reader.js';
import type { ConnEvent } from '../../model/event.js';
import { tcpConnState } from '../../protocols/pcap/tcp-conn-state.js';
import type { CloseReason, TcpConnection } from '../../protocols/pcap/tcp-tracker.js';

/**
 * The tracker's per-connection end hook, building one ConnEvent per connection (never per packet).
 * Outcome mapping: the handshake flags give Zeek's conn_state (tcpConnState), and conn_state gives
 * the outcome through the same table the Zeek reader uses (connStateOutcome): S0 (SYN unanswered),
 * REJ (SYN answered by RST), RSTOS0/RSTRH/SH/SHR -> failure; SF/S1/S2/S3 (SYN answered by SYN-ACK)
 * -> success; RSTO/RSTR -> success only if payload moved; OTH (picked up mid-stream, no SYN seen)
 * -> unknown, which TRW and the thresholds ignore, as they do for a Zeek OTH line.
 * Originator/responder are the tracker's client/server (SYN sender, else Zeek's port rule, else
 * what the DCE/RPC content showed). bytesIn/bytesOut are TCP payload bytes from the originator /
 * responder as on the wire (Zeek's orig_bytes/resp_bytes come from sequence numbers instead, so a
 * retransmission counts twice here).
 */
export function connectionEnd(emit: (ev: ConnEvent, connState: string) => void): (conn: TcpConnection, reason: CloseReason) => void {
  return (conn) => {
    const state = tcpConnState(conn.clientSent, conn.serverSent, conn.clientBytes, conn.serverBytes);
    emit({
      type: 'conn', ts: conn.firstTsMs, source: 'pcap', src: conn.client, dst: conn.server, proto: 'tcp',
      sport: conn.clientPort, dport: conn.serverPort, session: `${conn.client}:${conn.clientPort}>${conn.server}:${conn.serverPort}`,
      outcome: connStateOutcome(state, conn.clientBytes, conn.serverBytes),
      bytesIn: conn.clientBytes, bytesOut: conn.serverBytes,
    }, state);
  };
}
