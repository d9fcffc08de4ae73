// SQLite persistence of discussion threads (the CommentRepository of ../comments.ts) on any Kysely over
// SQLite, e.g. SqliteStore.kysely; schema in migrations/comments.ts (0500_).

import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Comment, CommentSubject } from '../../model/comment.js';
import { COMMENT_LIMITS, type CommentRepository, type NewComment } from '../comments.js';

interface CommentTables {
  comments: { id: string; subject: string; subject_id: string; author: string; body: string; ts: number; edited_at: number | null };
}

type Row = CommentTables['comments'];

export class CommentSqliteStore implements CommentRepository {
  private readonly db: Kysely<CommentTables>;

  // Any Kysely over the node's database (its table typing is invariant, as in AlertSqliteStore).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<CommentTables>;
  }

  async addComment(c: NewComment): Promise<Comment> {
    // Time-ordered ids (ms in hex, then randomness) so that ties in ts still list in insertion order.
    const id = `${Math.floor(c.ts).toString(16).padStart(12, '0')}${randomBytes(6).toString('hex')}`;
    const row: Row = { id, subject: c.subject, subject_id: c.subjectId, author: c.author, body: c.body, ts: c.ts, edited_at: null };
    await this.db.insertInto('comments').values(row).execute();
    return toComment(row);
  }

  async listComments(subject: CommentSubject, subjectId: string): Promise<Comment[]> {
    const rows = await this.db.selectFrom('comments').selectAll()
      .where('subject', '=', subject).where('subject_id', '=', subjectId)
      .orderBy('ts', 'desc').orderBy('id', 'desc').limit(COMMENT_LIMITS.maxPerThread).execute();
    return rows.reverse().map(toComment);
  }

  async getComment(id: string): Promise<Comment | undefined> {
    const row = await this.db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toComment(row) : undefined;
  }

  async editComment(id: string, body: string, at: number): Promise<boolean> {
    const r = await this.db.updateTable('comments').set({ body, edited_at: at }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteComment(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('comments').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async countComments(subject: CommentSubject, subjectIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (subjectIds.length === 0) return out;
    const rows = await this.db.selectFrom('comments')
      .select(['subject_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('subject', '=', subject).where('subject_id', 'in', [...subjectIds])
      .groupBy('subject_id').execute();
    for (const r of rows) out.set(r.subject_id, Number(r.n));
    return out;
  }
}

function toComment(r: Row): Comment {
  return {
    id: r.id, subject: r.subject as CommentSubject, subjectId: r.subject_id, author: r.author, body: r.body, ts: r.ts,
    ...(r.edited_at !== null ? { editedAt: r.edited_at } : {}),
  };
}
