// The HTTP API's app factory (Fastify 5): builds the app from its dependencies and never listens
// (the CLI does; tests use app.inject). One plugin per resource under /api/v1; OpenAPI 3 from the schemas.

import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { SessionReader } from './session-reader.js';
import { API_PREFIX, type RoutePlugin } from './route-plugin.js';
import { installAuth } from './auth-hook.js';
import { formatValidationErrors, installErrorHandler } from './error-handler.js';
import { installHttpMetrics } from './http-metrics.js';
import { installSecurityHeaders } from './security-headers.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { sessionRoutes } from './routes/sessions.js';
import { statsRoutes } from './routes/stats.js';

export type { SessionReader } from './session-reader.js';
export { API_PREFIX, type RoutePlugin } from './route-plugin.js';

export interface ServerDeps {
  /** Sessions and port statistics (/api/v1/sessions, /api/v1/stats); absent on a fleet sensor,
   * which keeps none (it serves /healthz and /metrics only). */
  readonly store?: SessionReader;
  /** prom-client registry served at /metrics (the sensor registers its counters in the same one). */
  readonly registry: Registry;
  /** Bearer token required on every route except /healthz (see ensureToken), or a source of the
   * current one (tokenReader) so that a rotation takes effect without a restart. */
  readonly token: string | (() => string);
  readonly logger?: FastifyBaseLogger;
  readonly clock?: Clock;
  /** Extra resource plugins; each area adds its own here (one line in the composition root). */
  readonly routes?: readonly RoutePlugin[];
  readonly version?: string;
}

/**
 * Fastify logs two info lines per request; a scraper polling /metrics alone buried the node's own
 * messages under them. One access line per request, at debug. Failures still reach the log through
 * the error handler.
 */
class AccessLogAtDebug extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    request.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http request');
  }
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Query strings are small and typed: reject oversized bodies early; nothing here takes uploads.
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
    schemaErrorFormatter: formatValidationErrors,
    logController: new AccessLogAtDebug(),
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(swagger, openApiOptions(deps.version ?? '0.1.0'));
  installErrorHandler(app);
  installSecurityHeaders(app);
  installHttpMetrics(app, deps.registry);
  installAuth(app, deps.token);

  const clock = deps.clock ?? systemClock;
  await app.register(healthRoutes({ clock }));
  await app.register(metricsRoutes({ registry: deps.registry }));
  if (deps.store) {
    await app.register(sessionRoutes({ store: deps.store, clock }), { prefix: `${API_PREFIX}/sessions` });
    await app.register(statsRoutes({ store: deps.store, clock }), { prefix: `${API_PREFIX}/stats` });
  }
  for (const r of deps.routes ?? []) await app.register(r.plugin, { prefix: r.prefix });

  app.get(`${API_PREFIX}/openapi.json`, {
    schema: { description: 'The OpenAPI 3 document of this API', tags: ['meta'], response: { 200: { type: 'object', additionalProperties: true } } },
  }, async () => app.swagger());
  await app.ready();
  return app;
}

function openApiOptions(version: string): Parameters<typeof swagger>[1] {
  return {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Vigil node API', version, description: 'Sensor sessions, port statistics and the resources of a Vigil early-warning node.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
    },
    // Name component schemas by their $id (Session, Call, ...) instead of def-0, def-1.
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  };
}
