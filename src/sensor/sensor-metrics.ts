// Prometheus metrics of the sensor (prom-client), registered in the registry the API serves at
// /metrics. Names follow the Prometheus naming guide: vigil_sensor_<what>_<unit>_total.

import { Counter, Gauge, Registry } from 'prom-client';

export class SensorMetrics {
  readonly accepted: Counter<'port'>;
  readonly rejected: Counter<'port' | 'limit'>;
  readonly limits: Counter<'limit'>;
  readonly sessions: Counter<'port'>;
  readonly bytesIn: Counter<'port'>;
  readonly open: Gauge;
  readonly queueDepth: Gauge;
  readonly queueDropped: Counter<'kind'>;
  readonly sinkErrors: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.accepted = new Counter({ name: 'vigil_sensor_connections_accepted_total', help: 'Connections accepted, by listening port', labelNames: ['port'], registers });
    this.rejected = new Counter({ name: 'vigil_sensor_connections_rejected_total', help: 'Connections refused by a limit, by port and limit', labelNames: ['port', 'limit'], registers });
    this.limits = new Counter({ name: 'vigil_sensor_limits_triggered_total', help: 'Times a sensor or DCE/RPC limit triggered, by limit name', labelNames: ['limit'], registers });
    this.sessions = new Counter({ name: 'vigil_sensor_sessions_recorded_total', help: 'Sessions handed to the sink and acknowledged, by port', labelNames: ['port'], registers });
    this.bytesIn = new Counter({ name: 'vigil_sensor_received_bytes_total', help: 'Bytes received from peers, by port', labelNames: ['port'], registers });
    this.open = new Gauge({ name: 'vigil_sensor_open_connections', help: 'Connections currently open', registers });
    this.queueDepth = new Gauge({ name: 'vigil_sensor_queue_depth', help: 'Items waiting between the sensor and its sink', registers });
    this.queueDropped = new Counter({ name: 'vigil_sensor_queue_dropped_total', help: 'Items dropped from the full sensor queue (drop-oldest) or lost to sink errors, by kind', labelNames: ['kind'], registers });
    this.sinkErrors = new Counter({ name: 'vigil_sensor_sink_errors_total', help: 'Failed sink writes', registers });
  }
}
