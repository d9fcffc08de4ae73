// A fleet sensor that stopped talking to the hub, as an alert: a sensor network is only an early
// warning while its sensors are alive, and a dead sensor looks like a quiet network. Detector `fleet`.

import type { Alert } from '../model/alert.js';
import { makeAlert } from './alert-factory.js';

export interface SensorSilentFacts {
  readonly sensor: string;
  /** When the hub last heard from it (message or heartbeat), epoch ms. */
  readonly lastSeen: number;
  readonly silentForMs: number;
  readonly now: number;
  readonly version?: string;
  /** Spool the sensor reported last: data it may still deliver when it returns. */
  readonly spoolBytes?: number;
}

export function sensorSilentAlert(f: SensorSilentFacts): Alert {
  const secs = Math.round(f.silentForMs / 1000);
  return makeAlert({
    ts: f.now, detector: 'fleet', rule: 'fleet_sensor_silent', severity: 'medium',
    title: `sensor ${f.sensor} silent for ${secs} s (last heard ${new Date(f.lastSeen).toISOString()})`,
    evidence: { sensor: f.sensor, lastSeen: new Date(f.lastSeen).toISOString(), silentForSeconds: secs, ...(f.version !== undefined && { version: f.version }), ...(f.spoolBytes !== undefined && { spoolBytes: f.spoolBytes }) },
    // one alert per silence: the key carries when the sensor was last heard
    dedupKey: `fleet:silent:${f.sensor}:${f.lastSeen}`,
  });
}
