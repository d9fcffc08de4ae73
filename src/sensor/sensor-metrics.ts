// Prometheus metrics of the sensor (prom-client), registered in the registry the API serves at
// /metrics. Names follow the Prometheus naming guide: vigil_sensor_<what>_<unit>_total.
// Per-connection counts go to plain per-port tallies folded into the counters when scraped, and
// gauges are read at scrape: prom-client hashes the label set on every inc(), which the hot path
// (every accept, data chunk and session) need not pay.

import { Counter, Gauge, Registry } from 'prom-client';

/** What one listening port counts per connection; folded into the counters at each scrape. */
export class PortTally {
  accepted = 0;
  bytesIn = 0;
  sessions = 0;
}

export class SensorMetrics {
  readonly accepted: Counter<'port'>;
  readonly rejected: Counter<'port' | 'limit'>;
  readonly limits: Counter<'limit'>;
  readonly sessions: Counter<'port'>;
  readonly bytesIn: Counter<'port'>;
  readonly open: Gauge;
  readonly queueDepth: Gauge;
  /** What the memory guard last counted as held for peers (set by the guard, read at scrape). */
  heldBytes = 0;
  readonly queueDropped: Counter<'kind' | 'reason'>;
  readonly sinkErrors: Counter;
  private readonly tallies = new Map<number, PortTally>();

  /** `openNow` and `queueDepthNow` are read at each scrape (prom-client's collect). */
  constructor(registry: Registry, openNow: () => number = () => 0, queueDepthNow: () => number = () => 0) {
    const registers = [registry];
    const tallies = this.tallies;
    // Adds what the ports counted since the last scrape to `counter` (prom-client calls collect first).
    const fold = (field: 'accepted' | 'bytesIn' | 'sessions') =>
      function collect(this: Counter<'port'>): void {
        for (const [port, t] of tallies) {
          if (t[field] > 0) this.inc({ port: String(port) }, t[field]);
          t[field] = 0;
        }
      };
    this.accepted = new Counter({ name: 'vigil_sensor_connections_accepted_total', help: 'Connections accepted, by listening port', labelNames: ['port'], registers, collect: fold('accepted') });
    this.rejected = new Counter({ name: 'vigil_sensor_connections_rejected_total', help: 'Connections refused by a limit, by port and limit', labelNames: ['port', 'limit'], registers });
    this.limits = new Counter({ name: 'vigil_sensor_limits_triggered_total', help: 'Times a sensor or DCE/RPC limit triggered, by limit name', labelNames: ['limit'], registers });
    this.sessions = new Counter({ name: 'vigil_sensor_sessions_recorded_total', help: 'Sessions handed to the sink and acknowledged, by port', labelNames: ['port'], registers, collect: fold('sessions') });
    this.bytesIn = new Counter({ name: 'vigil_sensor_received_bytes_total', help: 'Bytes received from peers, by port', labelNames: ['port'], registers, collect: fold('bytesIn') });
    this.open = new Gauge({ name: 'vigil_sensor_open_connections', help: 'Connections currently open', registers, collect() { this.set(openNow()); } });
    this.queueDepth = new Gauge({ name: 'vigil_sensor_queue_depth', help: 'Items waiting between the sensor and its sink', registers, collect() { this.set(queueDepthNow()); } });
    this.queueDropped = new Counter({ name: 'vigil_sensor_queue_dropped_total', help: 'Items the sensor queue did not deliver, by kind and reason: shed (a source over its share under load), full (the sink stopped: oldest dropped), sink_error (a failed write)', labelNames: ['kind', 'reason'], registers });
    const self = this;
    new Gauge({ name: 'vigil_sensor_held_bytes', help: 'Bytes the sensor holds for its peers (buffers, samples, queued output, per-connection overhead), as the memory guard counts them against memoryBudgetMb', registers, collect() { this.set(self.heldBytes); } });
    this.sinkErrors = new Counter({ name: 'vigil_sensor_sink_errors_total', help: 'Failed sink writes', registers });
  }

  /** The tally of one listening port (one per port, made on first use). */
  forPort(port: number): PortTally {
    let t = this.tallies.get(port);
    if (!t) this.tallies.set(port, (t = new PortTally()));
    return t;
  }
}
