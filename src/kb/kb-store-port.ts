// The persistence the knowledge base needs, defined here so that kb does not import store: the SQLite
// store implements it structurally with the record types of src/model/kb-records.ts; the CLI wires them.

import type {
  AdvisoryRecord, ApplyStats, EpssPoint, KbFragment, KbVulnerabilityRecord, MergeFn, VulnQuery, VulnSummary,
} from '../model/kb-records.js';

export interface KbStorePort {
  /** Upserts fragments whose hash changed and re-merges their vulnerabilities, all in ONE transaction:
   * either every fragment of the call is kept or none. Unchanged hashes are counted, not written. */
  applyFragments(fragments: readonly KbFragment[], merge: MergeFn): Promise<ApplyStats>;
  getVulnerability(id: string): Promise<KbVulnerabilityRecord | undefined>;
  getFragments(id: string): Promise<KbFragment[]>;
  searchVulns(q: VulnQuery): Promise<{ total: number; items: VulnSummary[] }>;
  /** Small key/value state (e.g. the NVD sync's last lastModEndDate). */
  getKbState(key: string): Promise<string | undefined>;
  setKbState(key: string, value: string): Promise<void>;
  putAdvisory(a: AdvisoryRecord): Promise<void>;
  getAdvisory(trackingId: string): Promise<AdvisoryRecord | undefined>;
  listAdvisories(): Promise<AdvisoryRecord[]>;
  /** Changes whenever any advisory is written, by this process or another one sharing the store;
   * cheap enough to ask on every request. */
  advisoryRevision(): Promise<string>;
  /** Optional: the EPSS time series of one CVE, oldest first. */
  getEpssHistory?(id: string): Promise<EpssPoint[]>;
}
