// Interface and operation names for `vigil pcap` call records, as Zeek's dce_rpc.log spells them
// (the kb name table); request stubs are decoded by the DCE/RPC connection itself (its default).

import type { NameLookup } from '../../protocols/dcerpc/connection.js';
import { interfaceName, operationName } from '../../kb/dcerpc-names.js';

type Names = ReturnType<NameLookup>;

/** Answers already looked up, by UUID then opnum: a capture repeats a few (interface, opnum) pairs
 * over and over, and each kb lookup compares UUIDs. Bounded: a peer can bind any UUID it likes. */
const memo = new Map<string, Map<number | undefined, Names>>();
const MAX_MEMO_INTERFACES = 1024;

export const names: NameLookup = (uuid, opnum) => {
  let byOpnum = memo.get(uuid);
  const hit = byOpnum?.get(opnum);
  if (hit !== undefined) return hit;
  if (byOpnum === undefined) {
    if (memo.size >= MAX_MEMO_INTERFACES) memo.clear();
    byOpnum = new Map();
    memo.set(uuid, byOpnum);
  }
  const found = lookUp(uuid, opnum);
  // an interface with many opnums still holds at most 65,536 small entries (opnum is a u16)
  byOpnum.set(opnum, found);
  return found;
};

function lookUp(uuid: string, opnum: number | undefined): Names {
  const endpoint = interfaceName(uuid);
  const operation = opnum === undefined ? undefined : operationName(uuid, opnum);
  // frozen: the same answer object is handed to every caller
  return Object.freeze({ ...(endpoint !== undefined && { endpoint }), ...(operation !== undefined && { operation }) });
}
