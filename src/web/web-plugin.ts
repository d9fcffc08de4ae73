// The dashboard as one Fastify plugin mounted at / beside the API: login, pages, assets (served by
// the node itself: closed networks have no CDN). Every route authenticates in this plugin's own hook
// (session cookie or the API's bearer token); every POST from a cookie session carries its CSRF token.

import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import { PageRenderer, webDir } from './web-render.js';
import { WebSessions, sameSecret, type WebSessionLimits } from './web-sessions.js';
import type { WebDeps } from './web-deps.js';
import type { WebContext } from './web-context.js';
import { loginRoutes, SESSION_COOKIE } from './pages/login-pages.js';
import { overviewRoutes } from './pages/overview-page.js';
import { alertRoutes } from './pages/alert-pages.js';
import { sessionRoutes } from './pages/session-pages.js';
import { vulnRoutes } from './pages/vuln-pages.js';
import { advisoryRoutes } from './pages/advisory-pages.js';
import { exposureRoutes } from './pages/exposure-page.js';
import { whatIfRoutes } from './pages/what-if-page.js';
import { commentRoutes } from './pages/comment-routes.js';

/** Scripts and styles only from the node itself, nothing inline; htmx talks only to the node. */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface DashboardOptions {
  readonly limits?: WebSessionLimits;
}

const PUBLIC_PREFIXES = ['/assets/', '/login'];

/** The plugin with its mount point, the shape ServerDeps.routes takes. */
export function dashboardPlugin(deps: WebDeps, opts: DashboardOptions = {}): { prefix: string; plugin: FastifyPluginAsync } {
  return { prefix: '', plugin: dashboard(deps, opts) };
}

function dashboard(deps: WebDeps, opts: DashboardOptions): FastifyPluginAsync {
  const ctx: WebContext = { deps, pages: new PageRenderer(), sessions: new WebSessions(() => deps.clock.now(), opts.limits) };
  return async (app) => {
    // Routes of this plugin skip the API's bearer hook (ownAuth) and stay out of the OpenAPI document.
    app.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), ownAuth: true };
      route.schema = { ...(route.schema ?? {}), hide: true };
    });
    await app.register(cookie);
    // Form posts: small bodies only (a comment is at most 4000 characters).
    await app.register(formbody, { bodyLimit: 32 * 1024 });
    await app.register(fastifyStatic, { root: webDir('assets'), prefix: '/assets/', index: false, maxAge: 3_600_000 });
    const htmxDir = dirname(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));
    await app.register(fastifyStatic, { root: htmxDir, prefix: '/assets/htmx/', decorateReply: false, index: false, maxAge: 3_600_000, allowedPath: (p) => p === '/htmx.min.js' });

    app.addHook('onRequest', async (request, reply) => authenticate(ctx, request, reply));
    app.addHook('preHandler', async (request, reply) => checkCsrf(request, reply));
    // After the app's own headers hook (registered first), so this page policy wins on these routes.
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
      return payload;
    });
    app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
      const status = error.validation ? 400 : error.code === 'VIGIL_ERR_NOT_FOUND' ? 404 : error.code === 'VIGIL_ERR_BAD_ARGUMENT' ? 400 : (error.statusCode ?? 500);
      if (status >= 500) request.log.error({ err: error }, 'dashboard error');
      reply.code(status);
      return ctx.pages.send(request, reply, 'error', 'error', `Error ${status}`, { status, message: status >= 500 ? 'internal error (see the node log)' : error.message });
    });
    for (const register of [loginRoutes, overviewRoutes, alertRoutes, sessionRoutes, vulnRoutes, advisoryRoutes, exposureRoutes, whatIfRoutes, commentRoutes]) {
      register(app, ctx);
    }
  };
}

/** Bearer token (scripts, tests) or a live cookie session; otherwise GETs go to the login page. */
async function authenticate(ctx: WebContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const path = request.url.split('?')[0];
  if (PUBLIC_PREFIXES.some((p) => path.startsWith(p))) return undefined;
  const bearer = /^Bearer[ ]+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (bearer) {
    if (!sameSecret(bearer[1], ctx.deps.token())) return reply.code(401).header('www-authenticate', 'Bearer realm="vigil"').type('text/plain').send('invalid bearer token');
    request.webUser = { name: 'api', role: 'admin' };
    return undefined;
  }
  const session = ctx.sessions.get(request.cookies[SESSION_COOKIE]);
  if (session) {
    request.webSession = session;
    request.webUser = session.user;
    return undefined;
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    return reply.redirect(`/login?next=${encodeURIComponent(request.url.slice(0, 500))}`, 303);
  }
  return reply.code(401).type('text/plain').send('sign in first');
}

/**
 * Synchronizer-token check on every state-changing request from a cookie session (a bearer header is
 * never sent by a browser on its own, so it needs none). Fetch metadata refuses cross-site posts early.
 */
async function checkCsrf(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  if (request.headers['sec-fetch-site'] === 'cross-site') return reply.code(403).type('text/plain').send('cross-site request refused');
  const session = request.webSession;
  if (!session) return undefined; // bearer, or the login form (which has no session yet)
  const body = request.body as Record<string, unknown> | undefined;
  const sent = typeof body?._csrf === 'string' ? body._csrf : request.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !sameSecret(sent, session.csrf)) {
    return reply.code(403).type('text/plain').send('missing or invalid CSRF token; reload the page and try again');
  }
  return undefined;
}

