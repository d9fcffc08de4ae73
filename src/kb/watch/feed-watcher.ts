// Watches the vulnerability feeds for `vigil up`: on a schedule, syncs each configured source (CISA
// KEV, EPSS, the NVD CVE API 2.0, CSAF providers' ROLIE feeds) through the same importers as
// `vigil kb import` / `kb sync`, and turns what changed into notices: a new or changed vulnerability
// that matches a subscription or an asset, a KEV addition, an EPSS jump. Sources are independent: one
// that is down, malformed or rate-limiting fails alone, and what was imported before stays (each file
// is one transaction; the NVD watermark moves only after a window committed). Written by us: the
// scheduling and matching are Vigil's; fetching and importing are the kb importers'.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveLimits, type LimitTable, type ResolvedLimits } from '../../core/limits.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { KbChange, KbVulnerabilityRecord } from '../../model/kb-records.js';
import { CsafSyncClient } from '../import/csaf-sync.js';
import { fetchFeed, type FeedFetchLimitName } from '../import/feed-fetch.js';
import { KbImporter, type KbImportStore } from '../import/kb-importer.js';
import { NvdSyncClient, type NvdSyncOptions } from '../import/nvd-sync.js';
import { searchKeys } from '../merge-record.js';
import { ChangeRecorder } from './change-recorder.js';
import { subscriptionHits, type Subscriptions } from './subscriptions.js';

export const FEED_WATCH_LIMITS = {
  max_changes_per_run: {
    default: 200_000, min: 1, max: 10_000_000, unit: 'fragments',
    doc: 'Changes one run remembers to match (a first full NVD sync writes about 250,000); past it they are imported but not matched, and counted.',
  },
  max_notices_per_run: {
    default: 500, min: 1, max: 100_000, unit: 'notices',
    doc: 'Notices one run raises; past it the rest are counted in one summary notice, so a feed cannot flood the alert sinks.',
  },
} as const satisfies LimitTable;

export type FeedWatchLimits = ResolvedLimits<typeof FEED_WATCH_LIMITS>;

export interface FeedSources {
  /** CISA KEV catalog JSON URL; '' for none. */
  readonly kevUrl: string;
  /** FIRST EPSS CSV (.csv or .csv.gz) URL; '' for none. */
  readonly epssUrl: string;
  /** NVD CVE API 2.0 base URL; '' for none. */
  readonly nvdUrl: string;
  readonly nvdApiKey?: string;
  /** CSAF providers' provider-metadata.json URLs. */
  readonly csafProviders: readonly string[];
}

export type NoticeKind = 'published' | 'changed' | 'kev_added' | 'epss_jump' | 'notices_dropped';

export interface VulnNotice {
  readonly kind: NoticeKind;
  readonly vulnId: string;
  readonly title?: string;
  /** Why it concerns us: subscription hits ("vendor microsoft") and assets ("asset 10.0.0.5"). */
  readonly reasons: readonly string[];
  /** Highest CVSS base score of the newest version present, EPSS, KEV dates: what ranks it. */
  readonly cvss?: number;
  readonly epss?: number;
  readonly epssBefore?: number;
  readonly kevAdded?: string;
  readonly kevDue?: string;
  /** The sources whose fragments changed. */
  readonly sources: readonly string[];
  /** For notices_dropped: how many were not raised. */
  readonly dropped?: number;
}

export interface SourceReport {
  readonly source: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly inserted: number;
  readonly updated: number;
  /** The first successful run of a source only builds the baseline: it raises no notices. */
  readonly baseline: boolean;
}

export interface WatchReport {
  readonly sources: SourceReport[];
  readonly notices: VulnNotice[];
  readonly changesDropped: number;
}

export interface FeedWatcherOptions {
  readonly store: KbImportStore;
  readonly sources: FeedSources;
  readonly subscriptions: Subscriptions;
  /** Private directory for downloaded files (KEV, EPSS) before import. */
  readonly workDir: string;
  /** Absolute EPSS rise that makes a jump, e.g. 0.1 (ten percentage points). */
  readonly epssJump: number;
  /** Assets a record concerns (the exposure module's matcher), as reasons such as "asset 10.0.0.5". */
  readonly assetsOf?: (rec: KbVulnerabilityRecord) => Promise<readonly string[]> | readonly string[];
  readonly limits?: Partial<Record<keyof typeof FEED_WATCH_LIMITS, number>>;
  readonly fetchLimits?: Partial<Record<FeedFetchLimitName, number>>;
  /** NVD client overrides (tests: rate window, sleep, first window start). */
  readonly nvd?: Partial<NvdSyncOptions>;
  readonly logger?: Logger;
}

const BASELINE_KEY = (source: string): string => `watch.baseline.${source}`;

export class FeedWatcher {
  private readonly limits: FeedWatchLimits;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<WatchReport> | undefined;

  constructor(private readonly o: FeedWatcherOptions) {
    this.limits = resolveLimits(FEED_WATCH_LIMITS, o.limits ?? {}, 'feed watch limits');
    this.log = o.logger ?? silentLogger;
  }

