// The sensor's disk spool: order, a read offset that survives a restart, a torn last line from a
// crash, the size bound (whole batches refused and counted), private modes, emptying when replayed.

import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isAppError } from '../../src/core/errors.js';
import { DiskSpool } from '../../src/fleet/disk-spool.js';
import type { FleetMessage } from '../../src/fleet/fleet-wire.js';

const msg = (i: number): FleetMessage => ({ subject: 'vigil.fleet.s.session', id: `id-${i}`, body: JSON.stringify({ v: 1, n: i }) });

function withDir(fn: (dir: string) => void): void {
  const dir = join(mkdtempSync(join(tmpdir(), 'vigil-spool-')), 'spool');
  try {
    fn(dir);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
}

describe('fleet disk spool', () => {
  it('hands messages back in order and resumes after the committed offset when reopened', () => withDir((dir) => {
    const a = new DiskSpool(dir, 1 << 20);
    a.append([msg(1), msg(2), msg(3)]);
    a.append([msg(4)]);
    const first = a.peek(2);
    assert.deepEqual(first.messages.map((m) => m.id), ['id-1', 'id-2']);
    a.commit(first.next, 2);
    a.close();
    const b = new DiskSpool(dir, 1 << 20);
    const rest = b.peek(10);
    assert.deepEqual(rest.messages.map((m) => m.id), ['id-3', 'id-4']);
    b.commit(rest.next, 2);
    assert.equal(b.isEmpty, true);
    assert.equal(statSync(join(dir, 'spool.jsonl')).size, 0, 'a replayed spool starts again from an empty file');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'spool.jsonl')).mode & 0o777, 0o600);
    b.close();
  }));

  it('skips a torn last line (a crash mid-append was never acknowledged)', () => withDir((dir) => {
    const a = new DiskSpool(dir, 1 << 20);
    a.append([msg(1)]);
    a.close();
    appendFileSync(join(dir, 'spool.jsonl'), '{"subject":"vigil.fleet.s.session","id":"id-2","bo');
    const b = new DiskSpool(dir, 1 << 20);
    b.append([msg(3)]);
    const got = b.peek(10);
    assert.deepEqual(got.messages.map((m) => m.id), ['id-1', 'id-3']);
    b.commit(got.next, 2);
    assert.equal(b.isEmpty, true);
    b.close();
  }));

  it('refuses a whole batch past its bound, counts it, and keeps what it had', () => withDir((dir) => {
    const s = new DiskSpool(dir, 200);
    s.append([msg(1), msg(2)]);
    assert.throws(() => s.append([msg(3), msg(4)]), (e) => isAppError(e, 'VIGIL_ERR_LIMIT'));
    assert.deepEqual(s.snapshot.dropped, 2);
    assert.deepEqual(s.peek(10).messages.map((m) => m.id), ['id-1', 'id-2']);
    s.close();
  }));
});
