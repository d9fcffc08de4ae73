// /api/v1/advisories: our CSAF advisories (list, one CSAF document, its HTML rendering) and a public
// Atom feed of the published TLP:WHITE ones.

import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { KbStorePort } from '../../kb/kb-store-port.js';
import type { CsafDocument } from '../../kb/csaf/csaf-writer.js';
import { renderAdvisoryHtml, renderAtomFeed } from '../../kb/csaf/csaf-render.js';
import { API_PREFIX, type RoutePlugin } from '../route-plugin.js';
import { authErrors } from '../schemas.js';

const str = { type: 'string' } as const;
export const advisorySummarySchema = {
  $id: 'AdvisorySummary',
  type: 'object',
  required: ['trackingId', 'version', 'status', 'title', 'initialReleaseDate', 'currentReleaseDate'],
  properties: { trackingId: str, version: str, status: str, title: str, initialReleaseDate: str, currentReleaseDate: str, tlp: str },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._+-]+$' } } } as const;

export interface AdvisoryRouteDeps {
  readonly kb: KbStorePort;
  /** Public base URL of the node, for feed links (e.g. https://vigil.example.org). */
  readonly baseUrl: string;
}

export function advisoryRoutes(deps: AdvisoryRouteDeps): FastifyPluginAsync {
  const load = async (id: string): Promise<CsafDocument> => {
    const a = await deps.kb.getAdvisory(id);
    if (!a) throw new AppError('VIGIL_ERR_NOT_FOUND', `no advisory ${id}`);
    return a.document as CsafDocument;
  };
  return async (app) => {
    app.addSchema(advisorySummarySchema);
    app.get('/', {
      schema: { description: 'Our advisories, newest first', tags: ['advisories'], response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: { $ref: 'AdvisorySummary#' } } } }, ...authErrors } },
    }, async () => ({ items: (await deps.kb.listAdvisories()).map(({ document: _d, ...summary }) => summary) }));

    app.get('/feed.atom', {
      config: { public: true },
      schema: { description: 'Atom feed of published TLP:WHITE advisories', tags: ['advisories'] },
    }, async (_request, reply) => {
      const docs = (await deps.kb.listAdvisories()).filter((a) => (a.tlp ?? 'WHITE') === 'WHITE').map((a) => a.document as CsafDocument);
      const base = deps.baseUrl.replace(/\/+$/, '');
      reply.type('application/atom+xml; charset=utf-8');
      return renderAtomFeed(docs, { feedUrl: `${base}${API_PREFIX}/advisories/feed.atom`, title: 'Vigil advisories', entryUrl: (d) => `${base}${API_PREFIX}/advisories/${encodeURIComponent(d.document.tracking.id)}/html` });
    });

    app.get<{ Params: { id: string } }>('/:id', {
      schema: { description: 'One advisory as its CSAF 2.0 document', tags: ['advisories'], params: idParams, response: { 200: { type: 'object', additionalProperties: true }, 404: { $ref: 'Error#' }, ...authErrors } },
    }, async (request) => load(request.params.id));

    app.get<{ Params: { id: string } }>('/:id/html', {
      schema: { description: 'One advisory rendered as HTML', tags: ['advisories'], params: idParams },
    }, async (request, reply) => {
      reply.type('text/html; charset=utf-8');
      return renderAdvisoryHtml(await load(request.params.id));
    });
  };
}

export function advisoryRoutePlugin(deps: AdvisoryRouteDeps): RoutePlugin {
  return { prefix: `${API_PREFIX}/advisories`, plugin: advisoryRoutes(deps) };
}
