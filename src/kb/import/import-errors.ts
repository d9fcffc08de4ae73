// Errors of the importers: which file, where in it (an RFC 6901 JSON pointer or a line number) and
// what was expected. One shape for every format so that the CLI can print them the same way.

import { AppError } from '../../core/errors.js';

export class ImportError extends AppError {
  readonly file: string;
  readonly pointer: string;
  readonly expected: string;
  constructor(file: string, pointer: string, expected: string, found?: unknown) {
    const got = found === undefined ? '' : `, found ${describe(found)}`;
    super('VIGIL_ERR_BAD_FILE', `${file}: at ${pointer || '/'}: expected ${expected}${got}`, { file, pointer, expected });
    this.name = 'ImportError';
    this.file = file;
    this.pointer = pointer;
    this.expected = expected;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** RFC 6901 escaping of one reference token. */
export function ptr(...tokens: (string | number)[]): string {
  let out = '';
  for (const t of tokens) {
    const s = String(t);
    // Pointers are built for every field checked, so skip the escaping work when there is none to do.
    out += '/' + (s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s);
  }
  return out;
}

/** Small checker bound to a file: `c.str(value, '/cveMetadata/cveId')` returns the value or throws. */
export class Checker {
  constructor(readonly file: string) {}
  fail(pointer: string, expected: string, found?: unknown): never {
    throw new ImportError(this.file, pointer, expected, found);
  }
  obj(v: unknown, pointer: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(pointer, 'an object', v);
    return v as Record<string, unknown>;
  }
  arr(v: unknown, pointer: string): unknown[] {
    if (!Array.isArray(v)) this.fail(pointer, 'an array', v);
    return v;
  }
  str(v: unknown, pointer: string, pattern?: RegExp, what?: string): string {
    if (typeof v !== 'string') this.fail(pointer, what ?? 'a string', v);
    if (pattern && !pattern.test(v)) this.fail(pointer, what ?? `a string matching ${pattern}`, v);
    return v;
  }
  optStr(v: unknown, pointer: string): string | undefined {
    return v === undefined || v === null ? undefined : this.str(v, pointer);
  }
  optArr(v: unknown, pointer: string): unknown[] {
    return v === undefined ? [] : this.arr(v, pointer);
  }
}

export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/** Dates without a zone ("2003-07-17T04:00:00", as in legacy CVE records) are UTC. */
export function normalizeDate(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  return /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? s + 'Z' : s;
}
