// Session identifiers: ULID layout (https://github.com/ulid/spec): 48-bit ms time then 80 random
// bits in Crockford base32, so ids sort by start time. Hand-written: 20 lines, no dependency needed.

import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// One getrandom() call per 409 ids instead of one per id: ids are minted on every accept.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** Where the next 10 unused random bytes start in the pool. */
function random10(): number {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 10;
  return poolAt - 10;
}

/** The 26 characters of an id, written in place and read out as one string: building it by
 * concatenation made ~25 intermediate strings per accepted connection. */
const chars = Buffer.alloc(26);
const CODES = Buffer.from(ALPHABET, 'latin1');

export function newSessionId(ms: number): string {
  let t = Math.floor(ms);
  for (let i = 9; i >= 0; i--) {
    chars[i] = CODES[t % 32];
    t = Math.floor(t / 32);
  }
  const rnd = random10();
  let bits = 0;
  let acc = 0;
  let at = 10;
  for (let i = 0; i < 10; i++) {
    acc = (acc << 8) | pool[rnd + i];
    bits += 8;
    while (bits >= 5) {
      chars[at++] = CODES[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return chars.toString('latin1', 0, 26);
}
