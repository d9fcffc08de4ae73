// A fleet sensor that stopped talking to the hub, as an alert: a sensor network is only an early
// warning while its sensors are alive, and a dead sensor looks like a quiet network. Detector `fleet`.

import type { Alert } from '../model/alert.js';
import { makeAlert } from './alert-factory.js';

export interface SensorSilentFacts {
  readonly sensor: string;
  /** When the hub last heard from it (message or heartbeat), epoch ms; 0 = never since the hub
   * started `watchedSince` (a sensor the hub was told to expect). */
  readonly lastSeen: number;
  readonly watchedSince?: number;
  readonly silentForMs: number;
  readonly now: number;
  readonly version?: string;
  /** Spool the sensor reported last: data it may still deliver when it returns. */
  readonly spoolBytes?: number;
}

export function sensorSilentAlert(f: SensorSilentFacts): Alert {
  const secs = Math.round(f.silentForMs / 1000);
  const never = f.lastSeen === 0;
  const since = new Date(never ? (f.watchedSince ?? f.now - f.silentForMs) : f.lastSeen).toISOString();
  return makeAlert({
    ts: f.now, detector: 'fleet', rule: 'fleet_sensor_silent', severity: 'medium',
    title: never ? `expected sensor ${f.sensor} not heard in ${secs} s (hub watching since ${since})` : `sensor ${f.sensor} silent for ${secs} s (last heard ${since})`,
    evidence: {
      sensor: f.sensor, lastSeen: never ? null : since, silentForSeconds: secs, ...(never && { expected: true, watchedSince: since }),
      ...(f.version !== undefined && { version: f.version }), ...(f.spoolBytes !== undefined && { spoolBytes: f.spoolBytes }),
    },
    // one alert per silence: the key carries when the sensor was last heard (or the hub began to watch)
    dedupKey: `fleet:silent:${f.sensor}:${never ? `never:${since}` : f.lastSeen}`,
  });
}
