// Bearer-token check for every route except those marked `config: { public: true }` (/healthz, Atom feed,
// CSAF directory) or `ownAuth` (the dashboard checks its own session cookie); runs onRequest, before body parsing and validation, so unauthenticated requests cost little.

import type { FastifyInstance } from 'fastify';
import { checkBearer } from './auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without the bearer token. */
    public?: boolean;
    /** The route authenticates itself in its plugin's own onRequest hook: the dashboard (src/web), whose
     * pages take a session cookie from its login form as well as the bearer token. */
    ownAuth?: boolean;
  }
}

export function installAuth(app: FastifyInstance, token: string | (() => string)): void {
  const current = typeof token === 'string' ? () => token : token;
  // The OpenAPI document inherits the global bearer requirement; derive each public route's `security: []`
  // from the same flag the check reads, so the document cannot drift from what is enforced.
  app.addHook('onRoute', (route) => {
    if (route.config?.public === true) route.schema = { ...route.schema, security: [] };
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.public === true || request.routeOptions.config?.ownAuth === true) return;
    if (checkBearer(request.headers.authorization, current())) return;
    // RFC 6750 section 3: a 401 names the scheme; no hint whether the token was missing or wrong.
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="vigil"')
      .send({ statusCode: 401, code: 'VIGIL_ERR_UNAUTHORIZED', error: 'Unauthorized', message: 'missing or invalid bearer token' });
  });
}
