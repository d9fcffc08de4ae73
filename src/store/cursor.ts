// Opaque keyset-pagination cursors: base64url of a small JSON tuple (sort key, tie-breaker), so a
// page boundary stays stable while rows are inserted and clients cannot forge SQL through them.

import { AppError } from '../core/errors.js';

export function encodeCursor(ts: number, id: string | number): string {
  return Buffer.from(JSON.stringify([ts, id])).toString('base64url');
}

export function decodeCursor<T extends string | number>(cursor: string, idType: 'string' | 'number'): { ts: number; id: T } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || !Number.isFinite(v[0]) || typeof v[1] !== idType) {
    throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'cursor: not a cursor this store issued');
  }
  return { ts: v[0], id: v[1] as T };
}

/** Clamp a requested page size into [1, max], defaulting when absent. */
export function pageSize(limit: number | undefined, dflt: number, max: number): number {
  if (limit === undefined) return dflt;
  if (!Number.isInteger(limit) || limit < 1) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `limit: expected an integer from 1 to ${max}, got ${limit}`);
  return Math.min(limit, max);
}
