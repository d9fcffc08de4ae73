// The bounded feed fetch against hostile servers on 127.0.0.1: endless and compressed-bomb bodies,
// silence and trickling, redirect chains, credentials across origins, non-HTTP schemes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { fetchFeed, feedFetchLimits, FEED_FETCH_LIMITS } from '../../src/kb/import/feed-fetch.js';
import { AppError } from '../../src/core/errors.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => { seen.push(req); handler(req, res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

const stop = (s: Server): void => { s.closeAllConnections(); s.close(); };

function limitOf(name: string, url: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof AppError && e.code === 'VIGIL_ERR_LIMIT', String(e));
    assert.equal(e.details?.limit, name);
    assert.ok(e.message.includes(url) && e.message.includes(name), e.message);
    return true;
  };
}

test('an endless body is cut at max_body_bytes: the reader holds at most the limit', { timeout: 20_000 }, async () => {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const { server, port } = await serve((_req, res) => {
    res.writeHead(200);
    const pump = (): void => {
      while (!res.destroyed) { sent += chunk.length; if (!res.write(chunk)) { res.once('drain', pump); return; } }
    };
    pump();
  });
  const url = `http://127.0.0.1:${port}/endless`;
  const limit = 2 * 1024 * 1024;
  try {
    let received = -1;
    await assert.rejects(fetchFeed(url, { limits: { max_body_bytes: limit } }), (e) => {
      received = (e as AppError).details?.received as number;
      return limitOf('max_body_bytes', url)(e);
    });
    assert.ok(received <= limit && received > limit - 256 * 1024, `kept ${received} bytes`);
    // The connection is closed at once: the server got out the limit plus socket buffers, then stopped.
    await new Promise((r) => setTimeout(r, 100));
    const after = sent;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(sent, after, 'the server can no longer write');
    assert.ok(sent < limit + 24 * 1024 * 1024, `server sent ${sent}`);
  } finally { stop(server); }
});

test('an announced Content-Length over the limit is refused before reading, and a gzip bomb stops at the decoded limit', async () => {
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  const { server, port } = await serve((req, res) => {
    if (req.url === '/bomb') { res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': bomb.length }); res.end(bomb); return; }
    res.writeHead(200, { 'content-length': 10 * 1024 * 1024 });
    res.write('x');
  });
  try {
    const big = `http://127.0.0.1:${port}/big`;
    await assert.rejects(fetchFeed(big, { limits: { max_body_bytes: 1024 * 1024 } }), limitOf('max_body_bytes', big));
    const url = `http://127.0.0.1:${port}/bomb`;
    assert.ok(bomb.length < 1024 * 1024, 'the compressed body is under the limit');
    await assert.rejects(fetchFeed(url, { limits: { max_body_bytes: 1024 * 1024 } }), limitOf('max_body_bytes', url));
  } finally { stop(server); }
});

test('a silent server hits idle_timeout_ms; a trickling one hits total_timeout_ms', { timeout: 10_000 }, async () => {
  const { server, port } = await serve((req, res) => {
    if (req.url === '/silent') return;
    res.writeHead(200);
    const t = setInterval(() => { if (res.destroyed) clearInterval(t); else res.write('.'); }, 20);
  });
  try {
    const silent = `http://127.0.0.1:${port}/silent`;
    await assert.rejects(fetchFeed(silent, { limits: { idle_timeout_ms: 200 } }), limitOf('idle_timeout_ms', silent));
    const trickle = `http://127.0.0.1:${port}/trickle`;
    await assert.rejects(fetchFeed(trickle, { limits: { idle_timeout_ms: 200, total_timeout_ms: 500 } }), limitOf('total_timeout_ms', trickle));
  } finally { stop(server); }
});

test('credentials follow same-origin redirects only (127.0.0.1 -> localhost, or another port, is another origin)', async () => {
  const other = await serve((_req, res) => { res.end('other'); });
  const home = await serve((req, res) => {
    const to: Record<string, string> = {
      '/same': '/final',
      '/host': `http://localhost:${(home.server.address() as AddressInfo).port}/final`,
      '/port': `http://127.0.0.1:${other.port}/final`,
      '/away-and-back': `http://localhost:${(home.server.address() as AddressInfo).port}/same`,
    };
    if (to[req.url ?? '']) { res.writeHead(307, { location: to[req.url ?? ''] }); res.end(); return; }
    res.end('home');
  });
  const secrets = { apiKey: 'K', Authorization: 'Bearer T', Cookie: 'c=1', accept: 'application/json' };
  const opts = { headers: secrets, credentialHeaders: ['APIKEY'] };
  const last = (s: IncomingMessage[]): IncomingMessage => s[s.length - 1];
  try {
    const base = `http://127.0.0.1:${home.port}`;
    const same = await fetchFeed(`${base}/same`, opts);
    assert.equal(same.text(), 'home');
    assert.equal(same.url, `${base}/final`);
    assert.equal(last(home.seen).headers.apikey, 'K');
    assert.equal(last(home.seen).headers.authorization, 'Bearer T');

    for (const path of ['/host', '/away-and-back']) {
      await fetchFeed(`${base}${path}`, opts);
      const h = last(home.seen).headers;
      assert.equal(h.host, `localhost:${home.port}`);
      assert.deepEqual([h.apikey, h.authorization, h.cookie], [undefined, undefined, undefined], path);
      assert.equal(h.accept, 'application/json', 'ordinary headers stay');
    }
    await fetchFeed(`${base}/port`, opts);
    assert.equal(other.seen.length, 1);
    assert.deepEqual([other.seen[0].headers.apikey, other.seen[0].headers.authorization, other.seen[0].headers.cookie], [undefined, undefined, undefined]);
  } finally { stop(home.server); stop(other.server); }
});

test('redirect loops stop at max_redirects; non-HTTP schemes are refused, also as a redirect target', async () => {
  const { server, port, seen } = await serve((req, res) => {
    res.writeHead(302, { location: req.url === '/file' ? 'file:///etc/passwd' : '/loop' });
    res.end();
  });
  try {
    const loop = `http://127.0.0.1:${port}/loop`;
    await assert.rejects(fetchFeed(loop, { limits: { max_redirects: 3 } }), limitOf('max_redirects', loop));
    assert.equal(seen.length, 4, 'the first request and three redirects');
    await assert.rejects(fetchFeed(`http://127.0.0.1:${port}/file`), /refusing file: URL file:\/\/\/etc\/passwd/);
    await assert.rejects(fetchFeed('file:///etc/passwd'), /refusing file: URL/);
    await assert.rejects(fetchFeed('ftp://127.0.0.1/x'), /refusing ftp: URL/);
  } finally { stop(server); }
});

test('every limit has a documented default, and out-of-range overrides name the limit', () => {
  for (const [name, spec] of Object.entries(FEED_FETCH_LIMITS)) assert.ok(spec.doc.length > 20 && spec.default >= spec.min && spec.default <= spec.max, name);
  assert.throws(() => feedFetchLimits({ max_redirects: 100 }, 'csaf sync limits'), /csaf sync limits\.max_redirects/);
});
