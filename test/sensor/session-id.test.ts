// Session ids: 26 Crockford base32 characters, the first 10 the start time in ms (ULID layout), so
// ids sort by start time; the 80 random bits make them unique.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newSessionId } from '../../src/sensor/session-id.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const timeOf = (id: string): number => [...id.slice(0, 10)].reduce((t, c) => t * 32 + ALPHABET.indexOf(c), 0);

test('an id is 26 Crockford base32 characters whose first 10 encode the time in ms', () => {
  for (const ms of [0, 1, 1_795_686_845_119, 2 ** 48 - 1, 1_060_617_600_000.7]) {
    const id = newSessionId(ms);
    assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(timeOf(id), Math.floor(ms));
  }
});

test('ids are unique and sort by time, across many ids and the random pool refills', () => {
  const ids: string[] = [];
  for (let i = 0; i < 5000; i++) ids.push(newSessionId(1_795_686_845_000 + Math.floor(i / 100)));
  assert.equal(new Set(ids).size, ids.length);
  const byTime = [...ids].sort((a, b) => timeOf(a) - timeOf(b));
  assert.deepEqual([...ids].sort().map(timeOf), byTime.map(timeOf));
  // The random part uses all of the alphabet (a stuck bit or byte would show here).
  const used = new Set(ids.flatMap((id) => [...id.slice(10)]));
  assert.equal(used.size, 32);
  // Each returned id is its own string: minting the next one does not change it.
  const a = newSessionId(5);
  const copy = `${a}`;
  newSessionId(6);
  assert.equal(a, copy);
});
