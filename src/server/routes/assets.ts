// /api/v1/assets: the asset inventory (filters: match, owner, tag, compromised) and one asset with its
// facts, their provenance, and its findings. Reads through exposure's ExposureStore.

import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../core/errors.js';
import { assetView } from '../../exposure/asset-merge.js';
import type { ExposureStore } from '../../exposure/exposure-store-port.js';
import { findingRow } from '../../exposure/finding-export.js';
import { isoDay } from '../../exposure/finding-policy.js';
import type { Clock } from '../../core/clock.js';
import type { Asset } from '../../model/asset.js';
import { API_PREFIX, type RoutePlugin } from '../route-plugin.js';
import { authErrors } from '../schemas.js';
import { assetSchema, findingSchema } from './exposure-schemas.js';

export interface ExposureRouteDeps {
  readonly store: ExposureStore;
  readonly clock: Clock;
}

interface ListQuery { match?: string; owner?: string; tag?: string; compromised?: boolean; limit?: number; offset?: number }

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 256 } } } as const;
const full = (a: Asset) => ({ ...assetView(a), facts: a.facts });

export function assetRoutes(deps: ExposureRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.addSchema(assetSchema);
    app.get<{ Querystring: ListQuery }>('/', {
      schema: {
        description: 'List assets (oldest first)', tags: ['exposure'],
        querystring: {
          type: 'object', additionalProperties: false,
          properties: {
            match: { type: 'string', minLength: 1, maxLength: 256, description: 'an address, host name or MAC, exact' },
            owner: { type: 'string', minLength: 1, maxLength: 256 }, tag: { type: 'string', minLength: 1, maxLength: 256 },
            compromised: { type: 'boolean', description: 'only assets a sensor or log alert came from (or only the others)' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
          },
        },
        response: { 200: { type: 'object', required: ['total', 'items'], properties: { total: { type: 'integer' }, items: { type: 'array', items: { $ref: 'Asset#' } } } }, 400: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (request) => {
      const { total, items } = await deps.store.listAssets(request.query);
      return { total, items: items.map(full) };
    });

    app.get<{ Params: { id: string } }>('/:id', {
      schema: {
        description: 'One asset (by id, address, host name or MAC) with its facts and findings', tags: ['exposure'], params: idParams,
        response: {
          200: { type: 'object', required: ['asset', 'findings'], properties: { asset: { $ref: 'Asset#' }, findings: { type: 'array', items: findingSchemaRef() } } },
          404: { $ref: 'Error#' }, ...authErrors,
        },
      },
    }, async (request) => {
      const key = request.params.id;
      const a = (await deps.store.getAsset(key)) ?? (await deps.store.listAssets({ match: key, limit: 1 })).items[0];
      if (!a) throw new AppError('VIGIL_ERR_NOT_FOUND', `no asset ${key}`);
      const v = assetView(a);
      const today = isoDay(deps.clock.now());
      const findings = (await deps.store.listFindings({ assetId: a.id, limit: 1000 })).items;
      return { asset: full(a), findings: findings.map((f) => findingRow(f, v.addresses[0] ?? v.names[0] ?? a.id, today)) };
    });
  };
}

/** The Finding schema is added by the findings plugin; here it is inlined (plugins are encapsulated). */
function findingSchemaRef(): object {
  const { $id: _id, ...rest } = findingSchema;
  return rest;
}

export function assetRoutePlugin(deps: ExposureRouteDeps): RoutePlugin {
  return { prefix: `${API_PREFIX}/assets`, plugin: assetRoutes(deps) };
}
