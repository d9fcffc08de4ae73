// What every page module of the dashboard gets: its dependencies, the page renderer and the login sessions.

import type { PageRenderer } from './web-render.js';
import type { WebSessions } from './web-sessions.js';
import type { WebDeps } from './web-deps.js';

export interface WebContext {
  readonly deps: WebDeps;
  readonly pages: PageRenderer;
  readonly sessions: WebSessions;
}
