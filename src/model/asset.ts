// Assets (machines on one's own networks) and findings (an asset exposed to a vulnerability),
// tracked to closure by the exposure module.

export interface Asset {
  readonly id: string;
  readonly address: string;
  readonly hostname?: string;
  readonly owner?: string;
  /** CPE 2.3 names of what runs there (from fingerprints or inventories). */
  readonly cpes: readonly string[];
  readonly openPorts: readonly number[];
  readonly lastSeen?: number;
}

export type FindingStatus = 'open' | 'in_progress' | 'fixed' | 'verified' | 'accepted_risk';

export interface Finding {
  readonly id: string;
  readonly assetId: string;
  readonly vulnId: string;
  readonly status: FindingStatus;
  readonly owner?: string;
  /** ISO date. */
  readonly deadline?: string;
  readonly firstSeen: number;
  readonly verifiedAt?: number;
}
