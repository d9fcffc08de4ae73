// GET /metrics: the node's Prometheus text exposition format 0.0.4 (sensor, store and HTTP metrics)
// via prom-client; behind the bearer token like the API (Prometheus scrapes with `authorization`).

import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { authErrors } from '../schemas.js';

export function metricsRoutes(deps: { registry: Registry }): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', {
      schema: {
        description: 'Prometheus text exposition format 0.0.4',
        tags: ['meta'],
        produces: ['text/plain'],
        response: { 200: { type: 'string' }, ...authErrors },
      },
    }, async (_request, reply) => {
      const text = await deps.registry.metrics();
      return reply.type(deps.registry.contentType).send(text);
    });
  };
}
