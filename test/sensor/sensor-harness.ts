// Test harness for the sensor: starts it on loopback with kernel-chosen ports and a sink that keeps
// everything, with helpers to open raw TCP clients and to wait for sessions to arrive.

import { connect, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { Sensor } from '../../src/sensor/sensor.js';
import type { SensorOptions, SensorOutput } from '../../src/sensor/sensor-types.js';
import type { SessionRecord } from '../../src/model/session.js';
import type { VigilEvent } from '../../src/model/event.js';

/** A base port with no responder (the silent one): what tests use to send bytes that are no protocol
 * (445 now speaks SMB and drops a stream that is not, as Windows does). */
export const SINK_PORT = 1433;

export class CollectingSink {
  readonly items: SensorOutput[] = [];
  write(batch: readonly SensorOutput[]): void {
    this.items.push(...batch);
  }
  get sessions(): SessionRecord[] {
    return this.items.flatMap((i) => (i.kind === 'session' ? [i.session] : []));
  }
  get events(): VigilEvent[] {
    return this.items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));
  }
}

export interface Harness {
  readonly sensor: Sensor;
  readonly sink: CollectingSink;
  readonly registry: Registry;
  port(base: number): number;
  stop(): Promise<void>;
}

export async function startSensor(opts: Partial<Omit<SensorOptions, 'sink'>> = {}): Promise<Harness> {
  const sink = new CollectingSink();
  const registry = new Registry();
  const sensor = new Sensor({ hosts: ['127.0.0.1'], ports: [135, 4444, 445, SINK_PORT], ephemeralPorts: true, registry, ...opts, sink });
  await sensor.start();
  return {
    sensor,
    sink,
    registry,
    port: (base) => {
      const p = sensor.portFor(base);
      if (p === undefined) throw new Error(`sensor does not listen for ${base}`);
      return p;
    },
    stop: () => sensor.stop(),
  };
}

/** Poll until `pred` holds (bounded: fails after `ms`). */
export async function waitFor<T>(what: string, fn: () => T | undefined | false, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function openClient(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Collect what the server sends until it closes the connection (or `ms` passes). */
export function readAll(s: Socket, ms = 3000): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const timer = setTimeout(() => done(false), ms);
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(parts), closed });
    };
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('error', () => {});
    s.on('close', () => done(true));
  });
}

/** Read until at least `n` bytes arrived (bounded by `ms`). */
export function readBytes(s: Socket, n: number, ms = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => reject(new Error(`timed out after ${got} of ${n} bytes`)), ms);
    const onData = (d: Buffer): void => {
      parts.push(d);
      got += d.length;
      if (got >= n) {
        clearTimeout(timer);
        s.off('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    s.on('data', onData);
  });
}

/** Value of one metric sample from the registry's text, e.g. metric(reg, 'x_total', { limit: 'y' }). */
export async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const json = await registry.getMetricsAsJSON();
  const m = json.find((x) => x.name === name);
  if (!m) return 0;
  const v = (m.values as { value: number; labels: Record<string, string | number> }[]).find((s) => Object.entries(labels).every(([k, val]) => String(s.labels[k]) === val));
  return v?.value ?? 0;
}

/** Connect and report whether the server refused the connection (reset at or right after connect). */
export function connectRefused(port: number, ms = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, ms);
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
