// GroupCommitter: writes submitted while a commit runs share the next one, each promise settles
// with its own result only after its batch committed, and one bad item fails alone.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommitter } from '../../src/store/group-commit.js';

describe('GroupCommitter', () => {
  it('commits writes from the same tick in one batch, bounded by maxBatch, results in order', async () => {
    const batches: number[][] = [];
    const committed = new Set<number>();
    const gc = new GroupCommitter<number, string>(async (items) => {
      batches.push([...items]);
      await new Promise((r) => setTimeout(r, 5));
      items.forEach((i) => committed.add(i));
      return items.map((i) => `ok${i}`);
    }, 4);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i).then((r) => {
      assert.ok(committed.has(i), 'resolved only after its batch committed');
      return r;
    })));
    assert.deepEqual(results, Array.from({ length: 10 }, (_, i) => `ok${i}`));
    assert.deepEqual(batches, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    assert.equal(gc.pending, 0);
  });

  it('retries a failed batch item by item so only the bad item is rejected', async () => {
    const gc = new GroupCommitter<number, number>(async (items) => {
      if (items.includes(13)) throw new Error('constraint failed');
      return items.map((i) => i * 2);
    });
    const settled = await Promise.allSettled([1, 13, 3].map((i) => gc.submit(i)));
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<number>).value), [2, 6]);
  });

  it('flush waits for writes submitted while a batch is committing', async () => {
    let done = 0;
    const gc = new GroupCommitter<number, void>(async (items) => {
      await new Promise((r) => setTimeout(r, 5));
      done += items.length;
      return items.map(() => undefined);
    });
    void gc.submit(1);
    await new Promise((r) => setTimeout(r, 2));
    void gc.submit(2);
    await gc.flush();
    assert.equal(done, 2);
  });
});
