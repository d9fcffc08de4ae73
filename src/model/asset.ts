// Assets (machines on one's own networks), merged from every inventory source with provenance per
// fact, and findings (an asset exposed to a vulnerability) tracked to closure by src/exposure. Types only.

/** What an asset fact says. `service` values are "tcp/135"; `hotfix` values are "KB823980". */
export type FactKind = 'address' | 'name' | 'mac' | 'os' | 'cpe' | 'service' | 'hotfix' | 'program' | 'owner' | 'tag';

/** One fact with where it came from: the provenance the merge keeps per value and source. */
export interface AssetFact {
  readonly kind: FactKind;
  /** Normalised value: lower-case MAC and names, canonical address text, CPE as given. */
  readonly value: string;
  /** Source that reported it: `nmap`, `masscan`, `naabu`, `osquery`, `csv`, `scan`, `api`. */
  readonly source: string;
  /** File or scan it came from (path, scan id), for the audit trail. */
  readonly origin?: string;
  /** Extra detail as the source gave it (service product/version, OS accuracy, program publisher). */
  readonly detail?: Readonly<Record<string, string | number>>;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** Why an asset is probably compromised: an alert whose source address is one of its addresses. */
export interface CompromiseMark {
  readonly alertId: string;
  readonly rule: string;
  readonly severity: string;
  readonly ts: number;
  readonly address: string;
  /** CVEs the alert names (an exploit of the very flaw a finding is about ranks that finding first). */
  readonly cves: readonly string[];
}

export interface Asset {
  readonly id: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly facts: readonly AssetFact[];
  readonly compromised?: CompromiseMark;
}

/** An asset flattened for lists and the API: every fact kind as a list of distinct values. */
export interface AssetView {
  readonly id: string;
  readonly addresses: readonly string[];
  readonly names: readonly string[];
  readonly macs: readonly string[];
  /** The newest OS fact. */
  readonly os?: string;
  readonly cpes: readonly string[];
  readonly services: readonly string[];
  readonly hotfixes: readonly string[];
  readonly programs: readonly string[];
  readonly owner?: string;
  readonly tags: readonly string[];
  readonly sources: readonly string[];
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly compromised?: CompromiseMark;
}

export interface AssetQuery {
  /** Exact address, name (case-insensitive) or MAC. */
  readonly match?: string;
  readonly owner?: string;
  readonly tag?: string;
  readonly compromised?: boolean;
  /** Only assets with this service fact open (`tcp/135`: the RPC endpoint mapper exposed). */
  readonly service?: string;
  /** Only assets with a finding in one of these statuses (`open`, `reopened`: vulnerable). */
  readonly findingStatus?: readonly FindingStatus[];
  /** Only assets with a finding open or reopened whose due date is before this ISO date. */
  readonly overdueOn?: string;
  /** Order the findings overdue on this ISO date first (then by priority, as always): the dashboard's worklist. */
  readonly overdueFirstOn?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export type FindingStatus = 'open' | 'fixed' | 'risk-accepted' | 'false-positive' | 'reopened';

/** One observation a finding rests on. */
export interface FindingEvidence {
  readonly at: number;
  /** cpe: knowledge-base match of the asset's CPEs; check: a scan check verdict; hotfix: an installed fix. */
  readonly kind: 'cpe' | 'check' | 'hotfix' | 'manual';
  readonly says: 'vulnerable' | 'fixed' | 'unknown';
  readonly source: string;
  readonly detail: string;
}

export interface StatusChange {
  readonly at: number;
  readonly from?: FindingStatus;
  readonly to: FindingStatus;
  readonly by: string;
  readonly note?: string;
}

export interface FindingPriority {
  /** 0..100: CVSS, EPSS, KEV and sensor evidence combined (docs/exposure.md). */
  readonly score: number;
  readonly label: 'p1' | 'p2' | 'p3' | 'p4';
  readonly reasons: readonly string[];
}

export interface Finding {
  readonly id: string;
  readonly assetId: string;
  /** CVE id (or the knowledge base's id for it). */
  readonly vulnId: string;
  readonly title?: string;
  readonly status: FindingStatus;
  readonly severity: 'critical' | 'high' | 'medium' | 'low' | 'unknown';
  readonly cvss?: number;
  readonly epss?: number;
  readonly kevDueDate?: string;
  readonly priority: FindingPriority;
  readonly owner?: string;
  /** Who set the owner: the asset's inventory owner follows the inventory; a person's choice stays. */
  readonly ownerSetBy?: 'inventory' | 'person';
  /** ISO date (YYYY-MM-DD) by which it should be fixed. */
  readonly dueDate: string;
  readonly firstSeen: number;
  /** Last time the flaw was observed (vulnerable evidence). */
  readonly lastSeen: number;
  /** When it was last opened or reopened (the due date counts from here). */
  readonly openedAt: number;
  readonly fixedAt?: number;
  /** Fix kinds that closed it (`check`, `hotfix`): a weaker observation (a CPE match) does not reopen it. */
  readonly closedBy?: 'check' | 'hotfix' | 'manual';
  /** Newest first, bounded. */
  readonly evidence: readonly FindingEvidence[];
  readonly history: readonly StatusChange[];
  readonly updatedAt: number;
}

export interface FindingQuery {
  readonly status?: readonly FindingStatus[];
  readonly owner?: string;
  readonly assetId?: string;
  readonly vulnId?: string;
  /** Only findings open or reopened whose due date is before this ISO date. */
  readonly overdueOn?: string;
  /** Order the findings overdue on this ISO date first (then by priority, as always): the dashboard's worklist. */
  readonly overdueFirstOn?: string;
  readonly limit?: number;
  readonly offset?: number;
}
