// A comment in a discussion thread on an alert, vulnerability, advisory or finding ("have your say"):
// the warning is a conversation, not only a broadcast.

/** What a thread hangs on; `finding` is used once exposure (src/exposure) lands. */
export type CommentSubject = 'alert' | 'vuln' | 'advisory' | 'finding';

export const COMMENT_SUBJECTS: readonly CommentSubject[] = ['alert', 'vuln', 'advisory', 'finding'];

export interface Comment {
  readonly id: string;
  readonly subject: CommentSubject;
  /** Alert id, CVE id, advisory tracking id or finding id. */
  readonly subjectId: string;
  readonly author: string;
  readonly body: string;
  /** ms since epoch. */
  readonly ts: number;
  /** ms since epoch of the last edit, when edited. */
  readonly editedAt?: number;
}
