// Knowledge-base record types shared by kb (importers, merge) and store (persistence): per-source
// fragments of a vulnerability, the merged record with provenance, search queries and advisories. No logic.

import type { CvssScore, Remedy, TimelineEntry, Vulnerability } from './vulnerability.js';

/** A CVE JSON 5 `affected[].versions[]` entry (CVE JSON 5.1 schema "version" object). */
export interface AffectedVersion {
  readonly version: string;
  readonly status: 'affected' | 'unaffected' | 'unknown';
  readonly versionType?: string;
  readonly lessThan?: string;
  readonly lessThanOrEqual?: string;
  /** Status changes inside the range, in version order (CVE JSON 5.1 `changes`). */
  readonly changes?: readonly { readonly at: string; readonly status: 'affected' | 'unaffected' | 'unknown' }[];
}

/** A product a source says is affected (CNA `affected[]` entry, or our starter data). */
export interface AffectedProduct {
  readonly vendor: string;
  readonly product: string;
  readonly defaultStatus?: string;
  readonly versions: readonly AffectedVersion[];
  readonly cpes: readonly string[];
  readonly platforms?: readonly string[];
}

/** NVD CVE API 2.0 configuration (kept as NVD shapes it). */
export interface NvdCpeMatch {
  readonly vulnerable: boolean;
  readonly criteria: string;
  readonly matchCriteriaId?: string;
  readonly versionStartIncluding?: string;
  readonly versionStartExcluding?: string;
  readonly versionEndIncluding?: string;
  readonly versionEndExcluding?: string;
}
export interface NvdConfiguration {
  readonly operator?: 'AND' | 'OR';
  readonly negate?: boolean;
  readonly nodes: readonly { readonly operator: 'AND' | 'OR'; readonly negate?: boolean; readonly cpeMatch: readonly NvdCpeMatch[] }[];
}

/** What one source says about one vulnerability. Every field optional: the merge fills gaps by precedence. */
export interface VulnFragment {
  readonly state?: 'PUBLISHED' | 'REJECTED';
  readonly aliases?: readonly string[];
  readonly title?: string;
  readonly description?: string;
  readonly cwes?: readonly string[];
  readonly cvss?: readonly CvssScore[];
  readonly epss?: Vulnerability['epss'] & { readonly model?: string };
  readonly kev?: Vulnerability['kev'] & { readonly name?: string; readonly requiredAction?: string };
  /** SSVC "Exploitation" decision (none / poc / active) where a source gives one. */
  readonly exploitation?: string;
  readonly published?: string;
  readonly modified?: string;
  readonly ports?: readonly number[];
  readonly references?: readonly string[];
  readonly remedies?: readonly Remedy[];
  readonly timeline?: readonly TimelineEntry[];
  readonly affected?: readonly AffectedProduct[];
  readonly configurations?: readonly NvdConfiguration[];
}

/** One stored fragment. `source` names the provider: "cve5:cna", "cve5:adp:CISA-ADP", "nvd", "kev",
 * "epss", "csaf:<tracking id>", "vigil" (our starter data). `hash` is over the canonical fragment JSON. */
export interface KbFragment {
  readonly vulnId: string;
  readonly source: string;
  readonly hash: string;
  readonly data: VulnFragment;
  /** `data` serialised, when the producer already has it (saves a second JSON.stringify on store). */
  readonly json?: string;
}

/** The merged view: a Vulnerability plus what it affects and which source each field came from. */
export interface KbVulnerabilityRecord extends Vulnerability {
  readonly state: 'PUBLISHED' | 'REJECTED';
  readonly exploitation?: string;
  readonly affected: readonly (AffectedProduct & { readonly source: string })[];
  readonly configurations: readonly NvdConfiguration[];
  /** field name -> source of the value kept. */
  readonly provenance: Readonly<Record<string, string>>;
  readonly sources: readonly string[];
}

/** Columns the store indexes for search, computed by kb from a merged record. */
export interface KbSearchKeys {
  readonly id: string;
  readonly title?: string;
  readonly text: string;
  readonly published?: string;
  readonly modified?: string;
  /** Highest base score of the newest CVSS version present (v3.1 over v2), what cvssAbove filters. */
  readonly cvssMax?: number;
  readonly epss?: number;
  readonly kevAdded?: string;
  /** "vendor:product" tokens, lower case, spaces as "_" (from CPEs and CNA affected). */
  readonly products: readonly string[];
  readonly cpes: readonly string[];
}

/** One fragment written by applyFragments: a source said something new about a vulnerability. */
export interface KbChange {
  readonly vulnId: string;
  readonly source: string;
  readonly kind: 'inserted' | 'updated';
}

export interface ApplyStats {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** The fragments written (a store that can tell; the feed watcher turns them into notices). */
  readonly changes?: readonly KbChange[];
}

export type MergeFn = (id: string, fragments: readonly KbFragment[]) => { record: KbVulnerabilityRecord; keys: KbSearchKeys };

export interface VulnQuery {
  readonly text?: string;
  readonly id?: string;
  readonly vendor?: string;
  readonly product?: string;
  /** A CPE name; matched on vendor:product, the caller refines by applicability. */
  readonly cpeVendorProduct?: string;
  readonly kev?: boolean;
  readonly epssAbove?: number;
  /** Strictly above, on the score of the newest CVSS version present. */
  readonly cvssAbove?: number;
  readonly publishedFrom?: string;
  readonly publishedTo?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface VulnSummary {
  readonly id: string;
  readonly title?: string;
  readonly published?: string;
  /** Highest base score of the newest CVSS version present (see KbSearchKeys.cvssMax). */
  readonly cvssMax?: number;
  readonly epss?: number;
  readonly kevAdded?: string;
}

/** A CSAF advisory we publish, stored as the whole document plus the columns lists need. */
export interface AdvisoryRecord {
  readonly trackingId: string;
  readonly version: string;
  readonly status: 'draft' | 'interim' | 'final';
  readonly title: string;
  readonly initialReleaseDate: string;
  readonly currentReleaseDate: string;
  readonly tlp?: string;
  readonly document: unknown;
}

/** One day's EPSS score of one CVE (FIRST EPSS daily file). */
export interface EpssPoint {
  readonly date: string;
  readonly score: number;
  readonly percentile: number;
  readonly model?: string;
}
