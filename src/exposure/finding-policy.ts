// Remediation policy: severity from CVSS, the due date (the KEV due date where CISA lists the CVE,
// else a configurable number of days per severity, counted from when the finding was opened), and a
// priority that combines CVSS, EPSS, KEV and what Vigil's own sensors saw of the asset.

import type { Finding, FindingPriority } from '../model/asset.js';

export type Severity = Finding['severity'];

/** Days to fix per severity. Defaults follow CISA BOD 19-02 (critical 15, high 30) and common
 * practice for the rest (medium 90, low 180); `unknown` is for CVEs without a score. */
export interface DuePolicy {
  readonly critical: number;
  readonly high: number;
  readonly medium: number;
  readonly low: number;
  readonly unknown: number;
}

export const DEFAULT_DUE_DAYS: DuePolicy = { critical: 15, high: 30, medium: 90, low: 180, unknown: 90 };

/** NVD's qualitative ratings (CVSS v3: 9.0 critical, 7.0 high, 4.0 medium; v2 has no "critical", and
 * a v2 10.0 is treated as critical here so that the worst old flaws keep their urgency). */
export function severityOf(cvss: number | undefined): Severity {
  if (cvss === undefined) return 'unknown';
  if (cvss >= 9) return 'critical';
  if (cvss >= 7) return 'high';
  if (cvss >= 4) return 'medium';
  return cvss > 0 ? 'low' : 'unknown';
}

const DAY_MS = 86_400_000;

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The KEV due date when listed, else openedAt + the policy's days for the severity. */
export function dueDateOf(severity: Severity, openedAt: number, policy: DuePolicy, kevDueDate?: string): string {
  if (kevDueDate !== undefined && /^\d{4}-\d{2}-\d{2}/.test(kevDueDate)) return kevDueDate.slice(0, 10);
  return isoDay(openedAt + policy[severity] * DAY_MS);
}

export interface PriorityInput {
  readonly cvss?: number;
  readonly epss?: number;
  readonly kev: boolean;
  /** The asset was the source of a sensor or log alert. */
  readonly compromised: boolean;
  /** ...and that alert named this very vulnerability (the asset attacks others through it: a worm). */
  readonly exploitedFromAsset?: boolean;
}

/**
 * 0..100: CVSS x 5 (an unscored CVE counts as 5.0), EPSS x 20, +15 when CISA lists it as exploited
 * (KEV), +15 when the asset is probably compromised. p1 from 70, p2 from 50, p3 from 30, else p4.
 * A finding whose CVE the asset was seen exploiting (a sensor alert for that CVE from its address:
 * Blaster spreading from it) is p1 whatever the sum: an unpatched MS03-026 host (7.5, no EPSS) is p3,
 * p2 once it raised any alert, p1 once it was seen sending the MS03-026 exploit.
 */
export function priorityOf(p: PriorityInput): FindingPriority {
  const reasons: string[] = [];
  const cvss = p.cvss ?? 5;
  reasons.push(p.cvss !== undefined ? `cvss ${p.cvss}` : 'cvss unknown (counted as 5.0)');
  let score = cvss * 5;
  if (p.epss !== undefined) {
    score += p.epss * 20;
    reasons.push(`epss ${p.epss}`);
  }
  if (p.kev) {
    score += 15;
    reasons.push('listed in CISA KEV');
  }
  if (p.compromised) {
    score += 15;
    reasons.push('asset probably compromised (alert from its address)');
  }
  if (p.exploitedFromAsset) {
    score = Math.max(score, 70);
    reasons.push('the asset was seen exploiting this vulnerability');
  }
  score = Math.round(Math.min(100, Math.max(0, score)) * 10) / 10;
  const label = score >= 70 ? 'p1' : score >= 50 ? 'p2' : score >= 30 ? 'p3' : 'p4';
  return { score, label, reasons };
}
