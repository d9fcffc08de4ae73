// Named, documented, configurable limits. Every module declares its limits as a table of LimitSpec
// (name, default, unit, why, prior art) and resolves overrides through resolveLimits, so that the
// configuration, the docs and the tests all read one source.

import { AppError } from './errors.js';

export interface LimitSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
  /** Why this default: the prior art it comes from. */
  readonly doc: string;
}

export type LimitTable = Readonly<Record<string, LimitSpec>>;
export type ResolvedLimits<T extends LimitTable> = { readonly [K in keyof T]: number };

export function resolveLimits<T extends LimitTable>(
  table: T,
  overrides: Partial<Record<keyof T, number>> = {},
  where = 'limits',
): ResolvedLimits<T> {
  const out: Record<string, number> = {};
  for (const [name, spec] of Object.entries(table)) {
    const v = (overrides as Record<string, number | undefined>)[name];
    if (v === undefined) {
      out[name] = spec.default;
      continue;
    }
    if (!Number.isFinite(v) || !Number.isInteger(v) || v < spec.min || v > spec.max) {
      throw new AppError('VIGIL_ERR_CONFIG', `${where}.${name}: expected an integer from ${spec.min} to ${spec.max} (${spec.unit}), got ${String(v)}`);
    }
    out[name] = v;
  }
  for (const name of Object.keys(overrides)) {
    if (!(name in table)) throw new AppError('VIGIL_ERR_CONFIG', `${where}.${name}: unknown limit (known: ${Object.keys(table).join(', ')})`);
  }
  return out as ResolvedLimits<T>;
}
