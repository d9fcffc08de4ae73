// Exposure: assets and findings with owners and due dates. The exposure module (src/exposure) is being
// built on its own branch; this page is its place in the navigation until then.

import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../web-context.js';

export function exposureRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get('/exposure', async (request, reply) => ctx.pages.send(request, reply, 'exposure', 'exposure', 'Exposure', {}));
}
