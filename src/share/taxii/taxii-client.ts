// A TAXII 2.1 client (OASIS TAXII 2.1 sections 4-5) over fetch: push STIX objects to a partner's
// collection (envelopes, status), pull a collection page by page (limit/next, added_after), with every
// answer bounded (bytes, time, pages) and never following a redirect elsewhere.

import { AppError } from '../../core/errors.js';
import type { StixLike } from './taxii-collection.js';
import { TAXII_MEDIA_TYPE } from './taxii-limits.js';

export interface TaxiiClientLimits {
  readonly maxResponseBytes: number;
  readonly timeoutMs: number;
  readonly maxPages: number;
  readonly objectsPerEnvelope: number;
}

export const TAXII_CLIENT_LIMITS: TaxiiClientLimits = {
  maxResponseBytes: 64 * 1024 * 1024,
  timeoutMs: 30_000,
  /** Pages followed in one pull: a server that always answers `more: true` cannot keep us forever. */
  maxPages: 10_000,
  objectsPerEnvelope: 1000,
};

/** A partner's TAXII server failed or answered badly (peer trouble, not a Vigil bug: not an AppError). */
export class TaxiiClientError extends Error {
  override readonly name = 'TaxiiClientError';
}

export interface TaxiiClientOptions {
  /** The collection's URL: `<api root>/collections/<id>/`. */
  readonly collectionUrl: string;
  /** A bearer token, or Basic credentials (taxii2-client and medallion use Basic). */
  readonly auth?: { readonly token: string } | { readonly username: string; readonly password: string };
  readonly limits?: Partial<TaxiiClientLimits>;
}

export interface PullResult {
  readonly objects: StixLike[];
  /** X-TAXII-Date-Added-Last of the last page: the `added_after` of the next pull. */
  readonly lastAdded?: string;
  readonly pages: number;
}

export interface PushStatus {
  readonly id?: string;
  readonly success_count: number;
  readonly failure_count: number;
  readonly failures?: readonly { id: string; message?: string }[];
}

export class TaxiiClient {
  private readonly limits: TaxiiClientLimits;
  private readonly base: string;

  constructor(private readonly o: TaxiiClientOptions) {
    this.limits = { ...TAXII_CLIENT_LIMITS, ...o.limits };
    this.base = o.collectionUrl.endsWith('/') ? o.collectionUrl : `${o.collectionUrl}/`;
    if (!/^https?:\/\//.test(this.base)) throw new AppError('VIGIL_ERR_CONFIG', `TAXII collection URL must be http(s): ${o.collectionUrl}`);
  }

  /** Discovery or any other TAXII resource by absolute URL. */
  async get(url: string): Promise<{ body: Record<string, unknown>; headers: Headers }> {
    return this.request('GET', url);
  }

  /** POSTs the objects in envelopes of at most objectsPerEnvelope; sums their statuses. */
  async push(objects: readonly StixLike[]): Promise<PushStatus> {
    let success = 0;
    let failure = 0;
    const failures: { id: string; message?: string }[] = [];
    let id: string | undefined;
    for (let i = 0; i < objects.length || (i === 0 && objects.length === 0); i += this.limits.objectsPerEnvelope) {
      const { body } = await this.request('POST', `${this.base}objects/`, { objects: objects.slice(i, i + this.limits.objectsPerEnvelope) });
      success += Number(body.success_count ?? 0);
      failure += Number(body.failure_count ?? 0);
      if (Array.isArray(body.failures)) failures.push(...(body.failures as { id: string; message?: string }[]).slice(0, 100));
      id = typeof body.id === 'string' ? body.id : id;
      if (objects.length === 0) break;
    }
    return { ...(id ? { id } : {}), success_count: success, failure_count: failure, failures };
  }

  /** Every object added after `addedAfter` (all versions when `allVersions`), following `next`. */
  async pull(opts: { addedAfter?: string; limit?: number; allVersions?: boolean; types?: readonly string[] } = {}): Promise<PullResult> {
    const objects: StixLike[] = [];
    let next: string | undefined;
    let lastAdded: string | undefined;
    let pages = 0;
    do {
      const q = new URLSearchParams();
      if (opts.addedAfter) q.set('added_after', opts.addedAfter);
      if (opts.limit) q.set('limit', String(opts.limit));
      if (opts.allVersions) q.set('match[version]', 'all');
      if (opts.types?.length) q.set('match[type]', opts.types.join(','));
      if (next !== undefined) q.set('next', next);
      const { body, headers } = await this.request('GET', `${this.base}objects/?${q}`);
      pages++;
      if (Array.isArray(body.objects)) objects.push(...(body.objects as StixLike[]));
      lastAdded = headers.get('x-taxii-date-added-last') ?? lastAdded;
      next = body.more === true && typeof body.next === 'string' ? body.next : undefined;
      if (body.more === true && next === undefined && lastAdded !== undefined) {
        // TAXII 2.1 allows paging by added_after alone (section 3.4.1): continue after the last one.
        opts = { ...opts, addedAfter: lastAdded };
        next = '';
      }
      if (next === '') next = undefined;
      if (pages >= this.limits.maxPages) break;
      if (body.more !== true) break;
    } while (true);
    return { objects, ...(lastAdded ? { lastAdded } : {}), pages };
  }

  private async request(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ body: Record<string, unknown>; headers: Headers }> {
    const headers: Record<string, string> = { accept: TAXII_MEDIA_TYPE };
    const a = this.o.auth;
    if (a && 'token' in a) headers.authorization = `Bearer ${a.token}`;
    else if (a) headers.authorization = `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
    if (body !== undefined) headers['content-type'] = TAXII_MEDIA_TYPE;
    let res: Response;
    try {
      res = await fetch(url, {
        method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'error', signal: AbortSignal.timeout(this.limits.timeoutMs),
      });
    } catch (e) {
      throw new TaxiiClientError(`TAXII ${method} ${url}: ${String((e as Error).cause ?? e)}`, { cause: e });
    }
    const text = await readBounded(res, this.limits.maxResponseBytes, url);
    let parsed: unknown = {};
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new TaxiiClientError(`TAXII ${method} ${url}: HTTP ${res.status}, answer is not JSON`);
      }
    }
    if (!res.ok) {
      const p = parsed as { title?: unknown; description?: unknown };
      throw new TaxiiClientError(`TAXII ${method} ${url}: HTTP ${res.status} ${String(p.title ?? '')} ${String(p.description ?? '')}`.trim());
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TaxiiClientError(`TAXII ${method} ${url}: answer is not a JSON object`);
    return { body: parsed as Record<string, unknown>, headers: res.headers };
  }
}

/** The body as text, refusing past `max` bytes without reading the rest. */
async function readBounded(res: Response, max: number, url: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) {
    await res.body?.cancel();
    throw new TaxiiClientError(`TAXII ${url}: answer of ${declared} bytes is over the ${max}-byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let n = 0;
  if (!res.body) return '';
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      await reader.cancel();
      throw new TaxiiClientError(`TAXII ${url}: answer over the ${max}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
