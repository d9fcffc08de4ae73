// /api/v1/stats/ports: connections and distinct sources per port per time bucket, the series a
// surge detector and a dashboard plot (what DShield/ISC port reports show per day).

import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { rfc3339Micro } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { STATS_BASE_BUCKET_SECONDS } from '../../store/store.js';
import type { SessionReader } from '../session-reader.js';
import { authErrors, timeParam } from '../schemas.js';
import { parseTimeArg } from '../time-param.js';

interface StatsQuery {
  since?: string;
  until?: string;
  bucket?: number;
  port?: number[];
}

/** At most this many buckets per port in one answer, so one request cannot ask for millions. */
export const MAX_BUCKETS_PER_QUERY = 10_000;

export function statsRoutes(deps: { store: SessionReader; clock: Clock }): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: StatsQuery }>('/ports', {
      schema: {
        description: 'Connection counts and unique sources per port per time bucket',
        tags: ['stats'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: timeParam,
            until: timeParam,
            bucket: { type: 'integer', minimum: STATS_BASE_BUCKET_SECONDS, maximum: 31 * 86400, default: 3600, description: `bucket width in seconds, a multiple of ${STATS_BASE_BUCKET_SECONDS}` },
            port: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 65535 }, maxItems: 64 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['bucketSeconds', 'since', 'until', 'buckets'],
            properties: { bucketSeconds: { type: 'integer' }, since: { type: 'number' }, until: { type: 'number' }, buckets: { type: 'array', items: { $ref: 'PortStatsBucket#' } } },
          },
          400: { $ref: 'Error#' },
          ...authErrors,
        },
      },
    }, async (request) => {
      const q = request.query;
      const now = deps.clock.now();
      const bucketSeconds = q.bucket ?? 3600;
      if (bucketSeconds % STATS_BASE_BUCKET_SECONDS !== 0) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `bucket: expected a multiple of ${STATS_BASE_BUCKET_SECONDS} seconds, got ${bucketSeconds}`);
      const until = q.until === undefined ? now : parseTimeArg(q.until, 'until', now);
      const since = q.since === undefined ? until - 86_400_000 : parseTimeArg(q.since, 'since', now);
      if (since >= until) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'since: must be before until');
      if ((until - since) / (bucketSeconds * 1000) > MAX_BUCKETS_PER_QUERY) {
        throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `bucket: ${bucketSeconds} s over this range gives more than ${MAX_BUCKETS_PER_QUERY} buckets; widen the bucket or narrow the range`);
      }
      const rows = await deps.store.portStats({ since, until, bucketSeconds, ports: q.port });
      return { bucketSeconds, since, until, buckets: rows.map((r) => ({ ...r, bucketTime: rfc3339Micro(r.bucketStart) })) };
    });
  };
}
