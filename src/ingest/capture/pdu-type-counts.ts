// PDUs of a capture counted by ptype, for the totals' `pdus` and `pdusByType`: one array slot per
// ptype byte, named once at the end (a keyed property update per PDU was a measurable cost).

import { ptypeName } from '../../protocols/dcerpc/pdu-decode.js';

export class PduTypeCounts {
  private readonly counts = new Array<number>(256).fill(0);
  /** ptypes in the order first seen: the order of the `pdusByType` keys. */
  private readonly order: number[] = [];
  total = 0;

  count(ptype: number): void {
    if (this.counts[ptype]++ === 0) this.order.push(ptype);
    this.total++;
  }

  /** Counts by ptype name (`request`, `bind_ack`, ..., `ptype_N`), in first-seen order. */
  byName(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.order) out[ptypeName(t)] = this.counts[t];
    return out;
  }
}
