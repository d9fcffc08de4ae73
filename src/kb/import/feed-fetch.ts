// The one HTTP(S) GET of every knowledge-base feed (NVD API 2.0, CSAF providers): a streamed body
// under a size cap, connect/idle/total timeouts, and redirects followed by hand (Fetch standard 4.4).

import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { AppError } from '../../core/errors.js';
import { resolveLimits, type LimitTable, type ResolvedLimits } from '../../core/limits.js';

export const FEED_FETCH_LIMITS = {
  max_body_bytes: {
    default: 16 * 1024 * 1024,
    min: 1024,
    max: 1024 * 1024 * 1024,
    unit: 'bytes (decoded)',
    doc: 'Largest response body; the request is aborted as soon as it is passed, so a hostile feed costs at most this much memory. CSAF documents are kilobytes (the CSAF sync limit was 16 MiB).',
  },
  connect_timeout_ms: {
    default: 15_000,
    min: 10,
    max: 300_000,
    unit: 'ms',
    doc: 'Name lookup plus TCP connect; an unreachable provider fails fast. curl --connect-timeout style (undici connect timeout is 10 s).',
  },
  idle_timeout_ms: {
    default: 60_000,
    min: 10,
    max: 3_600_000,
    unit: 'ms',
    doc: 'Longest silence on an open connection, waiting for headers or between body chunks: a provider that stops sending is abandoned. undici headersTimeout/bodyTimeout are 300 s; feeds answer far sooner.',
  },
  total_timeout_ms: {
    default: 600_000,
    min: 10,
    max: 24 * 3_600_000,
    unit: 'ms',
    doc: 'Whole exchange including redirects; bounds a server that trickles bytes and is never idle (curl --max-time).',
  },
  max_redirects: {
    default: 5,
    min: 0,
    max: 20,
    unit: 'redirects per request',
    doc: 'Redirects followed before giving up; feeds need one or two. The Fetch standard stops at 20.',
  },
} as const satisfies LimitTable;

export type FeedFetchLimitName = keyof typeof FEED_FETCH_LIMITS;
export type FeedFetchLimits = ResolvedLimits<typeof FEED_FETCH_LIMITS>;

/** Sent to the first URL's origin only, like browsers and curl treat Authorization and Cookie. */
const ALWAYS_CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization'];
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface FeedRequest {
  readonly headers?: Readonly<Record<string, string>>;
  /** Further header names (any case) that carry a secret, e.g. NVD's `apiKey`. */
  readonly credentialHeaders?: readonly string[];
  readonly limits?: Partial<Record<FeedFetchLimitName, number>>;
}

export interface FeedResponse {
  /** After redirects. */
  readonly url: string;
  readonly status: number;
  readonly ok: boolean;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  text(): string;
  json(): unknown;
}

/** Resolves overrides against FEED_FETCH_LIMITS; feed clients call it once so bad values fail early. */
export function feedFetchLimits(overrides: Partial<Record<FeedFetchLimitName, number>> = {}, where = 'feed fetch'): FeedFetchLimits {
  return resolveLimits(FEED_FETCH_LIMITS, overrides, where);
}

function httpUrl(href: string, base?: URL): URL {
  let u: URL;
  try { u = new URL(href, base); } catch { throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `not a URL: ${href}`); }
  // file:, data:, ftp: ... would read local files or reach services a feed has no business with.
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `refusing ${u.protocol} URL ${u.href}: only http and https`);
  return u;
}

/** GET `url` under the limits; any status is returned (the caller decides about retries), with its body. */
export async function fetchFeed(url: string | URL, req: FeedRequest = {}): Promise<FeedResponse> {
  const lim = feedFetchLimits(req.limits);
  const deadline = Date.now() + lim.total_timeout_ms;
  const secret = new Set([...ALWAYS_CREDENTIALS, ...(req.credentialHeaders ?? []).map((h) => h.toLowerCase())]);
  let u = httpUrl(String(url));
  const origin = u.origin;
  let headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...req.headers };
  for (let redirects = 0; ; redirects++) {
    const h = await hop(u, headers, lim, deadline);
    if (h.location === undefined) return response(u.href, h.status, h.headers, h.body ?? Buffer.alloc(0));
    if (redirects >= lim.max_redirects) throw limitError(u, lim, 'max_redirects', `more than ${lim.max_redirects} redirect(s)`);
    u = httpUrl(h.location, u);
    // Once the origin changes the secret is gone for the rest of the chain, even if it comes back.
    if (u.origin !== origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !secret.has(k.toLowerCase())));
  }
}

