// Advisories: our CSAF advisories listed, and one shown as HTML (the knowledge base's renderer, which
// escapes every field) with its discussion thread and links to the CSAF JSON.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { CsafDocument } from '../../kb/csaf/csaf-writer.js';
import { renderAdvisoryHtml } from '../../kb/csaf/csaf-render.js';
import { mayWrite } from '../web-sessions.js';
import type { WebContext } from '../web-context.js';

/** The body of the kb's standalone advisory page, to sit inside ours. */
export function advisoryBody(doc: CsafDocument): string {
  const html = renderAdvisoryHtml(doc);
  const m = /<body>([\s\S]*)<\/body>/.exec(html);
  return m ? m[1] : '';
}

export function advisoryRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get('/advisories', async (request, reply) => {
    const items = (await ctx.deps.kb?.listAdvisories()) ?? [];
    return ctx.pages.send(request, reply, 'advisories', 'advisories', 'Advisories', { items, hasKb: ctx.deps.kb !== undefined });
  });

  app.get<{ Params: { id: string } }>('/advisories/:id', {
    schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._+-]+$' } } } },
  }, async (request, reply) => {
    const a = await ctx.deps.kb?.getAdvisory(request.params.id);
    if (!a) throw new AppError('VIGIL_ERR_NOT_FOUND', `no advisory ${request.params.id}`);
    const thread = await ctx.deps.comments.listComments('advisory', a.trackingId);
    return ctx.pages.send(request, reply, 'advisory', 'advisories', a.title.slice(0, 120), {
      a, body: advisoryBody(a.document as CsafDocument), thread, canWrite: request.webUser !== undefined && mayWrite(request.webUser),
      subject: 'advisory', subjectId: a.trackingId,
    });
  });
}
