// Interface and operation names for call records, from the one name table (dcerpc-names.ts), as an
// object with a lifetime: a sensor or a capture run makes one and hands its `lookup` to every
// DCE/RPC connection it owns (the codec's NameLookup). The memo inside is that owner's, so two
// pipelines in one process never share it.

import { interfaceName, operationName } from './dcerpc-names.js';

export interface CallNameAnswer {
  readonly endpoint?: string;
  readonly operation?: string;
}

/** Interfaces remembered at most: a peer can bind any UUID it likes. */
const MAX_MEMO_INTERFACES = 1024;

export class CallNames {
  /** Answers by UUID then opnum: traffic repeats a few (interface, opnum) pairs over and over, and
   * each table lookup lowercases and compares UUIDs. */
  private readonly memo = new Map<string, Map<number | undefined, CallNameAnswer>>();

  /** The lookup to give DcerpcConnection (`names`); bound, so it can be passed around alone. */
  readonly lookup = (uuid: string, opnum?: number): CallNameAnswer => {
    let byOpnum = this.memo.get(uuid);
    const hit = byOpnum?.get(opnum);
    if (hit !== undefined) return hit;
    if (byOpnum === undefined) {
      if (this.memo.size >= MAX_MEMO_INTERFACES) this.memo.clear();
      byOpnum = new Map();
      this.memo.set(uuid, byOpnum);
    }
    const endpoint = interfaceName(uuid);
    const operation = opnum === undefined ? undefined : operationName(uuid, opnum);
    // frozen: the same answer object goes to every caller; an interface with many opnums still
    // holds at most 65,536 small entries (opnum is a u16)
    const found = Object.freeze({ ...(endpoint !== undefined && { endpoint }), ...(operation !== undefined && { operation }) });
    byOpnum.set(opnum, found);
    return found;
  };
}
