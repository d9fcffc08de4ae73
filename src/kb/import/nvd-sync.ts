// Incremental sync from the NVD CVE API 2.0: lastModStartDate/lastModEndDate windows of at most 120
// days, startIndex paging, the public rate limits (5 requests per rolling 30 s without a key, 50 with),
// bounded retries. Follows https://nvd.nist.gov/developers/vulnerabilities and /developers/start-here.

import { AppError } from '../../core/errors.js';
import { mergeForStore } from '../merge-record.js';
import { Checker, ptr } from './import-errors.js';
import { normalizeNvdCve } from './nvd-normalize.js';
import type { KbImportStore } from './kb-importer.js';
import { fetchFeed, feedFetchLimits, type FeedFetchLimitName, type FeedFetchLimits } from './feed-fetch.js';

export const NVD_API_URL = 'https://services.nvd.nist.gov/rest/json/cves/2.0';
/** The API rejects lastMod ranges longer than 120 consecutive days. */
export const NVD_MAX_WINDOW_DAYS = 120;
export const NVD_STATE_KEY = 'nvd.lastModEndDate';
const DAY_MS = 86_400_000;
/** A page of 2,000 CVEs is tens of megabytes (decoded); the generic 16 MiB feed limit is too small. */
export const NVD_MAX_PAGE_BYTES = 128 * 1024 * 1024;

export interface NvdSyncOptions {
  readonly baseUrl?: string;
  readonly apiKey?: string;
  /** Requests per rolling window; default 5 (50 with an API key), window 30 s. */
  readonly maxRequests?: number;
  readonly windowMs?: number;
  readonly resultsPerPage?: number;
  readonly maxRetries?: number;
  /** First sync with no stored state starts here (ISO date-time). */
  readonly initialStart?: string;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Overrides of FEED_FETCH_LIMITS; max_body_bytes defaults to NVD_MAX_PAGE_BYTES. */
  readonly limits?: Partial<Record<FeedFetchLimitName, number>>;
  readonly onPage?: (p: { window: [string, string]; startIndex: number; totalResults: number }) => void;
}

export interface NvdSyncReport { inserted: number; updated: number; unchanged: number; requests: number; records: number; windows: number; until: string }

/** Rolling-window limiter: waits until fewer than `max` requests started in the last `windowMs`. */
export class RateLimiter {
  private readonly starts: number[] = [];
  constructor(private readonly max: number, private readonly windowMs: number, private readonly now: () => number, private readonly sleep: (ms: number) => Promise<void>) {}
  async acquire(): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.starts.length && this.starts[0] <= t - this.windowMs) this.starts.shift();
      if (this.starts.length < this.max) { this.starts.push(t); return; }
      await this.sleep(this.starts[0] + this.windowMs - t);
    }
  }
}

/** NVD wants ISO-8601 with milliseconds; we send UTC with an explicit offset. */
const iso = (ms: number): string => new Date(ms).toISOString();

export function syncWindows(startMs: number, endMs: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = startMs; s < endMs; s += NVD_MAX_WINDOW_DAYS * DAY_MS) out.push([s, Math.min(endMs, s + NVD_MAX_WINDOW_DAYS * DAY_MS)]);
  return out;
}

export class NvdSyncClient {
  private readonly limiter: RateLimiter;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly limits: FeedFetchLimits;
  constructor(private readonly store: KbImportStore, private readonly opts: NvdSyncOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.limits = feedFetchLimits({ max_body_bytes: NVD_MAX_PAGE_BYTES, ...opts.limits }, 'nvd sync limits');
    this.limiter = new RateLimiter(opts.maxRequests ?? (opts.apiKey ? 50 : 5), opts.windowMs ?? 30_000, this.now, this.sleep);
  }

  /** Fetches everything modified since the stored watermark (or `initialStart`) up to now, one
   * transaction per page; the watermark advances only after a window completes. */
  async sync(): Promise<NvdSyncReport> {
    const stored = await this.store.getKbState(NVD_STATE_KEY);
    const startIso = stored ?? this.opts.initialStart;
    if (!startIso) throw new AppError('VIGIL_ERR_CONFIG', 'no NVD sync state yet: give a start date (--since) for the first sync');
    const end = this.now();
    const report: NvdSyncReport = { requests: 0, records: 0, windows: 0, inserted: 0, updated: 0, unchanged: 0, until: iso(end) };
    for (const [ws, we] of syncWindows(Date.parse(startIso), end)) {
      await this.syncWindow(iso(ws), iso(we), report);
      await this.store.setKbState(NVD_STATE_KEY, iso(we));
      report.windows++;
    }
    return report;
  }

  private async syncWindow(start: string, end: string, report: NvdSyncReport): Promise<void> {
    let startIndex = 0;
    for (;;) {
      const url = new URL(this.opts.baseUrl ?? NVD_API_URL);
      url.searchParams.set('lastModStartDate', start);
      url.searchParams.set('lastModEndDate', end);
      url.searchParams.set('startIndex', String(startIndex));
      url.searchParams.set('resultsPerPage', String(this.opts.resultsPerPage ?? 2000));
      const body = await this.get(url, report);
      const c = new Checker(url.toString());
      const page = c.obj(body, '');
      const vulns = c.arr(page.vulnerabilities, '/vulnerabilities');
      const total = Number(page.totalResults ?? 0);
      const frags = vulns.map((v, i) => normalizeNvdCve(c.obj(v, ptr('vulnerabilities', i)).cve, c, ptr('vulnerabilities', i, 'cve')));
      const s = await this.store.transaction(() => this.store.applyFragments(frags, mergeForStore));
      report.inserted += s.inserted; report.updated += s.updated; report.unchanged += s.unchanged; report.records += frags.length;
      this.opts.onPage?.({ window: [start, end], startIndex, totalResults: total });
      startIndex += vulns.length;
      if (vulns.length === 0 || startIndex >= total) return;
    }
  }

  /** One request under the rate limit; 403/429/5xx are retried with exponential backoff. */
  private async get(url: URL, report: NvdSyncReport): Promise<unknown> {
    const retries = this.opts.maxRetries ?? 4;
    for (let attempt = 0; ; attempt++) {
      await this.limiter.acquire();
      report.requests++;
      // The key is a credential: the helper drops it if a redirect leaves the API's origin.
      const res = await fetchFeed(url, { headers: this.opts.apiKey ? { apiKey: this.opts.apiKey } : {}, credentialHeaders: ['apiKey'], limits: this.limits });
      if (res.ok) return res.json();
      const retryable = res.status === 403 || res.status === 429 || res.status >= 500;
      if (!retryable || attempt >= retries) {
        throw new AppError('VIGIL_ERR_BAD_FILE', `NVD API ${url.pathname}: HTTP ${res.status} after ${attempt + 1} attempt(s)`, { status: res.status });
      }
      await this.sleep(Math.min(60_000, 1000 * 2 ** attempt));
    }
  }
}
