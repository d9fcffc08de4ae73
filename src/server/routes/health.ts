// GET /healthz: liveness for load balancers and supervisors; the one route without auth, so it
// reveals nothing but that the process answers (no version, no counts).

import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../core/clock.js';

export function healthRoutes(deps: { clock: Clock }): FastifyPluginAsync {
  const started = deps.clock.now();
  return async (app) => {
    app.get('/healthz', {
      config: { public: true },
      schema: {
        description: 'Liveness check (no authentication)',
        tags: ['meta'],
        security: [],
        response: {
          200: { type: 'object', required: ['status', 'uptimeSeconds'], properties: { status: { type: 'string', enum: ['ok'] }, uptimeSeconds: { type: 'number' } } },
        },
      },
    }, async () => ({ status: 'ok' as const, uptimeSeconds: Math.max(0, (deps.clock.now() - started) / 1000) }));
  };
}
