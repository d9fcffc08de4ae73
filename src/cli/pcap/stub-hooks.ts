// What `vigil pcap` plugs into the DCE/RPC connection: the request-stub decoder (DCOM activation
// arguments, endpoint mapper) and interface / operation names as Zeek and Wireshark spell them.

import type { CompletedRequest, NameLookup, StubDecoder } from '../../protocols/dcerpc/connection.js';
import { decodeRequestStub, EPM, IOXID_RESOLVER, IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR, MGMT, OPNUM } from '../../protocols/dcerpc/interfaces/index.js';

export const decodeStub: StubDecoder = (req: CompletedRequest) => {
  const d = decodeRequestStub({ ...(req.ifaceUuid !== undefined && { ifaceUuid: req.ifaceUuid }), opnum: req.opnum, stub: req.stub, littleEndian: req.littleEndian });
  return d && { ...(d.activation && { activation: d.activation }), anomalies: d.anomalies };
};

// Adapter until the knowledge base's full name table (src/kb/dcerpc-names.ts) lands: the port-135
// interfaces whose decoders we ship, named as Zeek's DCE_RPC::uuid_endpoint_map names them.
const PORT_135_NAMES = new Map<string, { endpoint: string; ops: Readonly<Record<number, string>> }>([
  [EPM.uuid, { endpoint: 'epmapper', ops: { 0: 'ept_insert', 1: 'ept_delete', [OPNUM.eptLookup]: 'ept_lookup', [OPNUM.eptMap]: 'ept_map' } }],
  [MGMT.uuid, { endpoint: 'mgmt', ops: { [OPNUM.inqIfIds]: 'inq_if_ids', 1: 'inq_stats', 2: 'is_server_listening', 3: 'stop_server_listening', 4: 'inq_princ_name' } }],
  [IOXID_RESOLVER.uuid, { endpoint: 'IOXIDResolver', ops: { 0: 'ResolveOxid', 1: 'SimplePing', 2: 'ComplexPing', 3: 'ServerAlive', 4: 'ResolveOxid2', [OPNUM.serverAlive2]: 'ServerAlive2' } }],
  [IREMOTE_ACTIVATION.uuid, { endpoint: 'IRemoteActivation', ops: { [OPNUM.remoteActivation]: 'RemoteActivation' } }],
  [ISYSTEM_ACTIVATOR.uuid, { endpoint: 'ISystemActivator', ops: { [OPNUM.remoteGetClassObject]: 'RemoteGetClassObject', [OPNUM.remoteCreateInstance]: 'RemoteCreateInstance' } }],
]);

export const names: NameLookup = (uuid, opnum) => {
  const n = PORT_135_NAMES.get(uuid.toLowerCase());
  if (n === undefined) return {};
  const operation = opnum === undefined ? undefined : n.ops[opnum];
  return { endpoint: n.endpoint, ...(operation !== undefined && { operation }) };
};
