// Association group ids drawn from pooled random bytes: always in RPCSS's range, uniform enough to
// reach both ends, and different from connection to connection.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssocGroupIds } from '../../src/sensor/responders/assoc-group-ids.js';

test('assoc group ids stay in [0x1000, 0x10000) and spread over the range', () => {
  const ids = new AssocGroupIds();
  const seen = new Set<number>();
  let low = 0;
  for (let i = 0; i < 20_000; i++) {
    const v = ids.next();
    assert.ok(Number.isInteger(v) && v >= 0x1000 && v < 0x10000, `0x${v.toString(16)}`);
    if (v < 0x2000) low++;
    seen.add(v);
  }
  // 20,000 draws over 61,440 values: most distinct; the lowest sixteenth gets about 1/15 of them
  // (a modulo-biased draw would give it twice that).
  assert.ok(seen.size > 15_000, `${seen.size} distinct`);
  assert.ok(low > 900 && low < 1800, `${low} below 0x2000`);
});
