// The closed set of SMB / NetBIOS session anomaly names (stable snake_case, like Suricata's
// rust/src/smb/events.rs and Zeek weirds). Peers' violations become these, never exceptions.

import type { Anomaly } from '../../model/anomaly.js';

export const SMB_ANOMALIES = [
  'nbss_unknown_type',
  'nbss_session_request_on_445',
  'smb_message_too_long',
  'smb_bad_protocol_id',
  'smb_truncated_message',
  'smb_malformed_command',
  'smb_resync_garbage_skipped',
  'smb_andx_offset_backwards',
  'too_many_chained_commands',
  'smb2_bad_next_command',
  'smb2_encrypted',
  'smb2_compressed',
  'smb_dialect_mixed',
  'pipe_io_on_unknown_fid',
  'response_without_request',
  'too_many_trees',
  'too_many_pipes',
  'too_many_pending_requests',
  'transaction_too_large',
  'transaction_secondary_without_primary',
  'transaction_displacement_mismatch',
  'transaction_total_mismatch',
  'trans2_session_setup',
  'nt_transact_secondary',
  'smb1_ea_list_size_mismatch',
  'protocol_violation',
  'too_many_anomalies',
] as const;

export type SmbAnomalyName = (typeof SMB_ANOMALIES)[number];

export function smbAnomaly(name: SmbAnomalyName, detail?: string, offset?: number): Anomaly {
  const a: { name: string; proto: string; detail?: string; offset?: number } = { name, proto: 'smb' };
  if (detail !== undefined) a.detail = detail;
  if (offset !== undefined) a.offset = offset;
  return a;
}
