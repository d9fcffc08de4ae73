// The composition of a running Vigil node: configuration -> store -> knowledge base + detectors ->
// sensor -> API listening. `vigil up` calls startNode and stop() on SIGINT/SIGTERM; tests call them directly.

import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Sensor } from '../sensor/sensor.js';
import type { OsFlavour, PersonaConfig } from '../sensor/sensor-types.js';
import type { SensorLimitName } from '../sensor/sensor-limits.js';
import { openSqliteStore, sqliteFileIn, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import { buildServer } from '../server/app.js';
import { ensureToken, tokenReader } from '../server/auth.js';
import { registerStoreMetrics } from '../store/store-metrics.js';
import { ensurePrivateDir } from '../core/private-files.js';
import type { DetectionService } from '../detect/detection-service.js';
import { AppError } from '../core/errors.js';
import { startNodeServices } from './node-services.js';
import { consoleLogger } from './log-format.js';
import type { VigilConfig } from './config.js';
import { storeSink, type EventListener } from './node-sink.js';
import type { FeedWatcher } from '../kb/watch/feed-watcher.js';

export interface NodeOptions {
  readonly logger?: PinoLogger;
  /** Called once when the API token was created by this start (the caller prints it). */
  readonly onTokenCreated?: (token: string, path: string) => void;
  /** Called once when this start created the dashboard's first admin (user `admin`); the caller prints the password. */
  readonly onAdminCreated?: (name: string, password: string) => void;
  /** Listen on kernel-chosen sensor ports (tests); see VigilNode.sensor.portFor. */
  readonly ephemeralPorts?: boolean;
  /** Sensor listen addresses (default both stacks, all interfaces). */
  readonly sensorHosts?: readonly string[];
  /** Extra consumers of sensor events (detectors), after the store. */
  readonly eventListeners?: readonly EventListener[];
}

export interface VigilNode {
  readonly sensor: Sensor;
  readonly store: SqliteStore;
  readonly app: FastifyInstance;
  readonly registry: Registry;
  readonly token: string;
  /** host:port the API listens on. */
  readonly httpAddress: string;
  stop(): Promise<void>;
}

/**
 * An API listen failure in terms a user can act on: which configuration key, variable or flag moves
 * the API (the sensor says the same for its ports in sensor/bind-errors.ts). A configuration error,
 * so `vigil up` exits 2 with one line instead of a stack trace.
 */
export function httpListenError(host: string, port: number, cause: unknown): AppError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const where = `cannot listen for the HTTP API on ${host} port ${port}`;
  const movePort = 'choose another port with --http-port or --http HOST:PORT (config http.port, env VIGIL_HTTP_PORT)';
  const message =
    code === 'EADDRINUSE' ? `${where}: the port is already in use (another service, or another vigil node); ${movePort}`
    : code === 'EACCES' ? `${where}: ports below 1024 need privileges this process does not have; ${movePort}`
    : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? `${where}: no such address on this host; choose another with --http-host or --http HOST:PORT (config http.host, env VIGIL_HTTP_HOST)`
    : `${where}: ${code ?? String(cause)}`;
  return new AppError('VIGIL_ERR_CONFIG', message, { host, port }, { cause });
}

function personaFrom(config: VigilConfig): Partial<PersonaConfig> {
  const p = config.sensor.persona;
  return { hostname: p.hostname, domain: p.domain, addresses: p.addresses, os: p.os as OsFlavour, rpcssPatch: p.rpcssPatch };
}

export async function startNode(config: VigilConfig, opts: NodeOptions = {}): Promise<VigilNode> {
  // Logs go to stderr so stdout carries only what a user or script reads (the token, the address).
  const logger = opts.logger ?? consoleLogger(config.log.level, config.log.format);
  const dataDir = resolve(config.dataDir);
  ensurePrivateDir(dataDir, logger);
  const store = await openSqliteStore({
    file: sqliteFileIn(dataDir),
    synchronous: config.store.synchronous,
    retention: config.store.retention,
    logger: logger.child({ module: 'store' }),
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  const { token, created, path } = ensureToken(dataDir);
  if (created) opts.onTokenCreated?.(token, path);

  registerStoreMetrics(registry, store);

  let sensor: Sensor | undefined;
  let app: FastifyInstance | undefined;
  let detection: DetectionService | undefined;
  let feeds: FeedWatcher | undefined;
  try {
    // The token is re-read when its file changes, so `vigil token --rotate` takes effect without a restart.
    const currentToken = tokenReader(dataDir);
    const services = await startNodeServices(config, {
      store, registry, logger: logger.child({ module: 'detect' }), httpAddress: `${config.http.host}:${config.http.port}`, token: currentToken,
    });
    detection = services.detection;
    feeds = services.feeds;
    if (services.firstAdminPassword !== undefined) opts.onAdminCreated?.('admin', services.firstAdminPassword);
    sensor = new Sensor({
      name: 'sensor',
      ports: config.sensor.ports,
      portOffset: config.sensor.portOffset,
      limits: config.sensor.limits as Partial<Record<SensorLimitName, number>>,
      persona: personaFrom(config),
      sink: storeSink(store, [services.onEvents, ...(opts.eventListeners ?? [])]),
      registry,
      logger: logger.child({ module: 'sensor' }),
      ...(opts.sensorHosts ? { hosts: opts.sensorHosts } : {}),
      ...(opts.ephemeralPorts ? { ephemeralPorts: true } : {}),
    });
    await sensor.start();
    app = await buildServer({ store, registry, token: currentToken, routes: services.routes, logger: logger.child({ module: 'http' }) });
    await app.listen({ host: config.http.host, port: config.http.port }).catch((e: unknown) => {
      throw httpListenError(config.http.host, config.http.port, e);
    });
  } catch (e) {
    await app?.close();
    await sensor?.stop();
    await feeds?.stop();
    await detection?.stop();
    await store.close();
    throw e;
  }
  const live = sensor;
  const detectors = detection as DetectionService;
  const watcher = feeds;
  const addr = app.server.address() as AddressInfo;
  const httpAddress = `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  logger.info({ http: httpAddress, sensor: live.listeners, dataDir }, 'vigil node up');
  let stopping: Promise<void> | undefined;
  const api = app;
  return {
    sensor: live, store, app: api, registry, token, httpAddress,
    stop: () => {
      // Order matters: stop taking requests, then close every sensor session and flush it to the
      // store, then close the store (which commits what is pending).
      stopping ??= (async () => {
        await api.close();
        await live.stop();
        await watcher?.stop();
        await detectors.stop();
        await store.close();
        logger.info('vigil node stopped');
      })();
      return stopping;
    },
  };
}
