// Association group ids as RPCSS hands them out: uniformly random in [0x1000, 0x10000). Drawn from a
// pool of random bytes refilled in bulk (crypto.randomInt per connection cost about a microsecond
// each). One pool per sensor, shared by its connections.

import { randomFillSync } from 'node:crypto';

export class AssocGroupIds {
  private readonly pool = Buffer.alloc(2048);
  private at = this.pool.length;

  next(): number {
    for (;;) {
      if (this.at + 2 > this.pool.length) {
        randomFillSync(this.pool);
        this.at = 0;
      }
      const v = this.pool.readUInt16LE(this.at);
      this.at += 2;
      // Rejection keeps it uniform: 0xf000 values map one to one, the top 0x1000 are drawn again.
      if (v < 0xf000) return 0x1000 + v;
    }
  }
}
