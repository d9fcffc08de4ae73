// /api/v1/comments: the discussion threads of alerts, vulnerabilities, advisories and findings for
// scripts (the dashboard writes the same threads): list one thread, post, edit, delete. Bodies bounded by COMMENT_LIMITS.

import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { rfc3339Micro } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Comment, CommentSubject } from '../../model/comment.js';
import { COMMENT_LIMITS, type CommentRepository } from '../../store/comments.js';
import { API_PREFIX, type RoutePlugin } from '../route-plugin.js';
import { authErrors } from '../schemas.js';

const str = { type: 'string' } as const;
const SUBJECTS = ['alert', 'vuln', 'advisory', 'finding'] as const;
const subjectId = { type: 'string', minLength: 1, maxLength: COMMENT_LIMITS.maxSubjectIdChars, pattern: '^[A-Za-z0-9#._+:-]+$' } as const;
const body = { type: 'string', minLength: 1, maxLength: COMMENT_LIMITS.maxBodyChars } as const;
const author = { type: 'string', minLength: 1, maxLength: COMMENT_LIMITS.maxAuthorChars, pattern: '^[\\p{L}\\p{N} ._@-]+$' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f]{12,40}$' } } } as const;

export const commentSchema = {
  $id: 'Comment',
  type: 'object',
  required: ['id', 'subject', 'subjectId', 'author', 'body', 'ts', 'time'],
  properties: { id: str, subject: { type: 'string', enum: ['alert', 'vuln', 'advisory', 'finding'] }, subjectId: str, author: str, body: str, ts: { type: 'number' }, time: str, editedAt: { type: 'number' } },
} as const;

export interface CommentRouteDeps {
  readonly comments: CommentRepository;
  readonly clock: Clock;
  /** Whether the thread's subject exists (a comment on nothing is refused with 404). */
  readonly subjectExists: (subject: CommentSubject, id: string) => Promise<boolean>;
  /** Told of each new comment (webhooks). */
  readonly onComment?: (c: Comment) => void;
}

const withTime = (c: Comment): Comment & { time: string } => ({ ...c, time: rfc3339Micro(c.ts) });

/** What receivers (webhooks) are told of a new comment: the comment as the API shows it, and where
 * its thread is when the node knows its public address. `id` is the comment's (receivers deduplicate on it). */
export interface CommentCreatedEvent {
  readonly event: 'comment.created';
  readonly id: string;
  readonly ts: number;
  readonly time: string;
  readonly comment: Comment & { time: string };
  readonly url?: string;
}

export function commentCreatedEvent(c: Comment, url?: string): CommentCreatedEvent {
  const comment = withTime(c);
  return { event: 'comment.created', id: c.id, ts: c.ts, time: comment.time, comment, ...(url !== undefined ? { url } : {}) };
}

export function commentRoutes(deps: CommentRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.addSchema(commentSchema);
    app.get<{ Querystring: { subject: CommentSubject; id: string } }>('/', {
      schema: {
        description: 'One discussion thread, oldest first', tags: ['comments'],
        querystring: { type: 'object', required: ['subject', 'id'], additionalProperties: false, properties: { subject: { type: 'string', enum: SUBJECTS }, id: subjectId } },
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: { $ref: 'Comment#' } } } }, 400: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (request) => ({ items: (await deps.comments.listComments(request.query.subject, request.query.id)).map(withTime) }));

    app.post<{ Body: { subject: CommentSubject; subjectId: string; author: string; body: string } }>('/', {
      schema: {
        description: 'Post a comment in a thread', tags: ['comments'],
        body: { type: 'object', required: ['subject', 'subjectId', 'author', 'body'], additionalProperties: false, properties: { subject: { type: 'string', enum: SUBJECTS }, subjectId, author, body } },
        response: { 201: { $ref: 'Comment#' }, 400: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (request, reply) => {
      const b = request.body;
      if (b.body.trim() === '') throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'body: the comment is empty');
      if (!(await deps.subjectExists(b.subject, b.subjectId))) throw new AppError('VIGIL_ERR_NOT_FOUND', `no ${b.subject} ${b.subjectId}`);
      const c = await deps.comments.addComment({ subject: b.subject, subjectId: b.subjectId, author: b.author.trim(), body: b.body.trim(), ts: deps.clock.now() });
      deps.onComment?.(c);
      return reply.code(201).send(withTime(c));
    });

    app.put<{ Params: { id: string }; Body: { body: string } }>('/:id', {
      schema: {
        description: 'Edit a comment', tags: ['comments'], params: idParams,
        body: { type: 'object', required: ['body'], additionalProperties: false, properties: { body } },
        response: { 200: { $ref: 'Comment#' }, 400: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, ...authErrors },
      },
    }, async (request) => {
      const text = request.body.body.trim();
      if (text === '') throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'body: the comment is empty');
      if (!(await deps.comments.editComment(request.params.id, text, deps.clock.now()))) throw new AppError('VIGIL_ERR_NOT_FOUND', `no comment ${request.params.id}`);
      return withTime((await deps.comments.getComment(request.params.id)) as Comment);
    });

    app.delete<{ Params: { id: string } }>('/:id', {
      schema: { description: 'Delete a comment (moderation)', tags: ['comments'], params: idParams, response: { 204: { type: 'null' }, 404: { $ref: 'Error#' }, ...authErrors } },
    }, async (request, reply) => {
      if (!(await deps.comments.deleteComment(request.params.id))) throw new AppError('VIGIL_ERR_NOT_FOUND', `no comment ${request.params.id}`);
      return reply.code(204).send();
    });
  };
}

export function commentRoutePlugin(deps: CommentRouteDeps): RoutePlugin {
  return { prefix: `${API_PREFIX}/comments`, plugin: commentRoutes(deps) };
}
