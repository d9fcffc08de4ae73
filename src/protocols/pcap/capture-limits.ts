// Named, documented limits of the capture reader and TCP reassembler (resolved with core/limits).
// Defaults follow Zeek (tcp_max_old_segments, max buffering) and Suricata (stream.reassembly.memcap).

import type { LimitTable } from '../../core/limits.js';

export const CAPTURE_LIMITS = {
  max_record_bytes: {
    default: 256 * 1024,
    min: 64,
    max: 16 * 1024 * 1024,
    unit: 'bytes',
    doc: 'Largest pcap record or pcapng block accepted; larger is a corrupt file. libpcap caps snaplen at 262144 (MAXIMUM_SNAPLEN).',
  },
  max_out_of_order_bytes: {
    default: 1024 * 1024,
    min: 0,
    max: 256 * 1024 * 1024,
    unit: 'bytes per direction',
    doc: 'Out-of-order TCP data held while waiting for a hole to fill; over it the hole becomes a gap. Suricata stream.reassembly.depth defaults to 1 MiB.',
  },
  max_out_of_order_segments: {
    default: 256,
    min: 0,
    max: 65536,
    unit: 'segments per direction',
    doc: 'Out-of-order segments held per direction; bounds the sorted list walk. Zeek tcp_max_old_segments style cap (ws maxBufferedChunks idea).',
  },
  max_flows: {
    default: 65536,
    min: 1,
    max: 16 * 1024 * 1024,
    unit: 'concurrent TCP connections',
    doc: 'Connections tracked at once; over it the oldest (first opened) is closed and flagged (tcp_flow_limit). Suricata flow.memcap bounds the same table.',
  },
  tcp_idle_timeout_s: {
    default: 300,
    min: 0,
    max: 7 * 24 * 3600,
    unit: 'seconds of capture time (0 = never)',
    doc: "A connection that carries no packet for this long is closed as it stands (its calls, anomalies and conn event are emitted) and forgotten; a later packet of the same 4-tuple starts a new connection, picked up mid-stream. Zeek's tcp_inactivity_timeout (5 min). Time is the packets' own timestamps, checked every tenth of the timeout, so a connection is closed up to 10% late.",
  },
} as const satisfies LimitTable;

export type CaptureLimitName = keyof typeof CAPTURE_LIMITS;
