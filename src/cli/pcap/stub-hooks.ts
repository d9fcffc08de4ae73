// What `vigil pcap` plugs into the DCE/RPC connection: the request-stub decoder (DCOM activation
// arguments, endpoint mapper) and interface / operation names as Zeek and Wireshark spell them.

import type { CompletedRequest, NameLookup, StubDecoder } from '../../protocols/dcerpc/connection.js';
import { decodeRequestStub } from '../../protocols/dcerpc/interfaces/index.js';
import { interfaceName, operationName } from '../../kb/dcerpc-names.js';

export const decodeStub: StubDecoder = (req: CompletedRequest) => {
  const d = decodeRequestStub({ ...(req.ifaceUuid !== undefined && { ifaceUuid: req.ifaceUuid }), opnum: req.opnum, stub: req.stub, littleEndian: req.littleEndian });
  return d && { ...(d.activation && { activation: d.activation }), anomalies: d.anomalies };
};

/** Interface and operation names as Zeek's dce_rpc.log spells them (kb name table). */
export const names: NameLookup = (uuid, opnum) => {
  const endpoint = interfaceName(uuid);
  const operation = opnum === undefined ? undefined : operationName(uuid, opnum);
  return { ...(endpoint !== undefined && { endpoint }), ...(operation !== undefined && { operation }) };
};
