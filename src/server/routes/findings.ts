// /api/v1/findings: findings by priority (filters: status, owner, cve, asset, overdue; JSON or CSV),
// one finding, and PATCH for a person's decision (status, owner, note), kept in its history.

import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { assetView } from '../../exposure/asset-merge.js';
import type { ExposureService } from '../../exposure/exposure-service.js';
import type { ExposureStore } from '../../exposure/exposure-store-port.js';
import { findingRow, findingsCsv } from '../../exposure/finding-export.js';
import { isoDay } from '../../exposure/finding-policy.js';
import type { Finding, FindingStatus } from '../../model/asset.js';
import { API_PREFIX, type RoutePlugin } from '../route-plugin.js';
import { authErrors } from '../schemas.js';
import { FINDING_STATUS_ENUM, findingSchema } from './exposure-schemas.js';

export interface FindingRouteDeps {
  readonly store: ExposureStore;
  readonly service: Pick<ExposureService, 'updateFinding'>;
  readonly clock: Clock;
}

interface ListQuery {
  status?: FindingStatus[]; owner?: string; cve?: string; assetId?: string; overdue?: boolean; limit?: number; offset?: number; format?: 'json' | 'csv';
}
interface PatchBody { status?: FindingStatus; owner?: string; note?: string; by?: string }

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f]{16}$' } } } as const;

export function findingRoutes(deps: FindingRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.addSchema(findingSchema);
    const labels = async (items: readonly Finding[]) => {
      const today = isoDay(deps.clock.now());
      const cache = new Map<string, string>();
      const out = [];
      for (const f of items) {
        let l = cache.get(f.assetId);
        if (l === undefined) {
          const a = await deps.store.getAsset(f.assetId);
          const v = a ? assetView(a) : undefined;
          l = v?.addresses[0] ?? v?.names[0] ?? f.assetId;
          cache.set(f.assetId, l);
        }
        out.push(findingRow(f, l, today));
      }
      return out;
    };

    app.get<{ Querystring: ListQuery }>('/', {
      schema: {
        description: 'List findings, highest priority first; format=csv exports them as CSV', tags: ['exposure'],
        querystring: {
          type: 'object', additionalProperties: false,
          properties: {
            status: { type: 'array', items: { type: 'string', enum: FINDING_STATUS_ENUM }, maxItems: 5, description: 'repeat or comma-free list: status=open&status=reopened' },
            owner: { type: 'string', minLength: 1, maxLength: 256 },
            cve: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' },
            assetId: { type: 'string', pattern: '^[0-9a-f]{16}$' },
            overdue: { type: 'boolean', description: 'only open or reopened findings past their due date' },
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 }, offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
            format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
          },
        },
        response: { 200: { type: 'object', required: ['total', 'items'], properties: { total: { type: 'integer' }, items: { type: 'array', items: { $ref: 'Finding#' } } } }, 400: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (request, reply) => {
      const q = request.query;
      const today = isoDay(deps.clock.now());
      const { total, items } = await deps.store.listFindings({
        ...(q.status ? { status: q.status } : {}), ...(q.owner !== undefined ? { owner: q.owner } : {}),
        ...(q.cve !== undefined ? { vulnId: q.cve.toUpperCase() } : {}), ...(q.assetId !== undefined ? { assetId: q.assetId } : {}),
        ...(q.overdue ? { overdueOn: today } : {}), limit: q.limit ?? 100, offset: q.offset ?? 0,
      });
      const rows = await labels(items);
      if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="findings.csv"').serializer((x: unknown) => x as string).send(findingsCsv(rows));
      return { total, items: rows };
    });

    app.get<{ Params: { id: string } }>('/:id', {
      schema: { description: 'One finding with its evidence and history', tags: ['exposure'], params: idParams, response: { 200: { $ref: 'Finding#' }, 400: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, ...authErrors } },
    }, async (request) => {
      const f = await deps.store.getFinding(request.params.id);
      if (!f) throw new AppError('VIGIL_ERR_NOT_FOUND', `no finding ${request.params.id}`);
      return (await labels([f]))[0];
    });

    app.patch<{ Params: { id: string }; Body: PatchBody }>('/:id', {
      schema: {
        description: 'Record a decision: status (e.g. risk-accepted, false-positive), owner, note', tags: ['exposure'], params: idParams,
        body: {
          type: 'object', additionalProperties: false, minProperties: 1,
          properties: {
            status: { type: 'string', enum: FINDING_STATUS_ENUM }, owner: { type: 'string', minLength: 1, maxLength: 256 },
            note: { type: 'string', minLength: 1, maxLength: 2000 }, by: { type: 'string', minLength: 1, maxLength: 100, description: 'who decides (default "api")' },
          },
        },
        response: { 200: { $ref: 'Finding#' }, 400: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (request) => {
      const { by, ...change } = request.body;
      if (Object.keys(change).length === 0) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'body: give at least one of status, owner, note');
      const f = await deps.service.updateFinding(request.params.id, { ...change, by: by ?? 'api' });
      return (await labels([f]))[0];
    });
  };
}

export function findingRoutePlugin(deps: FindingRouteDeps): RoutePlugin {
  return { prefix: `${API_PREFIX}/findings`, plugin: findingRoutes(deps) };
}
