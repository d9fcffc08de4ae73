// The capture pipeline behind `vigil pcap`: file -> CaptureParser -> packet decoder -> TCP
// reassembly -> DCE/RPC (found by content on any port) -> per-PDU events, call records and totals.
// Library first: the command only chooses the sinks and prints; the benchmark calls this directly.

import { packetTimeMs, type CapturedPacket } from '../../protocols/pcap/capture-types.js';
import { captureAnomaly, type CaptureAnomalyName } from '../../protocols/pcap/capture-anomalies.js';
import { CAPTURE_LIMITS, type CaptureLimitName } from '../../protocols/pcap/capture-limits.js';
import { looksLikeDcerpcCl } from '../../protocols/pcap/content-sniff.js';
import { DECODE, DecodedPacket, decodePacket } from '../../protocols/pcap/packet-decoder.js';
import { TcpTracker, type TcpAppHandler } from '../../protocols/pcap/tcp-tracker.js';
import { resolveLimits } from '../../core/limits.js';
import { readCaptureFile } from './capture-file.js';
import { DcerpcFlowHandler } from './dcerpc-flow.js';
import { ShellFlowHandler } from './shell-flow.js';
import { SmbFlowHandler } from './smb-flow.js';
import { PduTypeCounts } from './pdu-type-counts.js';
import { connectionEnd } from './conn-event.js';
import { UdpFlows } from './udp-flows.js';
import type { AnalyzeOptions, PcapStats, RunContext } from './pcap-types.js';

export type { AnalyzeOptions, PcapStats, RunContext } from './pcap-types.js';

const NOT_DECODED: Record<number, string> = {
  [DECODE.OTHER]: 'not_tcp_or_udp',
  [DECODE.UNSUPPORTED_LINK]: 'unsupported_link_type',
  [DECODE.BAD_IP]: 'bad_ip_header',
  [DECODE.FRAGMENT]: 'ip_fragment',
  [DECODE.BAD_TCP]: 'bad_tcp_header',
  [DECODE.BAD_UDP]: 'bad_udp_header',
};
/** Decoder outcomes that are a peer's or a capture's fault (anomalies), not just traffic we skip. */
const ANOMALOUS: Record<number, CaptureAnomalyName> = {
  [DECODE.UNSUPPORTED_LINK]: 'unsupported_link_type',
  [DECODE.BAD_IP]: 'bad_ip_header',
  [DECODE.FRAGMENT]: 'ip_fragment',
  [DECODE.BAD_TCP]: 'bad_tcp_header',
  [DECODE.BAD_UDP]: 'bad_udp_header',
};

export function newStats(file: string): PcapStats {
  return {
    file, format: 'pcap', bytes: 0, packets: 0, tcpPackets: 0, udpPackets: 0, notDecoded: {}, tcpConnections: 0, dcerpcConnections: 0, smbConnections: 0, smbPipes: 0,
    pdus: 0, pdusByType: {}, pdusRejected: 0, calls: 0, clDatagrams: 0, anomalies: {},
  };
}

/** The capture limits with `overrides` applied; throws VIGIL_ERR_CONFIG naming `where`.NAME for an
 * unknown name or a value out of range (a command checks its flags with it before reading). */
export function captureLimits(overrides: Partial<Record<CaptureLimitName, number>> = {}, where = 'capture'): Record<CaptureLimitName, number> {
  return resolveLimits(CAPTURE_LIMITS, overrides, where);
}

