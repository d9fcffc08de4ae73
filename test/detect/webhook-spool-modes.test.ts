// Webhook spools hold whole alerts (sources, indicators) under the data directory: the spool
// directory is created 0700 and every file in it (spool, offset, dead letters) 0600 whatever the umask.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeAlert } from '../../src/detect/alert-factory.js';
import { WebhookSink } from '../../src/detect/webhook-sink.js';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

test('webhook spool directory 0700; spool, offset and dead-letter files 0600', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-spool-modes-'));
  // Takes the first alert, refuses the second for good, so every kind of spool file gets written.
  let n = 0;
  const server = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(n++ === 0 ? 204 : 422).end()); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const umask = process.umask(0);
  const spoolDir = join(root, 'spool');
  try {
    const sink = new WebhookSink({ name: 'soc', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, secret: 's', spoolDir, retryBaseMs: 20, retryMaxMs: 40 });
    for (const src of ['198.51.100.1', '198.51.100.2']) sink.deliver(makeAlert({ ts: 1, detector: 'trw', rule: 'scan', severity: 'medium', title: 't', src, dedupKey: src }));
    await sink.drain();
    await sink.close();
  } finally {
    process.umask(umask);
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.equal(mode(spoolDir), '700');
  const files = readdirSync(spoolDir);
  assert.ok(files.length >= 3, files.join(', '));
  for (const f of files) assert.equal(mode(join(spoolDir, f)), '600', f);
  rmSync(root, { recursive: true, force: true });
});
