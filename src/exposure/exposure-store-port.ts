// The persistence exposure needs, as a small interface of its own (like kb's KbStorePort): the SQLite
// implementation (src/store/sqlite/exposure-sqlite-store.ts) satisfies it structurally, and another
// backend can add its own without touching the core Store.

import type { Asset, AssetQuery, Finding, FindingQuery, FindingStatus } from '../model/asset.js';

/** Everything one import, scan or change writes: committed in ONE transaction, or not at all. */
export interface ExposureBatch {
  /** Assets written whole: their facts replace the stored ones. */
  readonly assets: readonly Asset[];
  readonly findings: readonly Finding[];
}

export interface FindingCounts {
  readonly byStatus: Readonly<Record<FindingStatus, number>>;
  /** Open or reopened with a due date before the given day. */
  readonly overdue: number;
}

export interface ExposureStore {
  /** Ids of assets that have any of these facts (addresses, MACs, lower-case names), oldest first. */
  findAssetIds(keys: { readonly addresses: readonly string[]; readonly macs: readonly string[]; readonly names: readonly string[] }): Promise<string[]>;
  getAsset(id: string): Promise<Asset | undefined>;
  listAssets(q?: AssetQuery): Promise<{ total: number; items: Asset[] }>;
  getFinding(id: string): Promise<Finding | undefined>;
  listFindings(q?: FindingQuery): Promise<{ total: number; items: Finding[] }>;
  commit(batch: ExposureBatch): Promise<void>;
  findingCounts(today: string): Promise<FindingCounts>;
  /** Distinct (asset, CPE) facts, at most `max` rows, by asset id: what a new vulnerability is matched against. */
  assetCpes(max: number): Promise<{ assetId: string; cpe: string }[]>;
}
