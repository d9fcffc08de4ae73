// The capture pipeline behind `vigil pcap`: file -> CaptureParser -> packet decoder -> TCP
// reassembly -> DCE/RPC (found by content on any port) -> per-PDU events, call records and totals.
// Library first: the command only chooses the sinks and prints; the benchmark calls this directly.

import type { Anomaly } from '../../model/anomaly.js';
import type { CallRecord } from '../../model/call.js';
import { packetTimeMs, type CapturedPacket } from '../../protocols/pcap/capture-types.js';
import { captureAnomaly, type CaptureAnomalyName } from '../../protocols/pcap/capture-anomalies.js';
import { CAPTURE_LIMITS, type CaptureLimitName } from '../../protocols/pcap/capture-limits.js';
import { looksLikeDcerpcCl } from '../../protocols/pcap/content-sniff.js';
import { DECODE, DecodedPacket, decodePacket } from '../../protocols/pcap/packet-decoder.js';
import { TcpTracker } from '../../protocols/pcap/tcp-tracker.js';
import { resolveLimits } from '../../core/limits.js';
import type { NameLookup, StubDecoder } from '../../protocols/dcerpc/connection.js';
import type { DcerpcLimitOverrides } from '../../protocols/dcerpc/dcerpc-limits.js';
import { readCaptureFile } from './capture-file.js';
import { DcerpcFlowHandler } from './dcerpc-flow.js';
import type { FlowJson, PduEvent } from './pdu-record.js';

export interface AnalyzeOptions {
  /** Every DCE/RPC PDU (decoded or not); leave unset in counting mode to skip building events. */
  readonly onPdu?: (e: PduEvent) => void;
  /** Every finished call (response, fault, or end of connection). */
  readonly onCall?: (call: CallRecord, flow: FlowJson) => void;
  /** Decoder of completed request stubs (DCOM activation arguments). */
  readonly decodeStub?: StubDecoder;
  /** Interface and operation names. */
  readonly names?: NameLookup;
  readonly captureLimits?: Partial<Record<CaptureLimitName, number>>;
  readonly dcerpcLimits?: DcerpcLimitOverrides;
  /** Read size (tests use small blocks). */
  readonly blockBytes?: number;
}

export interface PcapStats {
  file: string;
  format: 'pcap' | 'pcapng';
  /** Bytes read from the file. */
  bytes: number;
  packets: number;
  tcpPackets: number;
  udpPackets: number;
  /** Packets we could not take apart, by reason (non-IP, unsupported link type, ...). */
  notDecoded: Record<string, number>;
  tcpConnections: number;
  dcerpcConnections: number;
  /** Connection-oriented DCE/RPC PDUs framed (decoded or not). */
  pdus: number;
  pdusByType: Record<string, number>;
  /** PDUs the codec rejected (their anomaly says why). */
  pdusRejected: number;
  calls: number;
  /** Connectionless (UDP, rpc_vers 4) DCE/RPC datagrams recognised; counted, not decoded. */
  clDatagrams: number;
  /** Every anomaly of every layer, by name. */
  anomalies: Record<string, number>;
}

/** Shared, mutable state of one run, handed to the per-flow DCE/RPC handler. */
export interface RunContext {
  readonly stats: PcapStats;
  readonly options: AnalyzeOptions;
  /** Frame number and time (ms since the epoch) of the packet being processed. */
  frame: number;
  nowMs: number;
  countAnomaly(a: Anomaly): void;
}

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
    file, format: 'pcap', bytes: 0, packets: 0, tcpPackets: 0, udpPackets: 0, notDecoded: {}, tcpConnections: 0, dcerpcConnections: 0,
    pdus: 0, pdusByType: {}, pdusRejected: 0, calls: 0, clDatagrams: 0, anomalies: {},
  };
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
    countAnomaly: (a) => anomalies.set(a.name, (anomalies.get(a.name) ?? 0) + 1),
  };
  const limits = resolveLimits(CAPTURE_LIMITS, options.captureLimits, 'capture');
  const tracker = new TcpTracker(new DcerpcFlowHandler(ctx), limits, ctx.countAnomaly);
  const decoded = new DecodedPacket();
  const notDecoded = new Map<number, number>();
  const onPacket = (pkt: CapturedPacket): void => {
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
    } else {
      notDecoded.set(status, (notDecoded.get(status) ?? 0) + 1);
      const name = ANOMALOUS[status];
      if (name !== undefined) ctx.countAnomaly(captureAnomaly(name === 'unsupported_link_type' ? 'pcap' : 'ip', name, undefined, pkt.fileOffset));
    }
  };
  const summary = readCaptureFile(path, onPacket, {
    limits: options.captureLimits,
    onAnomaly: ctx.countAnomaly,
    ...(options.blockBytes !== undefined && { blockBytes: options.blockBytes }),
  });
  tracker.finish();
  stats.format = summary.format;
  stats.bytes = summary.bytes;
  stats.packets = summary.packets;
  stats.tcpConnections = tracker.connections;
  for (const [status, n] of notDecoded) stats.notDecoded[NOT_DECODED[status]] = n;
  stats.anomalies = Object.fromEntries([...anomalies].sort(([a], [b]) => a.localeCompare(b)));
  return stats;
}

function snapCut(ctx: RunContext, pkt: CapturedPacket): void {
  ctx.countAnomaly(captureAnomaly('pcap', 'packet_truncated_by_snaplen', `frame ${pkt.index}: ${pkt.capLen} of ${pkt.origLen} bytes captured`, pkt.fileOffset));
}
