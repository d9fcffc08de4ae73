// /api/v1/sessions: sensor sessions, filtered and paged (keyset cursor), and one session with its
// decoded DCE/RPC calls. Reads through the Store interface only.

import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { rfc3339Micro } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { withFaultName } from '../../kb/dcerpc-names.js';
import type { SessionReader } from '../session-reader.js';
import { authErrors, timeParam } from '../schemas.js';
import { parseTimeArg } from '../time-param.js';
import { normalizeAddress } from '../address-param.js';

interface ListQuery {
  port?: number;
  source?: string;
  since?: string;
  until?: string;
  hasAnomaly?: boolean;
  limit?: number;
  cursor?: string;
  order?: 'asc' | 'desc';
}

const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    source: { type: 'string', minLength: 2, maxLength: 45, description: 'peer address (IPv4 or IPv6), exact' },
    since: timeParam,
    until: timeParam,
    hasAnomaly: { type: 'boolean' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    cursor: { type: 'string', maxLength: 200 },
    order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
  },
} as const;

/** Session timestamps as RFC 3339 beside the epoch-ms fields (DESIGN: JSON times are RFC 3339). */
function withTime<T extends { startTs: number }>(s: T): T & { startTime: string } {
  return { ...s, startTime: rfc3339Micro(s.startTs) };
}

export function sessionRoutes(deps: { store: SessionReader; clock: Clock }): FastifyPluginAsync {
  return async (app) => {
    // '' (not '/') so the route is exactly /api/v1/sessions, as the OpenAPI document names it.
    app.get<{ Querystring: ListQuery }>('', {
      schema: {
        description: 'List sensor sessions, newest first by default, one page at a time',
        tags: ['sessions'],
        querystring: listQuerySchema,
        response: {
          200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: { $ref: 'SessionSummary#' } }, nextCursor: { type: 'string' } } },
          400: { $ref: 'Error#' },
          ...authErrors,
        },
      },
    }, async (request) => {
      const q = request.query;
      const now = deps.clock.now();
      const page = await deps.store.listSessions({
        port: q.port,
        source: q.source === undefined ? undefined : normalizeAddress(q.source, 'source'),
        since: q.since === undefined ? undefined : parseTimeArg(q.since, 'since', now),
        until: q.until === undefined ? undefined : parseTimeArg(q.until, 'until', now),
        hasAnomaly: q.hasAnomaly,
        limit: q.limit,
        cursor: q.cursor,
        order: q.order,
      });
      return { items: page.items.map(withTime), nextCursor: page.nextCursor };
    });

    const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } } } as const;

    app.get<{ Params: { id: string } }>('/:id', {
      schema: {
        description: 'One session with its decoded DCE/RPC calls and anomalies, and on a shell port its transcript',
        tags: ['sessions'],
        params: idParams,
        response: { 200: { $ref: 'Session#' }, 404: { $ref: 'Error#' }, 400: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (request) => {
      const s = await deps.store.getSession(request.params.id);
      if (!s) throw new AppError('VIGIL_ERR_NOT_FOUND', `no session ${request.params.id}`);
      return withTime({ ...s, calls: s.calls.map(withFaultName) });
    });

    app.get<{ Params: { id: string } }>('/:id/payload', {
      schema: {
        description: 'The bytes the peer sent in this session, as recorded (up to the sensor\'s maxRecordedBytes and the store\'s payload cap), as a download',
        tags: ['sessions'],
        params: idParams,
        produces: ['application/octet-stream'],
        response: { 200: { type: 'string', format: 'binary' }, 404: { $ref: 'Error#' }, 400: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (request, reply) => {
      const { id } = request.params;
      const s = await deps.store.getSession(id);
      if (!s) throw new AppError('VIGIL_ERR_NOT_FOUND', `no session ${id}`);
      const sha = s.payloadSha256?.[0];
      const sample = sha === undefined ? undefined : await deps.store.getPayload?.(sha);
      if (!sample) throw new AppError('VIGIL_ERR_NOT_FOUND', `session ${id} has no stored payload`);
      // Attacker bytes: an attachment of an opaque type with nosniff, so no browser renders or runs
      // them; the file name is built from the id the schema restricted to [A-Za-z0-9_-].
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="vigil-session-${id}.bin"`)
        .header('x-content-type-options', 'nosniff')
        .header('x-payload-sha256', sample.sha256)
        .header('x-payload-truncated', String(sample.truncated))
        .send(Buffer.from(sample.data));
    });
  };
}
