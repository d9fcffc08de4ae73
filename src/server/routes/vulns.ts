// /api/v1/vulns: search the knowledge base (text, CVE, vendor/product, CPE with applicability, KEV,
// EPSS above, CVSS above, published range) and read one merged record with provenance.

import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { KbStorePort } from '../../kb/kb-store-port.js';
import { vulnerabilitiesForHost } from '../../kb/kb-host-match.js';
import type { VulnQuery } from '../../model/kb-records.js';
import { API_PREFIX, type RoutePlugin } from '../route-plugin.js';
import { authErrors } from '../schemas.js';
import { advisoryRoutePlugin } from './advisories.js';
import { csafProviderPlugin, type CsafProviderDeps } from './csaf-provider.js';

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}' } as const;
/** Above every KB's size (NVD holds ~300k CVEs). Unbounded, a 20-digit offset overflowed SQLite's
 * 64-bit integer (a 500), and an offset costs the database a scan of that many rows. */
const MAX_OFFSET = 1_000_000;

export const vulnSummarySchema = {
  $id: 'VulnSummary',
  type: 'object',
  required: ['id'],
  properties: { id: str, title: str, published: str, cvssMax: num, epss: num, kevAdded: str, verdict: str, basis: str, cpe: str },
} as const;

interface ListQuery {
  q?: string; cve?: string; vendor?: string; product?: string; cpe?: string[]; kev?: boolean;
  epssAbove?: number; cvssAbove?: number; publishedFrom?: string; publishedTo?: string; limit?: number; offset?: number;
}

export function vulnRoutes(deps: { kb: KbStorePort }): FastifyPluginAsync {
  return async (app) => {
    app.addSchema(vulnSummarySchema);
    app.get<{ Querystring: ListQuery }>('/', {
      schema: {
        description: 'Search vulnerabilities; with cpe (repeatable: one host\'s CPEs), only those that apply to the host (verdict affected or possibly_affected)',
        tags: ['vulns'],
        querystring: {
          type: 'object', additionalProperties: false,
          properties: {
            q: { type: 'string', minLength: 2, maxLength: 200 }, cve: { type: 'string', pattern: '^CVE-\\d{4}-\\d{4,}$' },
            vendor: { type: 'string', maxLength: 100 }, product: { type: 'string', maxLength: 100 }, cpe: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 300 } },
            kev: { type: 'boolean' }, epssAbove: { type: 'number', minimum: 0, maximum: 1 }, cvssAbove: { type: 'number', minimum: 0, maximum: 10 },
            publishedFrom: date, publishedTo: date,
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0, description: `rows to skip, at most ${MAX_OFFSET}` },
          },
        },
        response: {
          200: { type: 'object', required: ['total', 'items'], properties: { total: { type: 'integer' }, items: { type: 'array', items: { $ref: 'VulnSummary#' } } } },
          400: { $ref: 'Error#' }, ...authErrors,
        },
      },
    }, async (request) => {
      const { q: text, cve, cpe, limit = 100, offset = 0, ...rest } = request.query;
      const query: VulnQuery = { ...rest, text, id: cve };
      if (!cpe?.length) return deps.kb.searchVulns({ ...query, limit, offset });
      // Applicability needs the full record: vendor:product pre-filter in SQL, then a match per record.
      // Several cpe= values describe one host (e.g. the OS and its SMB component).
      const items = await vulnerabilitiesForHost(deps.kb, cpe, query);
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
