// Findings as CSV (RFC 4180) and JSON rows for export (CLI --csv/--json, GET /api/v1/findings?format=csv).
// Written by hand: no CSV writer is a dependency, and the rule is short; cells a spreadsheet would run
// as a formula (=, +, -, @ at the start: OWASP "CSV injection") are prefixed with a quote.

import type { Finding } from '../model/asset.js';
import { isoDay } from './finding-policy.js';

/** A finding with the label of its asset (first address or name), as lists and exports show it. */
export interface FindingRow extends Finding {
  readonly asset: string;
  readonly overdue: boolean;
}

export function findingRow(f: Finding, asset: string, today: string): FindingRow {
  return { ...f, asset, overdue: (f.status === 'open' || f.status === 'reopened') && f.dueDate < today };
}

export const CSV_COLUMNS = [
  'id', 'asset_id', 'asset', 'vuln_id', 'status', 'severity', 'cvss', 'epss', 'priority', 'priority_label', 'owner',
  'due_date', 'overdue', 'first_seen', 'last_seen', 'fixed_at', 'title',
] as const;

const day = (ms: number | undefined): string => (ms === undefined ? '' : isoDay(ms));

function cells(r: FindingRow): string[] {
  return [
    r.id, r.assetId, r.asset, r.vulnId, r.status, r.severity, r.cvss?.toString() ?? '', r.epss?.toString() ?? '', r.priority.score.toString(),
    r.priority.label, r.owner ?? '', r.dueDate, r.overdue ? 'yes' : 'no', day(r.firstSeen), day(r.lastSeen), day(r.fixedAt), r.title ?? '',
  ];
}

export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Header and rows, CRLF line ends as RFC 4180 says. */
export function findingsCsv(rows: readonly FindingRow[]): string {
  return [CSV_COLUMNS.join(','), ...rows.map((r) => cells(r).map(csvCell).join(','))].join('\r\n') + '\r\n';
}
