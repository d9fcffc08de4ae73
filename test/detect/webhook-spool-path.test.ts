// A webhook name reaches the spool file names: whatever the name (configuration refuses unsafe ones,
// but the sink may be built without it), every spool file stays inside the spool directory, mode 0600.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { makeAlert } from '../../src/detect/alert-factory.js';
import { spoolFileStem, WebhookSink, WEBHOOK_NAME_PATTERN } from '../../src/detect/webhook-sink.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

const HOSTILE = ['../../..', '..', '../escape', '../../../../escape', 'x/../../../../../escape', 'a/b', '/abs/olute', '.', '', 'a\\..\\b', 'x'.repeat(300), 'soc\u0000'];

test('spool file stems: safe names unchanged, any other name a distinct name of the safe alphabet', () => {
  assert.equal(spoolFileStem('soc'), 'soc');
  assert.equal(spoolFileStem('SOC-2.prod_eu'), 'SOC-2.prod_eu');
  const stems = HOSTILE.map(spoolFileStem);
  for (const s of stems) assert.match(s, WEBHOOK_NAME_PATTERN);
  assert.equal(new Set(stems).size, stems.length, 'no two names share a spool');
});

test('a sink named ../../.. (or any hostile name) keeps every spool file inside the spool directory, mode 0600', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-spool-path-'));
  const spoolDir = join(root, 'data', 'a', 'b', 'spool');
  mkdirSync(spoolDir, { recursive: true });
  // Takes the first alert of each sink and refuses the next for good, so spool, offset and dead-letter files all exist.
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => { const n = seen.get(req.url ?? '') ?? 0; seen.set(req.url ?? '', n + 1); res.writeHead(n === 0 ? 204 : 422).end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    for (const [i, name] of HOSTILE.entries()) {
      const sink = new WebhookSink({ name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${i}`, secret: 's'.repeat(16), spoolDir, retryBaseMs: 10, retryMaxMs: 20 });
      for (const src of ['198.51.100.1', '198.51.100.2']) sink.deliver(makeAlert({ ts: 1, detector: 'trw', rule: 'scan', severity: 'medium', title: 't', src, dedupKey: src }));
      await sink.drain();
      await sink.close();
      assert.equal(sink.delivered, 2, JSON.stringify(name));
      assert.equal(sink.deadLettered, 1, JSON.stringify(name));
    }
  } finally { await new Promise<void>((r) => server.close(() => r())); }
  const files = filesUnder(root);
  assert.ok(files.length >= 3 * HOSTILE.length, files.join('\n'));
  for (const f of files) {
    assert.equal(dirname(resolve(f)), resolve(spoolDir), `${f} is outside the spool directory`);
    assert.equal((statSync(f).mode & 0o777).toString(8), '600', f);
  }
  rmSync(root, { recursive: true, force: true });
});