/** Decode every DCE/RPC PDU and call in the capture at `path`; returns the totals. */
export function analyzeCapture(path: string, options: AnalyzeOptions = {}): PcapStats {
  const stats = newStats(path);
  const anomalies = new Map<string, number>();
  const ctx: RunContext = {
    stats,
    options,
    frame: 0,
    nowMs: 0,
    pduTypes: new PduTypeCounts(),
    countAnomaly: (a) => anomalies.set(a.name, (anomalies.get(a.name) ?? 0) + 1),
  };
  const limits = captureLimits(options.captureLimits);
  const onEnd = options.onConnection ? connectionEnd(options.onConnection) : undefined;
  const dcerpc = new DcerpcFlowHandler(ctx);
  // SMB carries DCE/RPC in named pipes; shells are looked for only when someone takes them (replay).
  const smb = new SmbFlowHandler(ctx);
  const shell = options.onShell ? new ShellFlowHandler(ctx) : undefined;
  const handler: TcpAppHandler = {
    accept: (c, d, b, s, e) => dcerpc.accept(c, d, b, s, e) ?? smb.accept(c, d, b, s, e) ?? shell?.accept(c, d, b, s, e),
  };
  const tracker = new TcpTracker(handler, limits, ctx.countAnomaly, onEnd);
  const notDecoded = new Map<number, number>();
  // Flows only when someone wants conn events: `vigil pcap` keeps its UDP path a counter.
  const udp = options.onConnection ? new UdpFlows(options.onConnection, limits.max_flows) : undefined;
  const onPacket = packetHandler(ctx, tracker, udp, notDecoded);
  const summary = readCaptureFile(path, onPacket, {
    limits: options.captureLimits,
    onAnomaly: ctx.countAnomaly,
    ...(options.blockBytes !== undefined && { blockBytes: options.blockBytes }),
  });
  tracker.finish();
  udp?.finish();
  stats.format = summary.format;
  stats.bytes = summary.bytes;
  stats.packets = summary.packets;
  stats.tcpConnections = tracker.connections;
  // decoded (by type) and rejected: every PDU framed
  stats.pdus = ctx.pduTypes.total + stats.pdusRejected;
  stats.pdusByType = ctx.pduTypes.byName();
  for (const [status, n] of notDecoded) stats.notDecoded[NOT_DECODED[status]] = n;
  stats.anomalies = Object.fromEntries([...anomalies].sort(([a], [b]) => a.localeCompare(b)));
  return stats;
}

/** Per frame: decode in place, TCP to the tracker, UDP sniffed for connectionless DCE/RPC (and to
 * the UDP flow table when conn events are wanted), the rest counted. */
function packetHandler(ctx: RunContext, tracker: TcpTracker, udp: UdpFlows | undefined, notDecoded: Map<number, number>): (pkt: CapturedPacket) => void {
  const stats = ctx.stats;
  const decoded = new DecodedPacket();
  return (pkt) => {
    ctx.frame = pkt.index;
    ctx.nowMs = packetTimeMs(pkt);
    // The frame is read in place in the reader's block buffer (offsets in `decoded` index pkt.buf).
    const status = decodePacket(pkt.linkType, pkt.buf, decoded, pkt.offset, pkt.offset + pkt.capLen);
    if (status === DECODE.TCP) {
      stats.tcpPackets++;
      if (decoded.payloadEnd - decoded.payloadStart < decoded.payloadWireLen) snapCut(ctx, pkt);
      tracker.segment(pkt.buf, decoded, ctx.nowMs);
    } else if (status === DECODE.UDP) {
      stats.udpPackets++;
      if (looksLikeDcerpcCl(pkt.buf, decoded.payloadStart, decoded.payloadEnd)) stats.clDatagrams++;
      udp?.datagram(pkt.buf, decoded, ctx.nowMs);
    } else {
      notDecoded.set(status, (notDecoded.get(status) ?? 0) + 1);
      const name = ANOMALOUS[status];
      if (name !== undefined) ctx.countAnomaly(captureAnomaly(name === 'unsupported_link_type' ? 'pcap' : 'ip', name, undefined, pkt.fileOffset));
    }
  };
}

function snapCut(ctx: RunContext, pkt: CapturedPacket): void {
  ctx.countAnomaly(captureAnomaly('pcap', 'packet_truncated_by_snaplen', `frame ${pkt.index}: ${pkt.capLen} of ${pkt.origLen} bytes captured`, pkt.fileOffset));
}
