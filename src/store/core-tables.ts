// Kysely row types of the core tables (see migrations/core.ts), shared by every SQL backend.
// Column names are snake_case as in the schema; mapping to model types lives in session-rows.ts.

import type { Generated } from 'kysely';

export interface SessionsTable {
  id: string;
  sensor: string;
  proto: string;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  start_ts: number;
  end_ts: number | null;
  bytes_in: number;
  bytes_out: number;
  first_bytes_hex: string | null;
  service: string | null;
  close_reason: string | null;
  /** JSON array of limit names. */
  limits_hit: string;
  /** JSON array of sha256 hex, or null. */
  payload_sha256: string | null;
  call_count: number;
  anomaly_count: number;
  /** JSON of the model's Transcript (migration 0002), or null. */
  transcript: string | null;
}

export interface CallsTable {
  session_id: string;
  seq: number;
  ts: number;
  iface_uuid: string | null;
  opnum: number;
  operation: string | null;
  /** The CallRecord as JSON, without its anomalies (those are rows of `anomalies`). */
  record: string;
}

export interface AnomaliesTable {
  session_id: string;
  seq: number;
  call_seq: number | null;
  name: string;
  proto: string;
  detail: string | null;
  offset: number | null;
  call_id: number | null;
}

export interface SessionPayloadsTable {
  session_id: string;
  seq: number;
  sha256: string;
}

export interface PayloadSamplesTable {
  sha256: string;
  size: number;
  truncated: number;
  data: Uint8Array;
  first_seen: number;
  last_seen: number;
}

export interface EventsTable {
  id: Generated<number>;
  ts: number;
  type: string;
  source: string;
  src: string;
  dport: number;
  session: string | null;
  /** The producer's stable id (unique when present; migration 0004). */
  event_id?: string | null;
  /** The VigilEvent as JSON. */
  body: string;
}

export interface PortStatsTable {
  bucket: number;
  port: number;
  count: number;
}

export interface PortSourcesTable {
  bucket: number;
  port: number;
  src: string;
}

/** Hourly sums of port_stats (bucket: epoch seconds of the hour's start). */
export interface PortStatsHourTable {
  bucket: number;
  port: number;
  count: number;
}

export interface CoreDatabase {
  sessions: SessionsTable;
  calls: CallsTable;
  anomalies: AnomaliesTable;
  session_payloads: SessionPayloadsTable;
  payload_samples: PayloadSamplesTable;
  events: EventsTable;
  port_stats: PortStatsTable;
  port_stats_hour: PortStatsHourTable;
  port_sources: PortSourcesTable;
}
