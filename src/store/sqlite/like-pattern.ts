// LIKE conditions on user text for SQLite: `%`, `_` and the escape character match themselves (ESCAPE
// clause), so a lookup of "___" finds the literal "___" instead of every three-character token.

import { sql, type RawBuilder } from 'kysely';

const escapeLike = (s: string): string => s.replace(/[%_\\]/g, (c) => '\\' + c);

/** `column LIKE '%<text>%' ESCAPE '\'`, with every character of text taken literally. */
export function containsLiterally(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${`%${escapeLike(text)}%`} escape '\\'`;
}
