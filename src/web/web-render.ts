// Server-side rendering of the dashboard's pages with Eta 4 (autoEscape on: every `<%= %>` is HTML-
// escaped; `<%~ %>` is used only for markup this module built itself, such as SVG charts and included views).

import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { helpers } from './view-helpers.js';
import type { WebSession, WebUser } from './web-sessions.js';

/** Views and assets stay in the source tree (tsc copies no templates): from dist/src/web/ they are
 * ../../../src/web/{views,assets}, and from src/web/ (tsx) ./views; package.json ships both folders. */
export function webDir(sub: 'views' | 'assets'): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return /[/\\]dist[/\\]src[/\\]web[/\\]?$/.test(here)
    ? fileURLToPath(new URL(`../../../src/web/${sub}/`, import.meta.url))
    : fileURLToPath(new URL(`./${sub}/`, import.meta.url));
}

/** The navigation, in order; `exposure` shows the exposure module's page once it exists. */
export const NAV = [
  { key: 'overview', href: '/', label: 'Overview' },
  { key: 'alerts', href: '/alerts', label: 'Alerts' },
  { key: 'sessions', href: '/sessions', label: 'Sessions' },
  { key: 'vulns', href: '/vulns', label: 'Vulnerabilities' },
  { key: 'exposure', href: '/exposure', label: 'Exposure' },
  { key: 'advisories', href: '/advisories', label: 'Advisories' },
  { key: 'whatif', href: '/what-if', label: 'What if' },
] as const;

export type NavKey = (typeof NAV)[number]['key'] | 'login' | 'error';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user (set by the dashboard's auth hook), and the cookie session when there is one. */
    webUser?: WebUser;
    webSession?: WebSession;
  }
}

export class PageRenderer {
  private readonly eta = new Eta({ views: webDir('views'), cache: true, autoEscape: true, autoTrim: [false, 'nl'] });

  /** The full page (layout around the view), or only the view when htmx asks for a fragment. */
  send(request: FastifyRequest, reply: FastifyReply, view: string, nav: NavKey, title: string, data: Record<string, unknown>): FastifyReply {
    const it = { ...data, h: helpers, title, nav, navItems: NAV, user: request.webUser, csrf: request.webSession?.csrf ?? '' };
    const fragment = typeof data.fragment === 'string' && request.headers['hx-request'] === 'true' ? data.fragment : undefined;
    const html = this.eta.render(`./${fragment ?? view}`, it);
    return reply.type('text/html; charset=utf-8').send(html);
  }
}
