// An anomaly: a peer's violation of a protocol, as data (Zeek "weird"). Each protocol declares its
// closed union of stable snake_case names; the model keeps the common shape.

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export interface Anomaly {
  /** Stable snake_case name, e.g. `multiple_first_fragments`. */
  readonly name: string;
  /** Protocol that raised it, e.g. `dcerpc`, `tcp`, `pcap`, `sensor`. */
  readonly proto: string;
  /** Human detail: which field, which values. */
  readonly detail?: string;
  /** Byte offset in the stream or PDU where it was seen, when meaningful. */
  readonly offset?: number;
  /** DCE/RPC call id it concerns, when it concerns one. */
  readonly callId?: number;
}
