// Lines of a text file read in chunks, each bounded by maxLineBytes, with its 1-based number so
// that a refusal names file:line. Written here because exposure may not import ingest's line source.

import { AppError } from '../../core/errors.js';

export async function* textLines(chunks: AsyncIterable<string> | Iterable<string>, file: string, maxLine: number): AsyncGenerator<{ line: string; no: number }> {
  let rest = '';
  let no = 0;
  for await (const chunk of chunks) {
    rest += chunk;
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      no++;
      if (i > maxLine) throw new AppError('VIGIL_ERR_LIMIT', `${file}:${no}: line longer than maxLineBytes (${maxLine})`);
      yield { line: rest.slice(0, i).replace(/\r$/, ''), no };
      rest = rest.slice(i + 1);
    }
    if (rest.length > maxLine) throw new AppError('VIGIL_ERR_LIMIT', `${file}:${no + 1}: line longer than maxLineBytes (${maxLine})`);
  }
  if (rest !== '') yield { line: rest.replace(/\r$/, ''), no: no + 1 };
}

/** JSON.parse with the error placed at file:line (and the column where the engine says). */
export function parseJsonAt(text: string, file: string, lineNo: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AppError('VIGIL_ERR_BAD_FILE', `${file}:${lineNo}: not valid JSON: ${(e as Error).message}`);
  }
}

/** Line and column of a character offset in a text (for errors in a whole-file JSON document). */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; last = i; }
  return { line, column: offset - last };
}
