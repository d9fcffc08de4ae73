// Builds Alert records with deterministic ids, so a replay of the same input yields the same alerts
// byte for byte (DESIGN.md "replay equals live"); the id is a hash of what makes the alert unique.

import { createHash } from 'node:crypto';
import type { Alert, Indicator } from '../model/alert.js';
import type { Severity } from '../model/anomaly.js';

export interface AlertFields {
  readonly ts: number;
  readonly detector: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  readonly cves?: readonly string[];
  readonly src?: string;
  readonly dport?: number;
  readonly session?: string;
  readonly evidence?: Record<string, unknown>;
  readonly indicators?: readonly Indicator[];
  /** Defaults to `detector:rule:src:dport`. */
  readonly dedupKey?: string;
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** The one shared empty result of a detector step: frozen, so no caller can push into it. */
export const NO_ALERTS: Alert[] = Object.freeze([]) as unknown as Alert[];

export function makeAlert(f: AlertFields): Alert {
  const dedupKey = f.dedupKey ?? `${f.detector}:${f.rule}:${f.src ?? '-'}:${f.dport ?? '-'}`;
  const id = createHash('sha256')
    .update(`${f.ts}\0${dedupKey}\0${f.session ?? ''}\0${f.title}`)
    .digest('hex')
    .slice(0, 24);
  const a: Alert = {
    id,
    ts: f.ts,
    detector: f.detector,
    rule: f.rule,
    severity: f.severity,
    title: f.title,
    cves: f.cves ?? [],
    ...(f.src !== undefined ? { src: f.src } : {}),
    ...(f.dport !== undefined ? { dport: f.dport } : {}),
    ...(f.session !== undefined ? { session: f.session } : {}),
    evidence: f.evidence ?? {},
    indicators: f.indicators ?? [],
    dedupKey,
  };
  return a;
}
