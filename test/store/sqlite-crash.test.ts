// "Acknowledged is never lost": a child process writes sessions to the SQLite store and is killed
// with SIGKILL mid-stream; after reopening, every acknowledged session is there once and whole.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { crashRecord } from './fixtures.js';

/** The child as compiled JS under dist/, or as TypeScript through tsx when this test runs under tsx. */
function childCommand(): { args: string[]; skip: false | string } {
  const compiled = join(REPO_ROOT, 'dist', 'test', 'store', 'crash-writer-child.js');
  if (!import.meta.url.endsWith('.ts')) return { args: [compiled], skip: existsSync(compiled) ? false : `${compiled} missing (run npm run build)` };
  return { args: ['--import', 'tsx', join(REPO_ROOT, 'test', 'store', 'crash-writer-child.ts')], skip: false };
}

const ACKS_BEFORE_KILL = 400;

describe('SQLite store under SIGKILL', () => {
  const child = childCommand();
  it('keeps every acknowledged session exactly once and never half-writes one', { skip: child.skip, timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
    const file = join(dir, 'vigil.db');
    try {
      const proc = spawn(process.execPath, [...child.args, file], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const acked: string[] = [];
      const exited = new Promise<NodeJS.Signals | null>((res) => proc.on('exit', (_code, signal) => res(signal)));
      for await (const line of createInterface({ input: proc.stdout })) {
        if (line.startsWith('ack ')) acked.push(line.slice(4));
        if (acked.length === ACKS_BEFORE_KILL) proc.kill('SIGKILL');
      }
      assert.equal(await exited, 'SIGKILL', 'the child must die by SIGKILL mid-stream, not finish');

      const store = await openSqliteStore({ file });
      try {
        const stored: string[] = [];
        for (let cursor: string | undefined, guard = 0; guard < 1000; guard++) {
          const page = await store.listSessions({ limit: 1000, order: 'asc', cursor });
          stored.push(...page.items.map((s) => s.id));
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        assert.equal(new Set(stored).size, stored.length, 'no duplicates');
        const present = new Set(stored);
        assert.deepEqual(acked.filter((id) => !present.has(id)), [], 'every acknowledged session survives');
        for (const id of stored) {
          const i = Number(id.slice(5));
          assert.deepEqual(await store.getSession(id), crashRecord(i), `session ${id} is whole`);
        }
        // A replay after the crash (the sensor's spool re-sending) must not duplicate anything.
        const replay = await store.saveSessions(acked.slice(0, 50).map((id) => crashRecord(Number(id.slice(5)))));
        assert.ok(replay.every((r) => !r.inserted));
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
