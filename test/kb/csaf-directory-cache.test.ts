// The public CSAF provider directory is served from a per-app cache: repeated requests do not rebuild
// it, and an advisory published through another connection (as `vigil advisory publish` does from its
// own process) is in the very next response.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { buildServer } from '../../src/server/app.js';
import { kbRoutePlugins } from '../../src/server/routes/vulns.js';
import { loadStarterData } from '../../src/kb/data/starter-data.js';
import { buildAdvisory, publishAdvisory } from '../../src/kb/csaf/csaf-writer.js';

const publisher = { category: 'coordinator', name: 'Vigil', namespace: 'https://vigil.example' } as const;
let dir = '';
let node: SqliteStore;
let cli: SqliteStore;
let app: FastifyInstance;
let listCalls = 0;

/** What `AdvisoryService.publish` stores, without the CSAF validator's seconds of start-up (its own tests run it). */
async function publish(kb: KbSqliteStore, trackingId: string, cve: string): Promise<void> {
  const now = '2025-04-01T00:00:00.000Z';
  const record = await kb.getVulnerability(cve);
  assert.ok(record);
  const doc = publishAdvisory(buildAdvisory({ trackingId, title: trackingId, summary: 'Patch.', publisher, vulnerabilities: [record], now }), now);
  const t = doc.document.tracking;
  await kb.putAdvisory({
    trackingId, version: t.version, status: t.status, title: trackingId, initialReleaseDate: t.initial_release_date,
    currentReleaseDate: t.current_release_date, tlp: 'WHITE', document: doc,
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-csaf-cache-'));
  const file = join(dir, 'vigil.db');
  node = await openSqliteStore({ file, background: false });
  cli = await openSqliteStore({ file, background: false });
  const kb = new KbSqliteStore(node.kysely);
  await loadStarterData(kb);
  await publish(kb, 'VIGIL-2025-0001', 'CVE-2003-0352');
  // Counts how often the directory is built: each build lists the advisories once.
  const counted = new Proxy(kb, {
    get(target, key, receiver) {
      if (key === 'listAdvisories') return async () => { listCalls++; return target.listAdvisories(); };
      const v = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  app = await buildServer({ store: node, registry: new Registry(), token: 'x'.repeat(32), routes: kbRoutePlugins({ kb: counted, baseUrl: 'https://vigil.example', publisher }) });
});
after(async () => {
  await app?.close();
  await cli?.close();
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('CSAF directory: built once for many requests, rebuilt when another process publishes', async () => {
  const index = async () => (await app.inject({ url: '/.well-known/csaf/white/index.txt' })).body;
  assert.equal(await index(), '2025/vigil-2025-0001.json\n');
  const [a, b] = await Promise.all([index(), app.inject({ url: '/.well-known/csaf/provider-metadata.json' })]);
  assert.equal(a, '2025/vigil-2025-0001.json\n');
  assert.equal(b.statusCode, 200);
  assert.equal(listCalls, 1, 'three requests, one build');

  await publish(new KbSqliteStore(cli.kysely), 'VIGIL-2025-0002', 'CVE-2003-0528');
  assert.equal(await index(), '2025/vigil-2025-0001.json\n2025/vigil-2025-0002.json\n');
  assert.equal((await app.inject({ url: '/.well-known/csaf/white/2025/vigil-2025-0002.json' })).json().document.tracking.id, 'VIGIL-2025-0002');
  assert.equal(listCalls, 2, 'one rebuild for the publication');
});
