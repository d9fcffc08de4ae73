// A sensor session: one TCP connection accepted by a Vigil sensor, with what each side sent.

import type { Anomaly } from './anomaly.js';
import type { CallRecord } from './call.js';
import type { Flow } from './flow.js';

export type CloseReason = 'peer_closed' | 'reset' | 'idle_timeout' | 'total_timeout' | 'byte_cap' | 'limit' | 'shutdown' | 'error';

export interface SessionRecord extends Flow {
  /** Unique id (ULID-like, sortable by start time). */
  readonly id: string;
  /** Name of the sensor that accepted it. */
  readonly sensor: string;
  /** ms since epoch. */
  readonly startTs: number;
  readonly endTs?: number;
  /** Bytes received from the peer (counted even past the recording cap). */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** First bytes the peer sent, hex (capped). */
  readonly firstBytesHex?: string;
  /** Application protocol recognised, e.g. `dcerpc`, `smb`, `unknown`. */
  readonly service?: string;
  readonly closeReason?: CloseReason;
  /** Names of limits that triggered during the session (e.g. `max_session_bytes`). */
  readonly limitsHit: readonly string[];
  readonly anomalies: readonly Anomaly[];
  readonly calls: readonly CallRecord[];
  /** sha256 of stored payload samples for this session. */
  readonly payloadSha256?: readonly string[];
}
