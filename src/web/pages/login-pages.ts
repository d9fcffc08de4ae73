// Sign in with the node's API token and a display name (the name goes on acknowledgements and
// comments), sign out. Failed attempts are limited per client address.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebContext } from '../web-context.js';
import { sameSecret } from '../web-sessions.js';

export const SESSION_COOKIE = 'vigil_session';

const loginBody = {
  type: 'object', required: ['token', 'name'], additionalProperties: false,
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 200 },
    // A name people read in threads: letters, digits, space and a few separators; no controls.
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[\\p{L}\\p{N} ._@-]+$' },
    next: { type: 'string', maxLength: 500 },
  },
} as const;

/** Only a local path is a place to go back to (`//host` and `/\host` would leave the node). */
export function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?![/\\])/.test(next) ? next : '/';
}

export function loginRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get<{ Querystring: { next?: string } }>('/login', {
    schema: { querystring: { type: 'object', properties: { next: { type: 'string', maxLength: 500 } } } },
  }, async (request, reply) => ctx.pages.send(request, reply, 'login', 'login', 'Sign in', { next: safeNext(request.query.next), error: '' }));

  app.post<{ Body: { token: string; name: string; next?: string } }>('/login', {
    schema: { body: loginBody },
    attachValidation: true,
  }, async (request, reply) => {
    const again = (code: number, error: string): FastifyReply => {
      reply.code(code);
      return ctx.pages.send(request, reply, 'login', 'login', 'Sign in', { next: safeNext(request.body?.next), error });
    };
    if (!ctx.sessions.mayTryLogin(request.ip)) return again(429, 'Too many failed attempts; wait a minute and try again.');
    if (request.validationError) return again(400, 'Enter the API token and a name (letters, digits, space, . _ @ -).');
    if (!sameSecret(request.body.token.trim(), ctx.deps.token())) {
      ctx.sessions.recordFailedLogin(request.ip);
      return again(401, 'That token is not this node\'s API token.');
    }
    const s = ctx.sessions.create({ name: request.body.name.trim(), role: 'admin' });
    setSessionCookie(request, reply, s.id);
    return reply.redirect(safeNext(request.body.next), 303);
  });

  app.post('/logout', async (request, reply) => {
    ctx.sessions.destroy(request.webSession?.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });
}

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string): void {
  // Secure when the browser reached us over TLS (directly or through a proxy that says so).
  const tls = request.protocol === 'https';
  reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'strict', secure: tls });
}
