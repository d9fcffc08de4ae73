// The JSON shape of one DCE/RPC call (`vigil pcap --calls --json`): Zeek dce_rpc.log's endpoint /
// operation / rtt beside Suricata EVE dcerpc's req / res fragment counts and stub sizes, plus the
// decoded DCOM activation arguments (object name / file name, UNC server component and its length).

import { rfc3339Micro } from '../../core/clock.js';
import type { CallRecord } from '../../model/call.js';
import type { FlowJson } from '../../ingest/capture/pcap-types.js';
import { hex32 } from './pdu-record.js';
import { faultName } from '../../kb/dcerpc-names.js';

export function callRecord(c: CallRecord, flow: FlowJson): Record<string, unknown> {
  const a = c.activation;
  return {
    ts: rfc3339Micro(c.ts),
    flow,
    call_id: c.callId,
    ctx_id: c.ctxId,
    ...(c.ifaceUuid !== undefined && { interface: { uuid: c.ifaceUuid, version: c.ifaceVersion } }),
    endpoint: c.endpoint ?? c.ifaceUuid ?? null,
    opnum: c.opnum,
    operation: c.operation ?? (c.ifaceUuid !== undefined ? `opnum_${c.opnum}` : null),
    ...(c.objectUuid !== undefined && { object_uuid: c.objectUuid }),
    req: { frag_cnt: c.reqFrags, stub_data_size: c.reqStubLen },
    res: { frag_cnt: c.respFrags, stub_data_size: c.respStubLen },
    // Zeek logs rtt in seconds; so do we (microsecond precision, like its interval type).
    rtt: c.rttMs === undefined ? null : Math.round(c.rttMs * 1000) / 1e6,
    status: c.faultStatus !== undefined ? 'fault' : c.respFrags > 0 ? 'ok' : 'no_response',
    ...(c.faultStatus !== undefined && { fault_status: hex32(c.faultStatus) }),
    ...(c.faultStatus !== undefined && faultName(c.faultStatus) !== undefined && { fault_name: faultName(c.faultStatus) }),
    ...(c.authType !== undefined && { auth_type: c.authType, auth_level: c.authLevel }),
    ...(c.sealed === true && { sealed: true }),
    ...(a && {
      activation: {
        method: a.method,
        ...(a.clsid !== undefined && { clsid: a.clsid }),
        ...(a.objectName !== undefined && { object_name: a.objectName }),
        ...(a.fileName !== undefined && { file_name: a.fileName }),
        ...(a.serverName !== undefined && { server_name: a.serverName }),
        ...(a.uncServer !== undefined && { unc_server: a.uncServer, unc_server_length: a.uncServerLength, unc_field: a.uncField }),
        ...(a.iids !== undefined && { iids: a.iids }),
        ...(a.properties !== undefined && { properties: a.properties }),
        ...(a.sizeIssues !== undefined && a.sizeIssues.length > 0 && { size_issues: a.sizeIssues }),
      },
    }),
    anomalies: c.anomalies.map((x) => x.name),
  };
}