  /** Run now and then every `intervalMs` (a run never overlaps the previous one). */
  start(intervalMs: number, onReport: (r: WatchReport) => void): void {
    const tick = (): void => {
      void this.runOnce().then(onReport, (e: unknown) => this.log.error({ err: String(e) }, 'feed watch run failed'));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  /** Stop the schedule and wait for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass over every configured source. */
  runOnce(): Promise<WatchReport> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<WatchReport> {
    const { sources } = this.o;
    const rec = new ChangeRecorder(this.o.store, this.limits.max_changes_per_run);
    const reports: SourceReport[] = [];
    const counted: KbChange[] = [];
    const step = async (source: string, fn: () => Promise<{ inserted: number; updated: number }>): Promise<void> => {
      const baseline = (await this.o.store.getKbState(BASELINE_KEY(source))) === undefined;
      const before = rec.changes.length;
      try {
        const r = await fn();
        if (baseline) await this.o.store.setKbState(BASELINE_KEY(source), new Date().toISOString());
        else counted.push(...rec.changes.slice(before));
        reports.push({ source, ok: true, inserted: r.inserted, updated: r.updated, baseline });
      } catch (e) {
        // what committed before the failure stays imported, and is matched next time it changes
        const error = e instanceof Error ? e.message : String(e);
        this.log.warn({ source, err: error }, 'feed sync failed; will retry at the next run');
        reports.push({ source, ok: false, error, inserted: 0, updated: 0, baseline });
      }
    };
    if (sources.kevUrl !== '') await step('kev', () => this.importUrl(rec.store, sources.kevUrl, 'kev.json'));
    if (sources.epssUrl !== '') await step('epss', () => this.importUrl(rec.store, sources.epssUrl, /\.gz($|\?)/.test(sources.epssUrl) ? 'epss.csv.gz' : 'epss.csv'));
    if (sources.nvdUrl !== '') {
      await step('nvd', () => new NvdSyncClient(rec.store, {
        baseUrl: sources.nvdUrl, ...(sources.nvdApiKey ? { apiKey: sources.nvdApiKey } : {}), ...(this.o.fetchLimits ? { limits: this.o.fetchLimits } : {}), ...this.o.nvd,
      }).sync());
    }
    for (const url of sources.csafProviders) {
      await step(`csaf ${url}`, async () => {
        const r = await new CsafSyncClient(rec.store, this.o.fetchLimits ? { limits: this.o.fetchLimits } : {}).sync(url);
        if (r.rejected.length > 0) this.log.warn({ source: url, rejected: r.rejected.slice(0, 5) }, `${r.rejected.length} CSAF document(s) rejected`);
        return r;
      });
    }
    return { sources: reports, notices: await this.notices(counted), changesDropped: rec.dropped };
  }

  /** Download to a private file and import it as one transaction (a malformed body is rejected whole). */
  private async importUrl(store: KbImportStore, url: string, name: string): Promise<{ inserted: number; updated: number }> {
    const res = await fetchFeed(url, this.o.fetchLimits ? { limits: this.o.fetchLimits } : {});
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}${res.status === 429 ? ' (rate limited)' : ''}`);
    const file = join(this.o.workDir, name);
    writeFileSync(file, res.body, { mode: 0o600 });
    const r = await new KbImporter(store).importPath(file);
    if (r.rejected.length > 0) throw new Error(`${url}: ${r.rejected[0].message}${r.rejected[0].pointer ? ` at ${r.rejected[0].pointer}` : ''}`);
    return r;
  }

  private async notices(changes: readonly KbChange[]): Promise<VulnNotice[]> {
    const byId = new Map<string, KbChange[]>();
    for (const c of changes) byId.set(c.vulnId, [...(byId.get(c.vulnId) ?? []), c]);
    const out: VulnNotice[] = [];
    let dropped = 0;
    for (const [id, cs] of byId) {
      const rec = await this.o.store.getVulnerability(id);
      if (!rec) continue;
      const reasons = [...subscriptionHits(rec, this.o.subscriptions), ...(this.o.assetsOf ? await this.o.assetsOf(rec) : [])];
      if (reasons.length === 0) continue;
      for (const n of await this.noticesFor(rec, cs, reasons)) {
        if (out.length < this.limits.max_notices_per_run) out.push(n);
        else dropped++;
      }
    }
    if (dropped > 0) out.push({ kind: 'notices_dropped', vulnId: '-', reasons: [], sources: [], dropped });
    return out;
  }

  private async noticesFor(rec: KbVulnerabilityRecord, cs: readonly KbChange[], reasons: readonly string[]): Promise<VulnNotice[]> {
    const keys = searchKeys(rec);
    const base = {
      vulnId: rec.id, reasons, ...(rec.title ? { title: rec.title } : {}), ...(keys.cvssMax !== undefined ? { cvss: keys.cvssMax } : {}),
      ...(rec.epss ? { epss: rec.epss.score } : {}), ...(rec.kev ? { kevAdded: rec.kev.dateAdded, ...(rec.kev.dueDate ? { kevDue: rec.kev.dueDate } : {}) } : {}),
    };
    const out: VulnNotice[] = [];
    const of = (pred: (c: KbChange) => boolean): string[] => cs.filter(pred).map((c) => c.source);
    if (cs.some((c) => c.source === 'kev' && c.kind === 'inserted')) out.push({ kind: 'kev_added', ...base, sources: ['kev'] });
    const epssChanged = cs.some((c) => c.source === 'epss' && c.kind === 'updated');
    if (epssChanged && this.o.store.getEpssHistory) {
      const h = await this.o.store.getEpssHistory(rec.id);
      const [prev, last] = h.slice(-2);
      if (prev && last && last.score - prev.score >= this.o.epssJump) out.push({ kind: 'epss_jump', ...base, epssBefore: prev.score, epss: last.score, sources: ['epss'] });
    }
    const content = of((c) => c.source !== 'kev' && c.source !== 'epss');
    if (content.length > 0) {
      const fresh = cs.every((c) => c.kind === 'inserted') && rec.sources.every((s) => content.includes(s) || s === 'kev' || s === 'epss');
      out.push({ kind: fresh ? 'published' : 'changed', ...base, sources: content });
    }
    return out;
  }
}
