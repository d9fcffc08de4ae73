// The closed set of DCE/RPC anomaly names (stable snake_case, like Zeek weirds). Peers' violations
// become these, never exceptions; `detect` decides which of them alert.

import type { Anomaly } from '../../model/anomaly.js';

export const DCERPC_ANOMALIES = [
  'bad_version',
  'frag_length_too_small',
  'frag_length_exceeds_negotiated',
  'frag_length_exceeds_limit',
  'auth_length_exceeds_frag',
  'multiple_first_fragments',
  'fragment_without_first',
  'opnum_changed_between_fragments',
  'context_changed_between_fragments',
  'alloc_hint_mismatch',
  'too_many_open_calls',
  'too_much_fragment_data',
  'too_many_contexts',
  'request_on_unknown_context',
  'bind_without_first_frag',
  'second_bind',
  'byte_order_changed',
  'object_uuid_on_request',
  'ndr_string_inconsistent',
  'declared_size_mismatch',
  'ndr64_not_decoded',
  'unknown_ptype',
  'truncated_pdu',
  'resync_garbage_skipped',
  'response_without_request',
  'auth_trailer_missing',
  'auth_pad_exceeds_stub',
  'call_id_reused',
  'ptype_wrong_direction',
  'protocol_violation',
  'too_many_anomalies',
] as const;

export type DcerpcAnomalyName = (typeof DCERPC_ANOMALIES)[number];

export function dcerpcAnomaly(name: DcerpcAnomalyName, detail?: string, extra?: { offset?: number; callId?: number }): Anomaly {
  const a: { name: string; proto: string; detail?: string; offset?: number; callId?: number } = { name, proto: 'dcerpc' };
  if (detail !== undefined) a.detail = detail;
  if (extra?.offset !== undefined) a.offset = extra.offset;
  if (extra?.callId !== undefined) a.callId = extra.callId;
  return a;
}
