// A capture as the events a sensor emits (conn, call, anomaly; source 'pcap'), in time order, so
// that `vigil replay` runs the detectors over a capture as over live traffic ("replay equals live").

import type { Anomaly } from '../../model/anomaly.js';
import type { VigilEvent } from '../../model/event.js';
import type { NameLookup } from '../../protocols/dcerpc/connection.js';
import type { CaptureLimitName } from '../../protocols/pcap/capture-limits.js';
import type { IngestStats } from '../ingest-types.js';
import { analyzeCapture } from './pcap-driver.js';
import type { FlowJson, ShellSighting } from './pcap-types.js';

export interface CaptureEventOptions {
  /** Interface and operation names for call records (the CLI passes the kb's). */
  readonly names?: NameLookup;
  /** Capture limits other than the defaults (capture-limits.ts), e.g. tcp_idle_timeout_s. */
  readonly captureLimits?: Partial<Record<CaptureLimitName, number>>;
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
    ...(opts.captureLimits !== undefined && { captureLimits: opts.captureLimits }),
    onConnection: (ev) => events.push(ev),
    onCall: (call, flow) => events.push({
      type: 'call', ts: call.ts, source: 'pcap', src: flow.src, dst: flow.dst, proto: 'tcp', sport: flow.sport, dport: flow.dport,
      session: session(flow), call,
    }),
    onShell: (sh) => shellEvents(sh, events),
    onAnomaly: (anomaly: Anomaly, flow, ts) => events.push({
      type: 'anomaly', ts, source: 'pcap', src: flow.src, dst: flow.dst, proto: 'tcp', sport: flow.sport, dport: flow.dport,
      session: session(flow), anomaly,
    }),
  });
  // stable: events of one time keep the order they were emitted in
  events.sort((a, b) => a.ts - b.ts);
  return { events, stats: { file: path, format: pcap.format, records: pcap.packets, events: events.length, bad: 0, skipped: 0 } };
}

/**
 * A shell seen on the wire as events: one payload event per typed line, as a sensor's 4444 shell
 * emits them (typer -> shell host), so the same detector alerts on both; and one carrying the
 * prompt and every line, at the prompt's time: the host is compromised even if nothing is typed.
 */
function shellEvents(sh: ShellSighting, events: VigilEvent[]): void {
  const base = { source: 'pcap', src: sh.peer, dst: sh.host, proto: 'tcp', sport: sh.peerPort, dport: sh.hostPort, session: `${sh.peer}:${sh.peerPort}>${sh.host}:${sh.hostPort}` } as const;
  const typed = sh.lines.map((l) => l.text);
  if (sh.linesCut > 0) typed.push(`[${sh.linesCut} more line(s) not kept]`);
  events.push({ type: 'payload', ts: sh.promptTsMs, ...base, text: typed.join('\r\n'), prompt: sh.prompt });
  for (const l of sh.lines) events.push({ type: 'payload', ts: l.tsMs, ...base, text: l.text });
}
