// Configuration of one simulated outbreak: population, scanning strategy, rates, countermeasures.
// Units: seconds and scans per second throughout; the presets file cites where each value comes from.

import type { LayoutSpec } from './address-layout.js';

/** One component of a "scan uniformly inside my own /prefix" mixture (prefix 0 = whole space). */
export interface PrefixWeight {
  readonly prefix: number;
  readonly weight: number;
}

export type ScanStrategy =
  | { readonly kind: 'uniform' }
  /** Code Red II: a mixture of uniform scanning inside the host's own /0, /8 and /16. */
  | { readonly kind: 'local-preference'; readonly mix: readonly PrefixWeight[] }
  /** Blaster: sweep upward from A.B.C.0, a local start with probability localFraction. */
  | { readonly kind: 'sequential'; readonly localFraction: number; readonly localBackoff: number }
  /** A seed list of hitList hosts is infected first (Witty), then uniform scanning. */
  | { readonly kind: 'hit-list'; readonly hitList: number }
  /** Permutation scanning (Staniford, Paxson, Weaver 2002): a shared pseudo-random order. */
  | { readonly kind: 'permutation' };

export type StrategyKind = ScanStrategy['kind'];

export const CODE_RED_II_MIX: readonly PrefixWeight[] = [
  { prefix: 0, weight: 1 / 8 },
  { prefix: 8, weight: 1 / 2 },
  { prefix: 16, weight: 3 / 8 },
];

export interface OutbreakConfig {
  readonly name: string;
  /** Number of vulnerable hosts, or their addresses (e.g. Vigil's own exposure data). */
  readonly vulnerable: number | Uint32Array;
  readonly layout: LayoutSpec;
  readonly strategy: ScanStrategy;
  /** Scans per second per infected host. */
  readonly scanRate: number;
  readonly port: number;
  readonly proto: 'tcp' | 'udp';
  readonly initialInfected: number;
  /** Aggregate cap on scans per second of all infected hosts together (bandwidth saturation). */
  readonly bandwidthCap?: number;
  /** Per-host hazard (per second) of being patched, from `start` on; hits susceptible and infected alike. */
  readonly patching?: { readonly rate: number; readonly start: number };
  /** Per-host hazard (per second) that an infected host is cleaned or disconnected, from `start` on. */
  readonly removal?: { readonly rate: number; readonly start: number };
  /** Perimeter filtering: this fraction of infection attempts is blocked from reactionTime on. */
  readonly filtering?: { readonly fraction: number; readonly reactionTime: number };
  /**
   * Random and local-preference scanners: 'exact' simulates every scan, 'aggregated' uses per-block
   * binomial draws, 'auto' (default) is exact when N x scan rate x horizon is within EXACT_SCAN_BUDGET.
   */
  readonly method?: 'auto' | 'exact' | 'aggregated';
  /** Simulated duration and time step, seconds. */
  readonly horizon: number;
  readonly dt: number;
}

/** Most scans an 'auto' run simulates one by one (about ten seconds of work). */
export const EXACT_SCAN_BUDGET = 5e7;

/** Size of the vulnerable population of a config. */
export function populationSize(c: OutbreakConfig): number {
  return typeof c.vulnerable === 'number' ? c.vulnerable : c.vulnerable.length;
}
