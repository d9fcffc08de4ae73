// The CSAF provider directory served by the node under /.well-known/csaf (CSAF 2.0 section 7.1):
// public, because it lists only published TLP:WHITE advisories; served from a cache per app.

import type { FastifyPluginAsync } from 'fastify';
import type { KbStorePort } from '../../kb/kb-store-port.js';
import { CsafDirectoryCache } from '../../kb/csaf/csaf-directory-cache.js';
import { WELL_KNOWN } from '../../kb/csaf/csaf-provider.js';
import type { RoutePlugin } from '../route-plugin.js';

export interface CsafProviderDeps {
  readonly kb: KbStorePort;
  readonly baseUrl: string;
  readonly publisher: { readonly category: string; readonly name: string; readonly namespace: string };
}

export function csafProviderRoutes(deps: CsafProviderDeps): FastifyPluginAsync {
  return async (app) => {
    // Created per registration, so the cache lives and dies with the app that serves it.
    const cache = new CsafDirectoryCache(deps.kb, { baseUrl: deps.baseUrl, publisher: deps.publisher });
    app.get<{ Params: { '*': string } }>('/*', {
      config: { public: true },
      schema: { description: 'CSAF provider directory: provider-metadata.json, index.txt, changes.csv, ROLIE feed, documents and hashes', tags: ['csaf'] },
    }, async (request, reply) => {
      const file = (await cache.get()).get(`${WELL_KNOWN}/${request.params['*']}`);
      if (!file) return reply.code(404).send({ statusCode: 404, code: 'VIGIL_ERR_NOT_FOUND', error: 'Not Found', message: 'no such file in the CSAF directory' });
      return reply.type(file.contentType).send(file.body);
    });
  };
}

export function csafProviderPlugin(deps: CsafProviderDeps): RoutePlugin {
  return { prefix: WELL_KNOWN, plugin: csafProviderRoutes(deps) };
}
