// Events: the one stream that detectors consume, whatever produced it (live sensor, pcap replay,
// Zeek/Suricata logs, simulated telescope). JSON lines of this schema are an ingest format too.

import type { Anomaly } from './anomaly.js';
import type { CallRecord } from './call.js';
import type { Transport } from './flow.js';

export type EventSource = 'sensor' | 'pcap' | 'zeek' | 'suricata' | 'firewall' | 'sim' | 'jsonl';

interface EventBase {
  /** ms since epoch. */
  readonly ts: number;
  readonly source: EventSource;
  readonly src: string;
  readonly dst: string;
  readonly proto: Transport;
  readonly sport?: number;
  readonly dport: number;
  /** Sensor session id or log uid, to tie events together. */
  readonly session?: string;
  /** Stable id where the producer gives one (a fleet sensor: `<session>:<type>:<n>`); a store keeps
   * an event with a given id once. */
  readonly id?: string;
}

/** A connection attempt. On a sensor every destination is dark, so outcome is `failure` for TRW. */
export interface ConnEvent extends EventBase {
  readonly type: 'conn';
  readonly outcome: 'success' | 'failure' | 'unknown';
  readonly bytesIn?: number;
  readonly bytesOut?: number;
}

/** A decoded DCE/RPC call. */
export interface CallEvent extends EventBase {
  readonly type: 'call';
  readonly call: CallRecord;
}

/** Bytes a peer sent that look like a command or payload (e.g. what a worm types on 4444). */
export interface PayloadEvent extends EventBase {
  readonly type: 'payload';
  /** Printable rendering of what was sent (capped). */
  readonly text: string;
  readonly sha256?: string;
  /** Set when a capture showed `dst` presenting a Windows command prompt to `src` (a bound or
   * reverse shell between two hosts): the prompt or banner line, escaped. `text` then holds every
   * line `src` typed into it (the per-line events come separately, as from a sensor). */
  readonly prompt?: string;
}

export interface AnomalyEvent extends EventBase {
  readonly type: 'anomaly';
  readonly anomaly: Anomaly;
}

/** An alert raised by another system (Suricata EVE `alert`), carried through for correlation. */
export interface ExternalAlertEvent extends EventBase {
  readonly type: 'external_alert';
  readonly signature: string;
  readonly signatureId?: number;
  readonly severity?: number;
}

export type VigilEvent = ConnEvent | CallEvent | PayloadEvent | AnomalyEvent | ExternalAlertEvent;
