// Live sync from a CSAF provider: provider-metadata.json -> ROLIE feeds (TLP:WHITE) -> each advisory,
// checked against its published .sha256/.sha512 before import. CSAF 2.0 sections 7.1.7, 7.1.15-7.1.18.
// Only documents newer than the stored per-provider watermark are fetched.

import { createHash } from 'node:crypto';
import { AppError } from '../../core/errors.js';
import { mergeForStore } from '../merge-record.js';
import { Checker } from './import-errors.js';
import { normalizeCsaf } from './csaf-normalize.js';
import { assertCsafValid, type KbImportStore } from './kb-importer.js';
import { fetchFeed, feedFetchLimits, type FeedFetchLimitName, type FeedFetchLimits, type FeedResponse } from './feed-fetch.js';

export interface CsafSyncOptions {
  /** Overrides of FEED_FETCH_LIMITS (body size, timeouts, redirects) for every request of a sync. */
  readonly limits?: Partial<Record<FeedFetchLimitName, number>>;
}

export interface CsafSyncReport { feeds: number; documents: number; skipped: number; inserted: number; updated: number; unchanged: number; rejected: { url: string; message: string }[] }

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export class CsafSyncClient {
  private readonly limits: FeedFetchLimits;
  constructor(private readonly store: KbImportStore, opts: CsafSyncOptions = {}) {
    this.limits = feedFetchLimits(opts.limits, 'csaf sync limits');
  }

  private async bytes(url: string): Promise<Buffer> {
    return (await this.get(url)).body;
  }

  private async json(url: string): Promise<unknown> {
    return (await this.get(url)).json();
  }

  private async get(url: string): Promise<FeedResponse> {
    const res = await fetchFeed(url, { limits: this.limits });
    if (!res.ok) throw new AppError('VIGIL_ERR_BAD_FILE', `${url}: HTTP ${res.status}`);
    return res;
  }

  async sync(providerMetadataUrl: string): Promise<CsafSyncReport> {
    const report: CsafSyncReport = { feeds: 0, documents: 0, skipped: 0, inserted: 0, updated: 0, unchanged: 0, rejected: [] };
    const meta = new Checker(providerMetadataUrl).obj(await this.json(providerMetadataUrl), '');
    const stateKey = `csaf.watermark.${providerMetadataUrl}`;
    const watermark = (await this.store.getKbState(stateKey)) ?? '';
    let newest = watermark;
    const feeds = arr(meta.distributions).flatMap((d) => arr((d.rolie as Obj | undefined)?.feeds)).filter((f) => f.tlp_label === 'WHITE');
    for (const feed of feeds) {
      report.feeds++;
      const rolie = (await this.json(String(feed.url))) as { feed?: { entry?: Obj[] } };
      for (const entry of arr(rolie.feed?.entry)) {
        const updated = String(entry.updated ?? '');
        if (updated && updated <= watermark) { report.skipped++; continue; }
        const src = String((entry.content as Obj | undefined)?.src ?? '');
        try {
          await this.importEntry(src, arr(entry.link), report);
          if (updated > newest) newest = updated;
        } catch (e) {
          report.rejected.push({ url: src, message: e instanceof Error ? e.message : String(e) });
        }
      }
    }
    if (newest !== watermark && report.rejected.length === 0) await this.store.setKbState(stateKey, newest);
    return report;
  }

  /** Fetches one document, checks the strongest published hash, imports it in one transaction. */
  private async importEntry(src: string, links: Obj[], report: CsafSyncReport): Promise<void> {
    const raw = await this.bytes(src);
    const body = raw.toString('utf8');
    const hashLink = links.map((l) => String(l.href ?? '')).filter((h) => l512(h) || l256(h)).sort((a, b) => Number(l512(b)) - Number(l512(a)))[0];
    if (hashLink) {
      const algo = l512(hashLink) ? 'sha512' : 'sha256';
      const expected = (await this.bytes(hashLink)).toString('utf8').trim().split(/\s+/)[0].toLowerCase();
      // The published hash is over the file's bytes, not over its decoded text.
      const actual = createHash(algo).update(raw).digest('hex');
      if (expected !== actual) throw new AppError('VIGIL_ERR_VALIDATION', `${src}: ${algo} mismatch (published ${expected.slice(0, 16)}..., got ${actual.slice(0, 16)}...)`);
    }
    let doc: unknown;
    try { doc = JSON.parse(body); } catch (e) { throw new AppError('VIGIL_ERR_BAD_FILE', `${src}: not JSON (${(e as Error).message})`); }
    await assertCsafValid(doc, src);
    const frags = normalizeCsaf(doc, new Checker(src));
    const s = await this.store.transaction(() => this.store.applyFragments(frags, mergeForStore));
    report.documents++;
    report.inserted += s.inserted; report.updated += s.updated; report.unchanged += s.unchanged;
  }
}

const l512 = (h: string): boolean => h.endsWith('.sha512');
const l256 = (h: string): boolean => h.endsWith('.sha256');
