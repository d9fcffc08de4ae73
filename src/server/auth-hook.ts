// Bearer-token check for every route except those marked `config: { public: true }` (/healthz).
// Runs onRequest, before body parsing and validation, so unauthenticated requests cost little.

import type { FastifyInstance } from 'fastify';
import { checkBearer } from './auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without the bearer token. */
    public?: boolean;
  }
}

export function installAuth(app: FastifyInstance, token: string | (() => string)): void {
  const current = typeof token === 'string' ? () => token : token;
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.public === true) return;
    if (checkBearer(request.headers.authorization, current())) return;
    // RFC 6750 section 3: a 401 names the scheme; no hint whether the token was missing or wrong.
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="vigil"')
      .send({ statusCode: 401, code: 'VIGIL_ERR_UNAUTHORIZED', error: 'Unauthorized', message: 'missing or invalid bearer token' });
  });
}
