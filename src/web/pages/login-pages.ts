// Sign in as a dashboard user (name and password, role from `vigil users`), or with the node's API token
// under a name of one's choosing (an admin: the token's holder may do anything); sign out. Failed
// attempts are limited per client address.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebContext } from '../web-context.js';
import { sameSecret } from '../web-sessions.js';

export const SESSION_COOKIE = 'vigil_session';

const loginBody = {
  type: 'object', required: ['password', 'name'], additionalProperties: false,
  properties: {
    password: { type: 'string', minLength: 1, maxLength: 200 },
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

  app.post<{ Body: { password: string; name: string; next?: string } }>('/login', {
    schema: { body: loginBody },
    attachValidation: true,
  }, async (request, reply) => {
    const again = (code: number, error: string): FastifyReply => {
      reply.code(code);
      return ctx.pages.send(request, reply, 'login', 'login', 'Sign in', { next: safeNext(request.body?.next), error });
    };
    if (!ctx.sessions.mayTryLogin(request.ip)) return again(429, 'Too many failed attempts; wait a minute and try again.');
    if (request.validationError) return again(400, 'Enter your user name (letters, digits, space, . _ @ -) and password.');
    const name = request.body.name.trim();
    const password = request.body.password;
    const user = (await ctx.deps.verifyLogin?.(name, password))
      ?? (sameSecret(password.trim(), ctx.deps.token()) ? { name, role: 'admin' as const } : undefined);
    if (!user) {
      ctx.sessions.recordFailedLogin(request.ip);
      return again(401, 'Wrong user name or password.');
    }
    const s = ctx.sessions.create(user);
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
