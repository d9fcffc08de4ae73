// Interface and operation names for `vigil pcap` call records, as Zeek's dce_rpc.log spells them
// (the kb name table); request stubs are decoded by the DCE/RPC connection itself (its default).

import type { NameLookup } from '../../protocols/dcerpc/connection.js';
import { interfaceName, operationName } from '../../kb/dcerpc-names.js';

export const names: NameLookup = (uuid, opnum) => {
  const endpoint = interfaceName(uuid);
  const operation = opnum === undefined ? undefined : operationName(uuid, opnum);
  return { ...(endpoint !== undefined && { endpoint }), ...(operation !== undefined && { operation }) };
};
