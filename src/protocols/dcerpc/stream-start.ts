// The first PDU header of a connection decides whether the stream is DCE/RPC at all: a Windows
// endpoint answers anything else (nmap's probes, an HTTP request on 135) with a bind_nak and closes.
// One rule for the sensor, which answers so, and for a replayed capture, which sees the answer:
// both report the same anomaly for the peer's first bytes.

import type { Anomaly } from '../../model/anomaly.js';
import { dcerpcAnomaly } from './anomalies.js';
import { COMMON_HEADER_LEN, type PduHeader } from './pdu-types.js';

/** Why a connection whose first header is `h` is not a DCE/RPC stream, or undefined when it is. */
export function streamStartAnomaly(h: PduHeader, maxFragLength: number): Anomaly | undefined {
  const versionOk = h.rpcVers === 5 && h.rpcVersMinor <= 1;
  if (versionOk && h.fragLength >= COMMON_HEADER_LEN && h.fragLength <= maxFragLength) return undefined;
  return versionOk
    ? dcerpcAnomaly(h.fragLength < COMMON_HEADER_LEN ? 'frag_length_too_small' : 'frag_length_exceeds_limit', `frag_length ${h.fragLength}`, { callId: h.callId })
    : dcerpcAnomaly('bad_version', `rpc_vers ${h.rpcVers}.${h.rpcVersMinor}`, { offset: 0 });
}
