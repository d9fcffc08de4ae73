// Session identifiers: ULID layout (https://github.com/ulid/spec): 48-bit ms time then 80 random
// bits in Crockford base32, so ids sort by start time. Hand-written: 20 lines, no dependency needed.

import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// One getrandom() call per 409 ids instead of one per id: ids are minted on every accept.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function random10(): Buffer {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 10;
  return pool.subarray(poolAt - 10, poolAt);
}

export function newSessionId(ms: number): string {
  let time = '';
  let t = Math.floor(ms);
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rnd = random10();
  let bits = 0;
  let acc = 0;
  let tail = '';
  for (const b of rnd) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      tail += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return time + tail;
}
