// Prometheus metrics of the fleet (prom-client, collected on scrape): a sensor's spool and publish
// counts; the hub's consumption and, per sensor, last message, lag and counts (silent sensors show).

import { Gauge, type Registry } from 'prom-client';
import type { FleetHub, SensorHealth } from './hub-consumer.js';
import type { FleetPublisher } from './sensor-publisher.js';

export function registerPublisherMetrics(registry: Registry, p: FleetPublisher): void {
  const g = (name: string, help: string, read: () => number): void => {
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  };
  g('vigil_fleet_spool_bytes', 'Bytes in the disk spool not yet replayed to the broker', () => p.stats.pendingBytes);
  g('vigil_fleet_spool_dropped_total', 'Messages refused because the spool was full (fleet.spoolMaxMb)', () => p.stats.dropped);
  g('vigil_fleet_spooled_total', 'Messages written to the spool (broker unreachable or not acknowledging)', () => p.stats.spooled);
  g('vigil_fleet_replayed_total', 'Spooled messages acknowledged by the broker on replay', () => p.stats.replayed);
  g('vigil_fleet_published_total', 'Messages acknowledged by the broker directly', () => p.stats.published);
  g('vigil_fleet_connected', '1 while connected to the broker', () => (p.stats.connected ? 1 : 0));
}

export function registerHubMetrics(registry: Registry, hub: FleetHub): void {
  const g = (name: string, help: string, read: () => number): void => {
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  };
  g('vigil_fleet_hub_received_total', 'Messages the hub received from the stream', () => hub.stats.received);
  g('vigil_fleet_hub_sessions_stored_total', 'Sessions the hub stored (first delivery)', () => hub.stats.sessionsStored);
  g('vigil_fleet_hub_sessions_duplicate_total', 'Sessions delivered again and already stored (idempotent)', () => hub.stats.sessionsDuplicate);
  g('vigil_fleet_hub_rejected_total', 'Messages refused as malformed (terminated, not redelivered)', () => Object.values(hub.stats.rejected).reduce((a, b) => a + (b ?? 0), 0));
  g('vigil_fleet_hub_backlog', 'Messages waiting in the hub consumer', () => hub.stats.backlog);
  const perSensor = (name: string, help: string, read: (h: SensorHealth) => number | undefined): void => {
    new Gauge({
      name, help, labelNames: ['sensor'], registers: [registry],
      collect() {
        this.reset();
        for (const [sensor, h] of hub.sensors) {
          const v = read(h);
          if (v !== undefined) this.set({ sensor }, v);
        }
      },
    });
  };
  perSensor('vigil_fleet_sensor_last_seen_seconds', 'When the hub last received a message from the sensor (epoch seconds): alert on time() - this', (h) => h.lastSeen / 1000);
  perSensor('vigil_fleet_sensor_silent', 'Whether the hub calls the sensor silent (1): nothing heard for fleet.silentAfterSeconds', (h) => (h.silentSince !== undefined ? 1 : 0));
  perSensor('vigil_fleet_sensor_lag_seconds', 'Broker-to-hub-commit delay of the sensor\'s last message', (h) => h.lagMs / 1000);
  perSensor('vigil_fleet_sensor_sessions_total', 'Sessions received from the sensor', (h) => h.sessions);
  perSensor('vigil_fleet_sensor_events_total', 'Events received from the sensor', (h) => h.events);
  perSensor('vigil_fleet_sensor_spool_bytes', 'The sensor\'s unreplayed spool, from its last heartbeat', (h) => h.spoolBytes);
  perSensor('vigil_fleet_sensor_spool_dropped_total', 'Messages the sensor refused with a full spool, from its last heartbeat', (h) => h.dropped);
  new Gauge({
    name: 'vigil_fleet_sensor_info', help: 'The sensor\'s software version, from its last heartbeat (value 1)', labelNames: ['sensor', 'version'], registers: [registry],
    collect() {
      this.reset();
      for (const [sensor, h] of hub.sensors) if (h.version !== undefined) this.set({ sensor, version: h.version }, 1);
    },
  });
}
