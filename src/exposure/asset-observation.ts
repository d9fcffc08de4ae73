// What one source says about one host: the common output of every importer (nmap, masscan, naabu,
// osquery, CSV) and of a scan, before it is merged into an asset (asset-merge.ts).

import { AppError } from '../core/errors.js';
import { canonicalAddress } from '../core/ip-address.js';
import type { FactKind } from '../model/asset.js';
import type { ImportLimits } from './exposure-limits.js';

export interface ObservedFact {
  readonly kind: FactKind;
  readonly value: string;
  readonly detail?: Readonly<Record<string, string | number>>;
}

export interface AssetObservation {
  /** nmap, masscan, naabu, osquery, csv, scan. */
  readonly source: string;
  /** File path or scan id. */
  readonly origin?: string;
  /** Epoch ms of the observation (the file's scan time where it says, else the import time). */
  readonly seen: number;
  readonly facts: readonly ObservedFact[];
  /**
   * Kinds this observation reports completely for its source: facts of these kinds that the same
   * source gave earlier and that are missing now are dropped (an osquery `patches` snapshot without
   * a hotfix means the hotfix is gone; an nmap port list without 445 means 445 is closed).
   */
  readonly complete?: readonly FactKind[];
}

/** Kinds with one current value per source: a newer value replaces the older one. */
export const SINGLE_VALUED: ReadonlySet<FactKind> = new Set<FactKind>(['os', 'owner']);

/** Normalised fact values, so that the same MAC or name from two sources is one value. */
export function normalizeFact(kind: FactKind, value: string): string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  switch (kind) {
    case 'address':
      return canonicalAddress(v);
    case 'mac': {
      const hex = v.toLowerCase().replace(/[^0-9a-f]/g, '');
      return hex.length === 12 ? hex.match(/../g)!.join(':') : undefined;
    }
    case 'name':
      return v.toLowerCase().replace(/\.$/, '');
    case 'hotfix':
      return /^(kb)?\d{4,9}$/i.test(v) ? `KB${v.replace(/^kb/i, '')}` : v.toUpperCase();
    default:
      return v;
  }
}

/**
 * Builds one host's observation while an importer reads, enforcing the per-host and per-value
 * limits; `where` (file:line) goes into every refusal so the user can find the bad spot.
 */
export class ObservationBuilder {
  private readonly facts = new Map<string, ObservedFact>();
  private readonly complete = new Set<FactKind>();

  constructor(private readonly limits: ImportLimits, readonly source: string) {}

  add(kind: FactKind, value: string | undefined, where: string, detail?: Record<string, string | number>): void {
    if (value === undefined) return;
    if (value.length > this.limits.maxValueLength) {
      throw new AppError('VIGIL_ERR_LIMIT', `${where}: ${kind} value of ${value.length} characters exceeds maxValueLength (${this.limits.maxValueLength})`);
    }
    const v = normalizeFact(kind, value);
    if (v === undefined) {
      if (kind === 'address' || kind === 'mac') throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: not a valid ${kind}: ${JSON.stringify(value.slice(0, 80))}`);
      return;
    }
    const key = `${kind}\u0000${v}`;
    if (!this.facts.has(key) && this.facts.size >= this.limits.maxFactsPerHost) {
      throw new AppError('VIGIL_ERR_LIMIT', `${where}: host has more than maxFactsPerHost (${this.limits.maxFactsPerHost}) facts`);
    }
    const clean = detail ? cleanDetail(detail, this.limits.maxValueLength) : undefined;
    this.facts.set(key, clean && Object.keys(clean).length > 0 ? { kind, value: v, detail: clean } : { kind, value: v });
  }

  /** Mark `kind` as reported completely by this observation (see AssetObservation.complete). */
  completeKind(kind: FactKind): void {
    this.complete.add(kind);
  }

  get size(): number {
    return this.facts.size;
  }

  /** An observation with no identity (no address, MAC or name) cannot be merged: undefined. */
  build(seen: number, origin?: string): AssetObservation | undefined {
    const facts = [...this.facts.values()];
    if (!facts.some((f) => f.kind === 'address' || f.kind === 'mac' || f.kind === 'name')) return undefined;
    return { source: this.source, seen, facts, ...(origin !== undefined ? { origin } : {}), ...(this.complete.size > 0 ? { complete: [...this.complete] } : {}) };
  }
}

function cleanDetail(d: Record<string, string | number>, max: number): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(d)) {
    if (v === undefined || v === '') continue;
    out[k] = typeof v === 'string' && v.length > max ? v.slice(0, max) : v;
  }
  return out;
}
