// The targets of one scan as disjoint address ranges, indexed 0..size-1 without listing them: the
// permutation (permutation.ts) draws indices and `at(i)` turns one into an address, so a /16 costs a
// few ranges of memory, not 65,536 strings.

import { AppError } from '../core/errors.js';
import { bigToAddress, formatRange, rangeSize, type IpRange } from './ip-ranges.js';

export class TargetSpace {
  /** Index of the first address of each range. */
  private readonly starts: number[];

  private constructor(readonly ranges: readonly IpRange[], readonly size: number) {
    this.starts = [];
    let at = 0;
    for (const r of ranges) {
      this.starts.push(at);
      at += Number(rangeSize(r));
    }
  }

  static of(ranges: readonly IpRange[], maxTargets: number): TargetSpace {
    let total = 0n;
    for (const r of ranges) total += rangeSize(r);
    if (total > BigInt(maxTargets)) {
      throw new AppError('VIGIL_ERR_LIMIT', `the targets hold ${total} addresses, more than scan.maxTargets ${maxTargets}; split the scan or raise the limit`);
    }
    return new TargetSpace(ranges, Number(total));
  }

  /** The address at index `i` (0 <= i < size). */
  at(i: number): string {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    const r = this.ranges[lo];
    const off = i - this.starts[lo];
    if (r.family === 4) {
      // the common case without BigInt or ipaddr.js: a dotted quad from a 32-bit number
      const v = Number(r.lo) + off;
      return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    }
    return bigToAddress(6, r.lo + BigInt(off));
  }

  describe(): string {
    return this.ranges.map(formatRange).join(', ');
  }
}
