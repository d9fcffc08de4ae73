// Ties one reassembled TCP connection carrying SMB to an SmbConnection (the entry the sensor's SMB
// responder uses too): every named pipe it opens becomes a DcerpcFlow, so DCE/RPC over SMB
// (ncacn_np) yields the same PDU records, calls and anomalies as DCE/RPC directly over TCP.

import type { Anomaly } from '../../model/anomaly.js';
import { SmbConnection, type PipeInfo } from '../../protocols/smb/smb-connection.js';
import { looksLikeSmb } from '../../protocols/smb/netbios-framer.js';
import { DIRECTIONS, type CloseReason, type DirIndex, type TcpAppConsumer, type TcpAppHandler, type TcpConnection } from '../../protocols/pcap/tcp-tracker.js';
import { PduDecoder } from '../../protocols/dcerpc/pdu-decode.js';
import { DcerpcFlow } from './dcerpc-flow.js';
import type { FlowJson, RunContext } from './pcap-types.js';

/** Whether the first SMB message seen is a server's reply (SMB1 FLAGS_REPLY, SMB2 SERVER_TO_REDIR,
 * or a NetBIOS positive session response): the port rule guessed the roles the wrong way round. */
export function smbServerFirst(b: Uint8Array, start: number, end: number): boolean {
  if (b[start] === 0x82 || b[start] === 0x83) return true;
  if (end - start < 4 + 24) return false;
  const p = start + 4;
  if (b[p] === 0xff) return (b[p + 9] & 0x80) !== 0;
  if (b[p] === 0xfe) return (b[p + 16] & 0x01) !== 0;
  return false;
}

/** The ports SMB clients speak to (NetBIOS session service, direct hosting). */
const SMB_PORTS = new Set([139, 445]);

/** Takes TCP connections whose first bytes are SMB in NetBIOS framing, from either direction. */
export class SmbFlowHandler implements TcpAppHandler {
  /** One PDU decoder for every pipe of this analysis. */
  private readonly decoder = new PduDecoder();
  constructor(private readonly ctx: RunContext) {}

  accept(conn: TcpConnection, dir: DirIndex, b: Uint8Array, start: number, end: number): TcpAppConsumer | undefined {
    if (!looksLikeSmb(b, start, end)) return undefined;
    const reply = smbServerFirst(b, start, end);
    if (!conn.handshakeSeen && reply === (dir === 0)) conn.swapRoles();
    // A client's SMB request to a port that is not SMB's is a probe (nmap's SMBProgNeg on 135): what
    // the server answers decides, as on a sensor, which answers by its port (replay equals live).
    if (!reply && !SMB_PORTS.has(conn.serverPort)) return undefined;
    this.ctx.stats.smbConnections++;
    return new SmbFlow(this.ctx, conn, this.decoder);
  }
}

class SmbFlow implements TcpAppConsumer {
  private readonly smb: SmbConnection;
  private flowJson: FlowJson | undefined;

  constructor(
    private readonly ctx: RunContext,
    private readonly tcp: TcpConnection,
    decoder: PduDecoder,
  ) {
    const o = ctx.options;
    this.smb = new SmbConnection({
      ...(o.smbLimits && { limits: o.smbLimits }),
      openPipe: (pipe: PipeInfo) => {
        ctx.stats.smbPipes++;
        return new DcerpcFlow(ctx, tcp, decoder, pipe);
      },
      onAnomaly: (a: Anomaly) => this.onAnomaly(a),
    });
  }

  private get flow(): FlowJson {
    const t = this.tcp;
    return (this.flowJson ??= { src: t.client, sport: t.clientPort, dst: t.server, dport: t.serverPort });
  }

  data(dir: DirIndex, bytes: Uint8Array, start: number, end: number): void {
    this.smb.feed(DIRECTIONS[dir], start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), this.ctx.nowMs);
  }

  gap(dir: DirIndex, _length: number): void {
    this.smb.gap(DIRECTIONS[dir]);
  }

  anomaly(_dir: DirIndex, a: Anomaly): void {
    this.ctx.countAnomaly(a);
  }

  close(_reason: CloseReason): void {
    this.smb.close(this.ctx.nowMs);
  }

  /** SMB anomalies reach the detectors as anomaly events (no call carries them). */
  private onAnomaly(a: Anomaly): void {
    this.ctx.countAnomaly(a);
    this.ctx.options.onAnomaly?.(a, this.flow, this.ctx.nowMs);
  }
}
