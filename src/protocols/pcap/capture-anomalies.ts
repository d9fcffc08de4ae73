// The closed set of capture-layer anomaly names (file, link, IP, TCP), stable snake_case like Zeek
// weirds (`truncated_header`, `content_gap`, `fragment_overlap`), raised as data and never thrown.

import type { Anomaly } from '../../model/anomaly.js';

export const CAPTURE_ANOMALIES = [
  /** The last record of the file is cut short (a capture killed mid-write). */
  'truncated_record',
  /** A record's captured length is shorter than the packet (snaplen), so headers or payload are cut. */
  'packet_truncated_by_snaplen',
  /** Link type we do not decode; the packet is counted and skipped. */
  'unsupported_link_type',
  /** An enhanced/simple packet block names an interface no IDB declared. */
  'pcapng_unknown_interface',
  /** IPv4/IPv6 header shorter than it claims, or a bad version / header length. */
  'bad_ip_header',
  /** A fragment (IPv4 MF/offset, IPv6 fragment header): flagged, not reassembled. */
  'ip_fragment',
  /** TCP header shorter than 20 bytes or data offset past the packet. */
  'bad_tcp_header',
  /** UDP header cut short or its length disagrees with the IP payload. */
  'bad_udp_header',
  /** Bytes of a TCP stream that were never seen (lost by the capture or the network). */
  'tcp_content_gap',
  /** Two copies of the same TCP sequence range with different bytes (an evasion classic). */
  'tcp_overlap_inconsistent',
  /** Out-of-order data beyond the buffering limit: the hole is declared a gap and skipped. */
  'tcp_reassembly_limit',
  /** More concurrent TCP connections than the flow-table limit: the oldest is evicted. */
  'tcp_flow_limit',
] as const;

export type CaptureAnomalyName = (typeof CAPTURE_ANOMALIES)[number];

/** Which layer raised it, as the Anomaly `proto` field. */
export type CaptureLayer = 'pcap' | 'ip' | 'tcp' | 'udp';

export function captureAnomaly(layer: CaptureLayer, name: CaptureAnomalyName, detail?: string, offset?: number): Anomaly {
  const a: { name: string; proto: string; detail?: string; offset?: number } = { name, proto: layer };
  if (detail !== undefined) a.detail = detail;
  if (offset !== undefined) a.offset = offset;
  return a;
}
