// An alert: what a detector concluded, with the evidence and the vulnerabilities it concerns.

import type { Severity } from './anomaly.js';

export interface Indicator {
  /** e.g. `ipv4-addr`, `url`, `file-name`, `command`. */
  readonly type: string;
  readonly value: string;
}

export interface Alert {
  readonly id: string;
  /** ms since epoch (event time, not wall time, so replays are deterministic). */
  readonly ts: number;
  /** Detector that raised it: `exploit`, `trw`, `threshold`, `surge`, `growth`. */
  readonly detector: string;
  /** Stable rule name within the detector, e.g. `ms03_026_long_unc_server`. */
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  readonly cves: readonly string[];
  readonly src?: string;
  readonly dport?: number;
  readonly session?: string;
  /** Free-form but JSON: field, length, offsets, figures (baseline, growth rate, ...). */
  readonly evidence: Record<string, unknown>;
  readonly indicators: readonly Indicator[];
  /** Alerts with the same key inside the suppression window are merged. */
  readonly dedupKey: string;
}

/** An alert as stored: the alert plus its handling state. */
export interface AlertRecord extends Alert {
  readonly acknowledged: boolean;
  readonly ackBy?: string;
  /** ms since epoch. */
  readonly ackAt?: number;
  /** Who handles it (a user name), and who said so when. */
  readonly assignee?: string;
  readonly assignedBy?: string;
  readonly assignedAt?: number;
  /** Escalated: told to the receivers again as `alert.escalated`; the first escalation is kept. */
  readonly escalatedBy?: string;
  readonly escalatedAt?: number;
}

/** Filters for listing stored alerts; `since` inclusive, `until` exclusive (ms since epoch). */
export interface AlertQuery {
  readonly since?: number;
  readonly until?: number;
  readonly detector?: string;
  readonly rule?: string;
  readonly src?: string;
  readonly cve?: string;
  readonly minSeverity?: Severity;
  readonly acknowledged?: boolean;
  /** Exactly this assignee; '' = unassigned. */
  readonly assignee?: string;
  readonly escalated?: boolean;
  /** 1..1000, default 100. Newest first. */
  readonly limit?: number;
}
