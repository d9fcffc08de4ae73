// The persistence of discussion threads (comments on alerts, vulnerabilities, advisories, findings),
// as an interface the dashboard and the API read through; SQLite implements it in sqlite/comment-sqlite-store.ts.

import type { Comment, CommentSubject } from '../model/comment.js';

/** Bounds on what a user may write: a thread is read by people, and a store must not grow by one post's whim. */
export const COMMENT_LIMITS = {
  /** Characters of one comment's body. */
  maxBodyChars: 4000,
  /** Characters of an author name. */
  maxAuthorChars: 100,
  /** Characters of a subject id (CVE ids, alert ids, advisory tracking ids are far shorter). */
  maxSubjectIdChars: 100,
  /** Comments one thread shows (oldest first); older threads than this are cut at the start. */
  maxPerThread: 500,
} as const;

export interface NewComment {
  readonly subject: CommentSubject;
  readonly subjectId: string;
  readonly author: string;
  readonly body: string;
  readonly ts: number;
}

export interface CommentRepository {
  /** Resolves after commit with the stored comment (its id assigned). */
  addComment(c: NewComment): Promise<Comment>;
  /** One thread, oldest first, at most COMMENT_LIMITS.maxPerThread (the newest of them). */
  listComments(subject: CommentSubject, subjectId: string): Promise<Comment[]>;
  getComment(id: string): Promise<Comment | undefined>;
  /** false when no such comment. */
  editComment(id: string, body: string, at: number): Promise<boolean>;
  /** false when no such comment. */
  deleteComment(id: string): Promise<boolean>;
  /** Comment counts per subject id, for lists (one query for a page of alerts). */
  countComments(subject: CommentSubject, subjectIds: readonly string[]): Promise<Map<string, number>>;
}
