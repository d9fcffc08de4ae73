// The two fleet roles of `vigil up` (fleet.role): a sensor publishing to NATS JetStream, and a hub
// consuming every sensor into the configured store (SQLite or PostgreSQL) with detectors and the API.

import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from '../core/errors.js';
import { ensurePrivateDir } from '../core/private-files.js';
import type { DetectionService } from '../detect/detection-service.js';
import { sensorSilentAlert } from '../detect/fleet-silence-alert.js';
import { registerHubMetrics, registerPublisherMetrics } from '../fleet/fleet-metrics.js';
import { FleetHub } from '../fleet/hub-consumer.js';
import { SENSOR_NAME } from '../fleet/fleet-wire.js';
import type { NatsLinkOptions } from '../fleet/nats-link.js';
import { FleetPublisher } from '../fleet/sensor-publisher.js';
import { Sensor } from '../sensor/sensor.js';
import type { OsFlavour } from '../sensor/sensor-types.js';
import type { SensorLimitName } from '../sensor/sensor-limits.js';
import { buildServer } from '../server/app.js';
import { ensureToken, tokenReader } from '../server/auth.js';
import { openPostgresStore, type PostgresStore } from '../store/postgres/postgres-store.js';
import { openSqliteStore, sqliteFileIn, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import { registerStoreMetrics } from '../store/store-metrics.js';
import type { VigilConfig } from './config.js';
import { consoleLogger } from './log-format.js';
import { httpListenError } from './node.js';
import { startNodeServices } from './node-services.js';

export interface FleetStartOptions {
  readonly logger?: PinoLogger;
  readonly onTokenCreated?: (token: string, path: string) => void;
  readonly ephemeralPorts?: boolean;
  readonly sensorHosts?: readonly string[];
}

/** The version a sensor reports in its heartbeat (main.ts's --version says the same). */
const VIGIL_VERSION = '0.1.0';

function natsOptions(config: VigilConfig): NatsLinkOptions {
  const f = config.fleet;
  return {
    url: f.url,
    ...(f.user !== '' && { user: f.user, password: f.password }),
    ...(f.token !== '' && { token: f.token }),
    ...(f.nkeySeedFile !== '' && { nkeySeedFile: f.nkeySeedFile }),
    ...(f.tlsCaFile !== '' && { tlsCaFile: f.tlsCaFile }),
  };
}

const addressText = (addr: AddressInfo): string => `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;

/** fleet.expectedSensors, each checked as a sensor name (one subject token, as sensors are named). */
function expectedSensors(names: readonly string[]): string[] {
  for (const n of names) {
    if (!SENSOR_NAME.test(n)) throw new AppError('VIGIL_ERR_CONFIG', `fleet.expectedSensors: ${JSON.stringify(n)} is not a sensor name (letters, digits, _ or -, 1 to 64)`);
  }
  return [...new Set(names)];
}

/** fleet.sensorName, or the host name made into one subject token. */
export function sensorNameOf(config: VigilConfig): string {
  const name = config.fleet.sensorName !== '' ? config.fleet.sensorName : hostname().split('.')[0].replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  if (!SENSOR_NAME.test(name)) throw new AppError('VIGIL_ERR_CONFIG', `fleet.sensorName: expected letters, digits, _ or - (1 to 64, one NATS subject token), got ${JSON.stringify(name)}`);
  return name;
}

export interface FleetSensorNode {
  readonly sensor: Sensor;
  readonly publisher: FleetPublisher;
  readonly registry: Registry;
  readonly name: string;
  /** Where its /healthz and /metrics answer (http.host, http.port; an ephemeral port in tests). */
  readonly httpAddress: string;
  readonly token: string;
  stop(): Promise<void>;
}

/** Listeners and persona; every session and event goes to JetStream (or the spool in dataDir/fleet-spool). */
export async function startFleetSensor(config: VigilConfig, opts: FleetStartOptions = {}): Promise<FleetSensorNode> {
  const logger = opts.logger ?? consoleLogger(config.log.level, config.log.format);
  const dataDir = resolve(config.dataDir);
  ensurePrivateDir(dataDir, logger);
  const name = sensorNameOf(config);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  const publisher = FleetPublisher.start({
    sensor: name, nats: natsOptions(config), spoolDir: join(dataDir, 'fleet-spool'),
    maxSpoolBytes: config.fleet.spoolMaxMb * 1024 * 1024, logger: logger.child({ module: 'fleet' }), version: VIGIL_VERSION,
  });
  registerPublisherMetrics(registry, publisher);
  const p = config.sensor.persona;
  const sensor = new Sensor({
    name,
    ports: config.sensor.ports,
    portOffset: config.sensor.portOffset,
    limits: config.sensor.limits as Partial<Record<SensorLimitName, number>>,
    persona: { hostname: p.hostname, domain: p.domain, addresses: p.addresses, os: p.os as OsFlavour },
    sink: publisher,
    registry,
    logger: logger.child({ module: 'sensor' }),
    ...(opts.sensorHosts ? { hosts: opts.sensorHosts } : {}),
    ...(opts.ephemeralPorts ? { ephemeralPorts: true } : {}),
  });
  let app: FastifyInstance | undefined;
  let httpAddress: string;
  let token: string;
  try {
    await sensor.start();
    // Health and metrics only (it stores nothing): what a scraper or a supervisor asks a sensor.
    const t = ensureToken(dataDir);
    if (t.created) opts.onTokenCreated?.(t.token, t.path);
    token = t.token;
    app = await buildServer({ registry, token: tokenReader(dataDir), logger: logger.child({ module: 'http' }), version: VIGIL_VERSION });
    const port = opts.ephemeralPorts ? 0 : config.http.port;
    await app.listen({ host: config.http.host, port }).catch((e: unknown) => {
      throw httpListenError(config.http.host, port, e);
    });
    httpAddress = addressText(app.server.address() as AddressInfo);
  } catch (e) {
    await app?.close();
    await sensor.stop();
    await publisher.close();
    throw e;
  }
  logger.info({ sensor: name, hub: config.fleet.url, listeners: sensor.listeners, http: httpAddress }, 'vigil fleet sensor up');
  let stopping: Promise<void> | undefined;
  const a = app;
  return {
    sensor, publisher, registry, name, httpAddress, token,
    // Close every session and hand it to the publisher (JetStream or the spool), then disconnect.
    stop: () => (stopping ??= (async () => {
      await a.close();
      await sensor.stop();
      await publisher.close();
    })()),
  };
}

export interface FleetHubNode {
  readonly hub: FleetHub;
  readonly store: SqliteStore | PostgresStore;
  readonly app: FastifyInstance;
  readonly registry: Registry;
  readonly token: string;
  readonly httpAddress: string;
  stop(): Promise<void>;
}

/** The hub's store of sessions and events: PostgreSQL when configured, else the data directory's SQLite. */
async function openCoreStore(config: VigilConfig, local: SqliteStore, logger: PinoLogger): Promise<SqliteStore | PostgresStore> {
  if (config.store.backend !== 'postgres') return local;
  if (config.store.url === '') throw new AppError('VIGIL_ERR_CONFIG', 'store.backend is postgres but store.url is empty (set store.url or VIGIL_STORE_URL to postgres://USER@HOST:PORT/DB)');
  return openPostgresStore({ url: config.store.url, retention: config.store.retention, logger: logger.child({ module: 'store' }) });
}

/** Consume every sensor into the store, run the detectors over the merged stream, serve the API. */
export async function startFleetHub(config: VigilConfig, opts: FleetStartOptions = {}): Promise<FleetHubNode> {
  const logger = opts.logger ?? consoleLogger(config.log.level, config.log.format);
  const dataDir = resolve(config.dataDir);
  ensurePrivateDir(dataDir, logger);
  // Knowledge base and alerts live in the local SQLite file whichever backend holds the sessions.
  const local = await openSqliteStore({ file: sqliteFileIn(dataDir), synchronous: config.store.synchronous, retention: config.store.retention, logger: logger.child({ module: 'store' }) });
  let store: SqliteStore | PostgresStore | undefined;
  let hub: FleetHub | undefined;
  let app: FastifyInstance | undefined;
  let detection: DetectionService | undefined;
  try {
    store = await openCoreStore(config, local, logger);
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
    registerStoreMetrics(registry, store);
    const { token, created, path } = ensureToken(dataDir);
    if (created) opts.onTokenCreated?.(token, path);
    const services = await startNodeServices(config, { store: local, registry, logger: logger.child({ module: 'detect' }), httpAddress: `${config.http.host}:${config.http.port}`, token: tokenReader(dataDir), sessions: store });
    detection = services.detection;
    const raise = services.detection;
    hub = await FleetHub.start({
      nats: natsOptions(config), store, streamMaxAgeDays: config.fleet.streamMaxAgeDays, onEvents: services.onEvents, logger: logger.child({ module: 'fleet' }),
      silentAfterMs: config.fleet.silentAfterSeconds * 1000,
      expectedSensors: expectedSensors(config.fleet.expectedSensors),
      onSilent: (s) => raise.raise([sensorSilentAlert({ sensor: s.sensor, lastSeen: s.lastSeen, silentForMs: s.silentForMs, now: Date.now(), watchedSince: s.watchedSince, ...(s.health.version !== undefined && { version: s.health.version }), ...(s.health.spoolBytes !== undefined && { spoolBytes: s.health.spoolBytes }) })]),
    });
    registerHubMetrics(registry, hub);
    app = await buildServer({ store, registry, token: tokenReader(dataDir), routes: services.routes, logger: logger.child({ module: 'http' }) });
    await app.listen({ host: config.http.host, port: config.http.port }).catch((e: unknown) => {
      throw httpListenError(config.http.host, config.http.port, e);
    });
    const httpAddress = addressText(app.server.address() as AddressInfo);
    logger.info({ http: httpAddress, broker: config.fleet.url, store: config.store.backend }, 'vigil fleet hub up');
    const [h, a, s, d] = [hub, app, store, detection];
    let stopping: Promise<void> | undefined;
    return {
      hub: h, store: s, app: a, registry, token, httpAddress,
      // Stop taking requests, finish and ack the batch in hand, then close the stores.
      stop: () => (stopping ??= (async () => {
        await a.close();
        await h.stop();
        await d.stop();
        if (s !== local) await s.close();
        await local.close();
      })()),
    };
  } catch (e) {
    await app?.close();
    await hub?.stop();
    await detection?.stop();
    if (store && store !== local) await store.close();
    await local.close();
    throw e;
  }
}
