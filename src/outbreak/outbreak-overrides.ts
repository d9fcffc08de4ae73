// Changes to a preset from the command line or an API call (population, strategy, rates,
// countermeasures), validated here so that every front end rejects the same bad values the same way.

import { AppError } from '../core/errors.js';
import { CODE_RED_II_MIX } from './outbreak-config.js';
import type { OutbreakConfig, ScanStrategy, StrategyKind } from './outbreak-config.js';
import type { LayoutSpec } from './address-layout.js';

export interface OutbreakOverrides {
  readonly population?: number;
  /** Exposed addresses (e.g. from Vigil's exposure data); wins over population. */
  readonly exposed?: Uint32Array;
  readonly strategy?: StrategyKind;
  readonly hitList?: number;
  readonly layout?: 'uniform' | 'clustered';
  readonly scanRate?: number;
  readonly initialInfected?: number;
  readonly bandwidthCap?: number;
  readonly horizon?: number;
  readonly dt?: number;
  readonly patchRate?: number;
  readonly patchStart?: number;
  readonly removalRate?: number;
  readonly removalStart?: number;
  readonly filterFraction?: number;
  readonly filterReaction?: number;
  readonly method?: 'auto' | 'exact' | 'aggregated';
}

const STRATEGIES: readonly StrategyKind[] = ['uniform', 'local-preference', 'sequential', 'hit-list', 'permutation'];

/** `details.field` names the override, so a front end can say which of its own flags or keys was wrong. */
function bad(why: string, field?: keyof OutbreakOverrides): never {
  throw new AppError('VIGIL_ERR_BAD_ARGUMENT', field === undefined ? why : `${field} ${why}`, field === undefined ? undefined : { field, why });
}

function positive(name: keyof OutbreakOverrides, v: number | undefined, allowZero = false): void {
  if (v !== undefined && (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0))) bad(`must be a ${allowZero ? 'non-negative' : 'positive'} number`, name);
}

function strategyOf(kind: StrategyKind, current: ScanStrategy, hitList: number | undefined): ScanStrategy {
  if (kind === current.kind && kind !== 'hit-list') return current;
  switch (kind) {
    case 'uniform': return { kind };
    case 'permutation': return { kind };
    case 'local-preference': return { kind, mix: CODE_RED_II_MIX };
    case 'sequential': return { kind, localFraction: 0.4, localBackoff: 20 };
    case 'hit-list': return { kind, hitList: hitList ?? (current.kind === 'hit-list' ? current.hitList : 100) };
  }
}

export function applyOverrides(base: OutbreakConfig, o: OutbreakOverrides): OutbreakConfig {
  for (const k of ['population', 'scanRate', 'horizon', 'dt', 'initialInfected', 'bandwidthCap', 'hitList'] as const) positive(k, o[k]);
  for (const k of ['patchRate', 'patchStart', 'removalRate', 'removalStart', 'filterReaction'] as const) positive(k, o[k], true);
  if (o.filterFraction !== undefined && !(o.filterFraction >= 0 && o.filterFraction <= 1)) bad('must be in [0, 1]', 'filterFraction');
  if (o.strategy !== undefined && !STRATEGIES.includes(o.strategy)) bad(`is unknown: "${o.strategy}" (known: ${STRATEGIES.join(', ')})`, 'strategy');
  if (o.population !== undefined && !Number.isInteger(o.population)) bad('must be an integer', 'population');
  const layout: LayoutSpec | undefined = o.layout === undefined ? undefined
    : o.layout === 'uniform' ? { kind: 'uniform' }
    : o.layout === 'clustered' ? { kind: 'clustered', slash16Blocks: 20_000, slash24PerSlash16: 64, zipf: 0.6 }
    : bad(`is unknown: "${String(o.layout)}" (known: uniform, clustered)`, 'layout');
  if (o.method !== undefined && !['auto', 'exact', 'aggregated'].includes(o.method)) bad(`is unknown: "${String(o.method)}" (known: auto, exact, aggregated)`, 'method');
  const kind = o.strategy ?? (o.hitList !== undefined ? 'hit-list' : base.strategy.kind);
  return {
    ...base,
    vulnerable: o.exposed ?? o.population ?? base.vulnerable,
    layout: layout ?? base.layout,
    strategy: strategyOf(kind, base.strategy, o.hitList),
    scanRate: o.scanRate ?? base.scanRate,
    initialInfected: o.initialInfected ?? base.initialInfected,
    bandwidthCap: o.bandwidthCap ?? base.bandwidthCap,
    horizon: o.horizon ?? base.horizon,
    dt: o.dt ?? base.dt,
    method: o.method ?? base.method,
    patching: o.patchRate !== undefined ? { rate: o.patchRate, start: o.patchStart ?? base.patching?.start ?? 0 } : base.patching,
    removal: o.removalRate !== undefined ? { rate: o.removalRate, start: o.removalStart ?? base.removal?.start ?? 0 } : base.removal,
    filtering: o.filterFraction !== undefined
      ? { fraction: o.filterFraction, reactionTime: o.filterReaction ?? base.filtering?.reactionTime ?? 0 }
      : base.filtering,
  };
}
