// UDP flows of a capture as conn events (proto 'udp'), as Zeek's conn.log has them: a flow is a
// 4-tuple until it is idle for udp_inactivity_timeout (Zeek's default, 1 min); states per Zeek's conn_state().

import { connStateOutcome } from '../zeek-conn-reader.js';
import type { ConnEvent } from '../../model/event.js';
import { type DecodedPacket, ipv4ToString, ipv6ToString } from '../../protocols/pcap/packet-decoder.js';
import { type FlowEntry, FlowTable, fromClient } from '../../protocols/pcap/tcp-flow-table.js';

/** Zeek's udp_inactivity_timeout default: after a minute of silence the next datagram is a new flow. */
export const UDP_IDLE_MS = 60_000;

class UdpFlow implements FlowEntry {
  client = '';
  clientPort = 0;
  server = '';
  serverPort = 0;
  clientIp4 = 0;
  serverIp4 = 0;
  clientV6 = '';
  serverV6 = '';
  v6Key = '';
  bucketHash = 0;
  bucketNext: FlowEntry | undefined = undefined;
  firstTsMs = 0;
  lastTsMs = 0;
  clientBytes = 0;
  serverBytes = 0;
  /** Whether the responder sent anything (Zeek: its endpoint is UDP_ACTIVE). */
  answered = false;
}

/**
 * Per-flow table fed every decoded UDP datagram; allocates only when a flow starts (IPv4 lookups
 * allocate nothing; IPv6 keys are text, as in the TCP table). The originator is the sender of the
 * flow's first datagram. Zeek's UDP conn_state: both sides sent -> SF (success), only the
 * originator -> S0 (failure: nothing answered), which connStateOutcome maps as for a conn.log line.
 */
export class UdpFlows {
  private readonly table = new FlowTable<UdpFlow>();
  /** Open flows in creation order: the oldest is ended first when maxFlows is reached. */
  private readonly open = new Set<UdpFlow>();

  constructor(
    private readonly emit: (ev: ConnEvent, connState: string) => void,
    private readonly maxFlows: number,
    private readonly idleMs = UDP_IDLE_MS,
  ) {}

  datagram(d: Uint8Array, p: DecodedPacket, tsMs: number): void {
    let f = this.table.find(d, p);
    if (f !== undefined && tsMs - f.lastTsMs > this.idleMs) {
      this.end(f);
      f = undefined;
    }
    if (f === undefined) f = this.create(d, p, tsMs);
    f.lastTsMs = tsMs;
    if (fromClient(f, d, p)) f.clientBytes += p.payloadWireLen;
    else {
      f.serverBytes += p.payloadWireLen;
      f.answered = true;
    }
  }

  /** End of capture: every open flow ends. */
  finish(): void {
    for (const f of [...this.open]) this.end(f);
  }

  private create(d: Uint8Array, p: DecodedPacket, tsMs: number): UdpFlow {
    if (this.open.size >= this.maxFlows) this.end(this.open.values().next().value as UdpFlow);
    const f = new UdpFlow();
    f.client = p.ipVersion === 4 ? ipv4ToString(p.src4) : ipv6ToString(d, p.src6At);
    f.server = p.ipVersion === 4 ? ipv4ToString(p.dst4) : ipv6ToString(d, p.dst6At);
    f.clientPort = p.srcPort;
    f.serverPort = p.dstPort;
    f.firstTsMs = tsMs;
    this.table.add(d, p, f, true);
    this.open.add(f);
    return f;
  }

  private end(f: UdpFlow): void {
    if (!this.open.delete(f)) return;
    this.table.remove(f);
    const state = f.answered ? 'SF' : 'S0';
    this.emit({
      type: 'conn', ts: f.firstTsMs, source: 'pcap', src: f.client, dst: f.server, proto: 'udp',
      sport: f.clientPort, dport: f.serverPort, session: `${f.client}:${f.clientPort}>${f.server}:${f.serverPort}`,
      outcome: connStateOutcome(state, f.clientBytes, f.serverBytes), bytesIn: f.clientBytes, bytesOut: f.serverBytes,
    }, state);
  }
}
