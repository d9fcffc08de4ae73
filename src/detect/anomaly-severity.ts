// Severity of each engine anomaly (Zeek-style "weirds") as an alert: what an exploit or evasion
// attempt looks like versus what broken-but-harmless stacks and captures produce.

import type { Severity } from '../model/anomaly.js';

/**
 * DCE/RPC anomaly names (src/protocols/dcerpc/anomalies.ts) to severity. Size and count
 * disagreements are what MS03-039-era heap overflows are made of (high); fragment and context
 * games are evasion of byte signatures (medium); capture and framing artefacts that real traffic
 * shows (resync after a gap, a response whose request was not captured) are info and not alerted.
 * Names not listed default to `low`.
 */
export const DCERPC_ANOMALY_SEVERITY: Readonly<Record<string, Severity>> = {
  ndr_string_inconsistent: 'high',
  declared_size_mismatch: 'high',
  frag_length_exceeds_limit: 'high',
  too_much_fragment_data: 'high',
  auth_length_exceeds_frag: 'medium',
  frag_length_too_small: 'medium',
  frag_length_exceeds_negotiated: 'medium',
  multiple_first_fragments: 'medium',
  fragment_without_first: 'medium',
  opnum_changed_between_fragments: 'medium',
  context_changed_between_fragments: 'medium',
  too_many_open_calls: 'medium',
  too_many_contexts: 'medium',
  byte_order_changed: 'medium',
  bad_version: 'low',
  alloc_hint_mismatch: 'info', // C706 makes alloc_hint advisory (0 is legal); real stacks get it wrong
  request_on_unknown_context: 'low',
  bind_without_first_frag: 'low',
  second_bind: 'info',
  protocol_violation: 'medium',
  too_many_anomalies: 'medium', // hundreds of violations on one connection: a fuzzer or an evasion attempt
  unknown_ptype: 'low',
  truncated_pdu: 'info',
  resync_garbage_skipped: 'info',
  response_without_request: 'info',
  object_uuid_on_request: 'info',
  ndr64_not_decoded: 'info',
  auth_trailer_missing: 'info',
};

/**
 * TCP stream anomalies of a captured DCE/RPC connection (src/protocols/pcap/capture-anomalies.ts;
 * a live sensor never sees them, the kernel reassembles). Two different copies of the same bytes is
 * the classic evasion of byte signatures (Ptacek and Newsham 1998; Suricata's stream overlap
 * events): medium. Holes and limits are what lossy captures show: info.
 */
export const TCP_STREAM_ANOMALY_SEVERITY: Readonly<Record<string, Severity>> = {
  tcp_overlap_inconsistent: 'medium',
  tcp_content_gap: 'info',
  tcp_reassembly_limit: 'info',
  tcp_flow_limit: 'info',
};

export function anomalySeverity(proto: string, name: string, table: Readonly<Record<string, Severity>> = DCERPC_ANOMALY_SEVERITY): Severity {
  if (proto === 'tcp') return TCP_STREAM_ANOMALY_SEVERITY[name] ?? 'low';
  if (proto !== 'dcerpc') return 'low';
  return table[name] ?? 'low';
}
