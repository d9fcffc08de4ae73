// Background retention: the runner works off a backlog in bounded passes, survives a failing pass,
// and on the SQLite store prunes old sessions while new ones keep being acknowledged.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/logger.js';
import { RetentionRunner } from '../../src/store/retention.js';
import type { PruneResult } from '../../src/store/store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { T0, makeSession } from './fixtures.js';

const result = (sessions: number, more: boolean): PruneResult => ({ sessions, events: 0, payloads: 0, statsRows: 0, more });

describe('RetentionRunner', () => {
  it('runs passes back to back while more is due, and no more than maxPassesPerRound', async () => {
    let backlog = 10;
    const runner = new RetentionRunner(async () => {
      const n = Math.min(3, backlog);
      backlog -= n;
      return result(n, backlog > 0);
    }, { maxPassesPerRound: 2, clock: new ManualClock(T0) });
    await runner.runRound();
    assert.equal(backlog, 4, 'two passes of three');
    await runner.runRound();
    assert.equal(backlog, 0);
    await runner.stop();
  });

  it('logs a failing pass and runs again next round', async () => {
    const warnings: unknown[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (o) => warnings.push(o) };
    let calls = 0;
    const runner = new RetentionRunner(async () => {
      calls++;
      if (calls === 1) throw new Error('database is locked');
      return result(1, false);
    }, { logger });
    await runner.runRound();
    await runner.runRound();
    assert.equal(calls, 2);
    assert.equal(warnings.length, 1);
  });
});

describe('SQLite store background retention', () => {
  it('prunes sessions older than maxAgeDays on its own while writes are acknowledged', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-ret-'));
    const clock = new ManualClock(T0 + 10 * 86_400_000);
    const store = await openSqliteStore({ file: join(dir, 'vigil.db'), retention: { maxAgeDays: 1, maxSizeMb: 0 }, clock, pruneIntervalMs: 20, pruneBatch: 50 });
    try {
      const old = Array.from({ length: 600 }, (_, i) => makeSession({ startTs: T0 + i }));
      await store.saveSessions(old);
      const fresh: string[] = [];
      // Keep writing while the pruner works; stop when the old sessions are gone (bounded).
      for (let round = 0; round < 500; round++) {
        const s = makeSession({ startTs: clock.now() - 1000 + round });
        assert.equal((await store.saveSession(s)).inserted, true);
        fresh.push(s.id);
        const page = await store.listSessions({ until: T0 + 86_400_000, limit: 1 });
        if (page.items.length === 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal((await store.listSessions({ until: T0 + 86_400_000 })).items.length, 0, 'old sessions pruned in the background');
      const left = (await store.listSessions({ limit: 1000 })).items.map((s) => s.id);
      assert.deepEqual(new Set(left), new Set(fresh), 'every fresh session kept');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
