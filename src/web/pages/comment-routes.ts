// "Have your say": post, edit and delete comments in the thread of an alert, vulnerability,
// advisory or finding. Authors edit and delete their own; an admin may delete any (moderation). Bodies are
// bounded (COMMENT_LIMITS) and shown as text only.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { CommentSubject } from '../../model/comment.js';
import { COMMENT_LIMITS } from '../../store/comments.js';
import { mayWrite } from '../web-sessions.js';
import type { WebContext } from '../web-context.js';

const THREAD_SUBJECTS = ['alert', 'vuln', 'advisory', 'finding'] as const;
const subjectIdPattern = '^[A-Za-z0-9#._+:-]+$';

interface PostBody { subject: CommentSubject; subjectId: string; body: string; _csrf?: string }

/** Where a thread's page is, which is also where a plain form post returns to. */
export function threadPage(subject: CommentSubject, id: string): string {
  const seg = encodeURIComponent(id);
  return subject === 'alert' ? `/alerts/${seg}` : subject === 'vuln' ? `/vulns/${seg}` : subject === 'advisory' ? `/advisories/${seg}` : `/exposure/findings/${seg}`;
}

async function subjectExists(ctx: WebContext, subject: CommentSubject, id: string): Promise<boolean> {
  if (subject === 'alert') return (await ctx.deps.alerts.getAlert(id)) !== undefined;
  if (subject === 'vuln') return (await ctx.deps.kb?.getVulnerability(id)) !== undefined;
  if (subject === 'advisory') return (await ctx.deps.kb?.getAdvisory(id)) !== undefined;
  if (subject === 'finding') return (await ctx.deps.exposure?.store.getFinding(id)) !== undefined;
  return false;
}

export function commentRoutes(app: FastifyInstance, ctx: WebContext): void {
  const thread = async (request: FastifyRequest, reply: FastifyReply, subject: CommentSubject, subjectId: string): Promise<FastifyReply> => {
    if (request.headers['hx-request'] !== 'true') return reply.redirect(`${threadPage(subject, subjectId)}#thread`, 303);
    const comments = await ctx.deps.comments.listComments(subject, subjectId);
    return ctx.pages.send(request, reply, 'thread', 'alerts', 'Discussion', {
      thread: comments, subject, subjectId, canWrite: request.webUser !== undefined && mayWrite(request.webUser), fragment: 'thread',
    });
  };

  app.post<{ Body: PostBody }>('/comments', {
    schema: {
      body: {
        type: 'object', required: ['subject', 'subjectId', 'body'], additionalProperties: false,
        properties: {
          subject: { type: 'string', enum: THREAD_SUBJECTS }, subjectId: { type: 'string', minLength: 1, maxLength: COMMENT_LIMITS.maxSubjectIdChars, pattern: subjectIdPattern },
          body: { type: 'string', minLength: 1, maxLength: COMMENT_LIMITS.maxBodyChars }, _csrf: { type: 'string', maxLength: 100 },
        },
      },
    },
  }, async (request, reply) => {
    const user = request.webUser;
    if (!user || !mayWrite(user)) return reply.code(403).type('text/plain').send('your role may not comment');
    const { subject, subjectId } = request.body;
    const body = request.body.body.trim();
    if (body === '') throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'body: the comment is empty');
    if (!(await subjectExists(ctx, subject, subjectId))) throw new AppError('VIGIL_ERR_NOT_FOUND', `no ${subject} ${subjectId}`);
    const c = await ctx.deps.comments.addComment({ subject, subjectId, author: user.name, body, ts: ctx.deps.clock.now() });
    ctx.deps.onComment?.(c);
    return thread(request, reply, subject, subjectId);
  });

  const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f]{12,40}$' } } } as const;

  app.post<{ Params: { id: string }; Body: { body: string; _csrf?: string } }>('/comments/:id/edit', {
    schema: {
      params: idParams,
      body: { type: 'object', required: ['body'], additionalProperties: false, properties: { body: { type: 'string', minLength: 1, maxLength: COMMENT_LIMITS.maxBodyChars }, _csrf: { type: 'string', maxLength: 100 } } },
    },
  }, async (request, reply) => {
    const c = await ctx.deps.comments.getComment(request.params.id);
    if (!c) throw new AppError('VIGIL_ERR_NOT_FOUND', `no comment ${request.params.id}`);
    if (request.webUser?.name !== c.author || !mayWrite(request.webUser)) return reply.code(403).type('text/plain').send('only the author edits a comment');
    const body = request.body.body.trim();
    if (body === '') throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'body: the comment is empty');
    await ctx.deps.comments.editComment(c.id, body, ctx.deps.clock.now());
    return thread(request, reply, c.subject, c.subjectId);
  });

  app.post<{ Params: { id: string } }>('/comments/:id/delete', { schema: { params: idParams } }, async (request, reply) => {
    const c = await ctx.deps.comments.getComment(request.params.id);
    if (!c) throw new AppError('VIGIL_ERR_NOT_FOUND', `no comment ${request.params.id}`);
    const user = request.webUser;
    const own = user?.name === c.author && mayWrite(user);
    if (!own && user?.role !== 'admin') return reply.code(403).type('text/plain').send('only the author or an admin deletes a comment');
    await ctx.deps.comments.deleteComment(c.id);
    return thread(request, reply, c.subject, c.subjectId);
  });
}
