// Time arguments shared by the API and the CLI: RFC 3339 date-times, epoch milliseconds, or a
// duration before now ("15m", "24h", "7d"), so `--since 1h` and `?since=2003-08-11T00:00:00Z` both work.

import { AppError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RFC3339 = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Parse a time argument into ms since epoch; throws AppError VIGIL_ERR_BAD_ARGUMENT naming `what`. */
export function parseTimeArg(text: string, what: string, now: number = Date.now()): number {
  const s = text.trim();
  const rel = /^(\d+)([smhdw])$/.exec(s);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]];
  if (/^\d{10,16}$/.test(s)) return Number(s);
  if (RFC3339.test(s)) {
    const ms = Date.parse(s);
    if (Number.isFinite(ms)) return ms;
  }
  throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${what}: expected an RFC 3339 date-time (2003-08-11T16:00:00Z), epoch milliseconds, or a duration before now such as 15m, 24h, 7d; got ${JSON.stringify(text)}`);
}
