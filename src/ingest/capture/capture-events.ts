// A capture as the events a sensor emits (conn, call, anomaly; source 'pcap'), in time order, so
// that `vigil replay` runs the detectors over a capture as over live traffic ("replay equals live").

import type { Anomaly } from '../../model/anomaly.js';
import type { VigilEvent } from '../../model/event.js';
import type { NameLookup } from '../../protocols/dcerpc/connection.js';
import type { IngestStats } from '../ingest-types.js';
import { analyzeCapture } from './pcap-driver.js';
import type { FlowJson } from './pcap-types.js';

export interface CaptureEventOptions {
  /** Interface and operation names for call records (the CLI passes the kb's). */
  readonly names?: NameLookup;
}

const session = (f: FlowJson): string => `${f.src}:${f.sport}>${f.dst}:${f.dport}`;

/**
 * Connections (one conn event per TCP connection or UDP flow, outcome from its handshake), calls,
 * and the DCE/RPC anomalies no call carries (an anomaly on a call reaches the detectors inside its
 * call event, as on a sensor: each is seen once). All are emitted when they end, so they are sorted
 * by time (a connection's conn event carries its first packet's time, before any of its calls).
 */
export function captureEvents(path: string, opts: CaptureEventOptions = {}): { events: VigilEvent[]; stats: IngestStats } {
  const events: VigilEvent[] = [];
  const pcap = analyzeCapture(path, {
    ...(opts.names !== undefined && { names: opts.names }),
    onConnection: (ev) => events.push(ev),
    onCall: (call, flow) => events.push({
      type: 'call', ts: call.ts, source: 'pcap', src: flow.src, dst: flow.dst, proto: 'tcp', sport: flow.sport, dport: flow.dport,
      session: session(flow), call,
    }),
    onAnomaly: (anomaly: Anomaly, flow, ts) => events.push({
      type: 'anomaly', ts, source: 'pcap', src: flow.src, dst: flow.dst, proto: 'tcp', sport: flow.sport, dport: flow.dport,
      session: session(flow), anomaly,
    }),
  });
  // stable: events of one time keep the order they were emitted in
  events.sort((a, b) => a.ts - b.ts);
  return { events, stats: { file: path, format: pcap.format, records: pcap.packets, events: events.length, bad: 0, skipped: 0 } };
}
