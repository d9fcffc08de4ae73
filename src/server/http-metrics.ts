// Request counter and latency histogram for the API, registered in the node's prom-client registry.
// Labelled by route template (never the raw URL) so an attacker cannot create unbounded series.

import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

const REQUESTS = 'vigil_http_requests_total';
const DURATION = 'vigil_http_request_duration_seconds';

export function installHttpMetrics(app: FastifyInstance, registry: Registry): void {
  // Reuse metrics when the same registry backs several apps (tests, restarts in-process).
  const requests =
    (registry.getSingleMetric(REQUESTS) as Counter<'method' | 'route' | 'status'> | undefined) ??
    new Counter({ name: REQUESTS, help: 'HTTP API requests by route template and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration =
    (registry.getSingleMetric(DURATION) as Histogram<'route'> | undefined) ??
    new Histogram({ name: DURATION, help: 'HTTP API request duration', labelNames: ['route'], buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2], registers: [registry] });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ route }, reply.elapsedTime / 1000);
  });
}
