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
  /** What each side said, line by line, on a text service (the 4444 shell); absent elsewhere. */
  readonly transcript?: Transcript;
}

/** One thing said: `in` from the peer (a typed line, without its line end), `out` from the sensor. */
export interface TranscriptEntry {
  readonly dir: 'in' | 'out';
  /** ms since the session started. */
  readonly offsetMs: number;
  /** The bytes as escaped text (core/safe-text: UTF-8 decoded, controls and invalid bytes as escapes). */
  readonly text: string;
  /** Bytes of this entry that did not fit in the transcript's character budget (absent: none). */
  readonly bytesCut?: number;
}

/** A bounded transcript (sensor limits maxTranscriptEntries, maxTranscriptChars) with what was cut. */
export interface Transcript {
  readonly entries: readonly TranscriptEntry[];
  /** Entries not kept at all (over the entry or character budget). */
  readonly entriesCut: number;
  /** Bytes not kept: those of entries cut plus the cut tails of entries kept. */
  readonly bytesCut: number;
}
