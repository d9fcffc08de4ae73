// /api/v1/vulns: search the knowledge base (text, CVE, vendor/product, CPE with applicability, KEV,
// EPSS above, CVSS above, published range) and read one merged record with provenance.

import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { KbStorePort } from '../../kb/kb-store-port.js';
import { parseCpe, unquote } from '../../kb/cpe/cpe-binding.js';
import { matchAffected } from '../../kb/cpe/affected-match.js';
import type { VulnQuery } from '../../model/kb-records.js';
import { API_PREFIX, type RoutePlugin } from '../route-plugin.js';
import { authErrors } from '../schemas.js';
import { advisoryRoutePlugin } from './advisories.js';
import { csafProviderPlugin, type CsafProviderDeps } from './csaf-provider.js';

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}' } as const;

export const vulnSummarySchema = {
  $id: 'VulnSummary',
  type: 'object',
  required: ['id'],
  properties: { id: str, title: str, published: str, cvssMax: num, epss: num, kevAdded: str, verdict: str, basis: str },
} as const;

interface ListQuery {
  q?: string; cve?: string; vendor?: string; product?: string; cpe?: string; kev?: boolean;
  epssAbove?: number; cvssAbove?: number; publishedFrom?: string; publishedTo?: string; limit?: number; offset?: number;
}

/** "cpe:/o:microsoft:windows_xp::sp1" -> "microsoft:windows_xp" for the indexed pre-filter. */
function cpeKey(cpe: string): string {
  let w;
  try { w = parseCpe(cpe); } catch (e) { throw new AppError('VIGIL_ERR_BAD_ARGUMENT', (e as Error).message); }
  const vendor = unquote(w.vendor);
  const product = unquote(w.product);
  if (!vendor || !product) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'cpe must name a vendor and a product');
  return `${vendor}:${product}`;
}

export function vulnRoutes(deps: { kb: KbStorePort }): FastifyPluginAsync {
  return async (app) => {
    app.addSchema(vulnSummarySchema);
    app.get<{ Querystring: ListQuery }>('/', {
      schema: {
        description: 'Search vulnerabilities; with cpe, only those whose applicability matches the product (verdict affected or possibly_affected)',
        tags: ['vulns'],
        querystring: {
          type: 'object', additionalProperties: false,
          properties: {
            q: { type: 'string', minLength: 2, maxLength: 200 }, cve: { type: 'string', pattern: '^CVE-\\d{4}-\\d{4,}$' },
            vendor: { type: 'string', maxLength: 100 }, product: { type: 'string', maxLength: 100 }, cpe: { type: 'string', maxLength: 300 },
            kev: { type: 'boolean' }, epssAbove: { type: 'number', minimum: 0, maximum: 1 }, cvssAbove: { type: 'number', minimum: 0, maximum: 10 },
            publishedFrom: date, publishedTo: date,
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: { type: 'object', required: ['total', 'items'], properties: { total: { type: 'integer' }, items: { type: 'array', items: { $ref: 'VulnSummary#' } } } },
          400: { $ref: 'Error#' }, ...authErrors,
        },
      },
    }, async (request) => {
      const { q: text, cve, cpe, limit = 100, offset = 0, ...rest } = request.query;
      const query: VulnQuery = { ...rest, text, id: cve, cpeVendorProduct: cpe ? cpeKey(cpe) : undefined, limit, offset };
      if (!cpe) return deps.kb.searchVulns(query);
      // Applicability needs the full record: pre-filter by vendor:product in SQL, then match each.
      const candidates = await deps.kb.searchVulns({ ...query, limit: 1000, offset: 0 });
      const items = [];
      for (const c of candidates.items) {
        const rec = await deps.kb.getVulnerability(c.id);
        const m = rec ? matchAffected(rec, cpe) : undefined;
        if (m && m.verdict !== 'not_affected') items.push({ ...c, verdict: m.verdict, basis: m.basis });
      }
      return { total: items.length, items: items.slice(offset, offset + limit) };
    });

    app.get<{ Params: { id: string } }>('/:id', {
      schema: {
        description: 'One vulnerability (CVE id or an alias such as MS03-026): merged record with provenance', tags: ['vulns'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 3, maxLength: 40, pattern: '^[A-Za-z0-9#._-]+$' } } },
        response: { 200: { type: 'object', additionalProperties: true }, 404: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (request) => {
      const r = await deps.kb.getVulnerability(request.params.id);
      if (!r) throw new AppError('VIGIL_ERR_NOT_FOUND', `no vulnerability ${request.params.id}`);
      const history = (await deps.kb.getEpssHistory?.(r.id)) ?? [];
      return history.length ? { ...r, epssHistory: history } : r;
    });
  };
}

export function vulnRoutePlugin(deps: { kb: KbStorePort }): RoutePlugin {
  return { prefix: `${API_PREFIX}/vulns`, plugin: vulnRoutes(deps) };
}

/** Every knowledge-base plugin (vulns, advisories, CSAF provider directory) for ServerDeps.routes. */
export function kbRoutePlugins(deps: CsafProviderDeps): RoutePlugin[] {
  return [vulnRoutePlugin(deps), advisoryRoutePlugin(deps), csafProviderPlugin(deps)];
}
