// Store metrics on a scrape: saved, replayed, appended and pruned counts and the live size, read
// from a real SQLite store after known operations.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/clock.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { registerStoreMetrics } from '../../src/store/store-metrics.js';
import { T0, connEvent, makeSession } from './fixtures.js';

it('exports what the store did as Prometheus metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-metrics-'));
  const store = await openSqliteStore({ file: join(dir, 'vigil.db'), retention: { maxAgeDays: 1, maxSizeMb: 0 }, background: false, clock: new ManualClock(T0 + 5 * 86_400_000) });
  try {
    const registry = new Registry();
    registerStoreMetrics(registry, store);
    registerStoreMetrics(registry, store); // idempotent per registry
    const s = [makeSession({ startTs: T0 }), makeSession({ startTs: T0 + 1 }), makeSession({ startTs: T0 + 4 * 86_400_000 })];
    await store.saveSessions(s);
    await store.saveSession(s[0]);
    await store.appendEvents([connEvent({ ts: T0 }), connEvent({ ts: T0 + 1 })]);
    await store.prune();
    const text = await registry.metrics();
    const value = (re: RegExp): number => Number(re.exec(text)?.[1]);
    assert.equal(value(/^vigil_store_sessions_saved_total (\d+)$/m), 3);
    assert.equal(value(/^vigil_store_sessions_replayed_total (\d+)$/m), 1);
    assert.equal(value(/^vigil_store_events_appended_total (\d+)$/m), 2);
    assert.equal(value(/^vigil_store_pruned_total\{kind="session"\} (\d+)$/m), 2);
    assert.equal(value(/^vigil_store_pruned_total\{kind="event"\} (\d+)$/m), 2);
    assert.equal(value(/^vigil_store_pending_writes (\d+)$/m), 0);
    assert.equal(value(/^vigil_store_size_bytes (\d+)$/m), await store.sizeBytes());
    assert.ok(value(/^vigil_store_size_bytes (\d+)$/m) > 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