function response(url: string, status: number, headers: IncomingHttpHeaders, body: Buffer): FeedResponse {
  return {
    url, status, headers, body, ok: status >= 200 && status < 300,
    text: () => body.toString('utf8'),
    json: () => {
      try { return JSON.parse(body.toString('utf8')); } catch (e) { throw new AppError('VIGIL_ERR_BAD_FILE', `${url}: not JSON (${(e as Error).message})`); }
    },
  };
}

function limitError(u: URL, lim: FeedFetchLimits, name: FeedFetchLimitName, what: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('VIGIL_ERR_LIMIT', `${u.href}: ${what} (limit ${name} = ${lim[name]})`, { url: u.href, limit: name, value: lim[name], ...extra });
}

interface Hop { status: number; headers: IncomingHttpHeaders; location?: string; body?: Buffer }

function decoded(res: IncomingMessage, u: URL): Readable {
  const enc = String(res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return res;
  const dec = enc === 'gzip' || enc === 'x-gzip' ? createGunzip() : enc === 'deflate' ? createInflate() : enc === 'br' ? createBrotliDecompress() : undefined;
  if (!dec) throw new AppError('VIGIL_ERR_BAD_FILE', `${u.href}: unsupported content-encoding ${enc}`);
  return res.pipe(dec);
}

/** One request/response. The body limit counts decoded bytes, so a compression bomb stops there too. */
function hop(u: URL, headers: Record<string, string>, lim: FeedFetchLimits, deadline: number): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    // agent: false, so no pooled socket outlives the exchange or keeps the process alive.
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method: 'GET', headers, agent: false });
    const finish = (err: Error | undefined, hopResult?: Hop): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      req.destroy();
      if (err) reject(err); else resolve(hopResult as Hop);
    };
    timers.push(setTimeout(() => finish(limitError(u, lim, 'total_timeout_ms', 'no complete answer in time')), Math.max(0, deadline - Date.now())));
    req.on('socket', (s) => {
      if (!s.connecting) return;
      const t = setTimeout(() => finish(limitError(u, lim, 'connect_timeout_ms', 'no connection in time')), lim.connect_timeout_ms);
      timers.push(t);
      s.once('connect', () => clearTimeout(t));
    });
    // Socket inactivity, armed once connected: covers TLS, waiting for headers and gaps in the body.
    req.setTimeout(lim.idle_timeout_ms, () => finish(limitError(u, lim, 'idle_timeout_ms', 'the server went silent')));
    req.on('error', (e) => finish(new AppError('VIGIL_ERR_BAD_FILE', `${u.href}: ${e.message}`, { url: u.href }, { cause: e })));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location !== undefined) { finish(undefined, { status, headers: res.headers, location }); return; }
      const declared = Number(res.headers['content-length']);
      if (!res.headers['content-encoding'] && declared > lim.max_body_bytes) {
        finish(limitError(u, lim, 'max_body_bytes', `body of ${declared} bytes announced`, { received: 0 }));
        return;
      }
      let body: Readable;
      try { body = decoded(res, u); } catch (e) { finish(e as Error); return; }
      const chunks: Buffer[] = [];
      let received = 0;
      body.on('data', (c: Buffer) => {
        if (settled) return;
        if (received + c.length > lim.max_body_bytes) { finish(limitError(u, lim, 'max_body_bytes', 'body larger than the limit', { received })); return; }
        received += c.length;
        chunks.push(c);
      });
      body.on('end', () => finish(undefined, { status, headers: res.headers, body: Buffer.concat(chunks, received) }));
      body.on('error', (e) => finish(new AppError('VIGIL_ERR_BAD_FILE', `${u.href}: ${e.message}`, { url: u.href, received }, { cause: e })));
      if (body !== res) res.on('error', (e) => finish(new AppError('VIGIL_ERR_BAD_FILE', `${u.href}: ${e.message}`, { url: u.href, received }, { cause: e })));
    });
    req.end();
  });
}
