// Service-detection probes recognised from the first bytes a peer sent to a DCE/RPC port: the probe
// strings of nmap's nmap-service-probes (`Probe TCP <name> q|...|`), as the codec reports them.

import type { Anomaly } from '../model/anomaly.js';

export interface ServiceProbe {
  /** nmap-service-probes probe name(s) these first bytes belong to. */
  readonly probe: string;
  /** The tool when only it sends these bytes to an RPC port; undefined for generic text (an HTTP GET). */
  readonly tool?: 'nmap';
}

/*
 * The codec sees a probe as a DCE/RPC header whose version bytes are the probe's first two bytes
 * (`bad_version`, detail `rpc_vers <byte0>.<byte1>`): too little to tell GetRequest from
 * FourOhFourRequest, enough to tell a DNS query (nmap's DNSVersionBindReqTCP, which nmap sends to 135
 * by its `ports` line) from any RPC client. Probes that no client would send to an RPC port are
 * marked as nmap's; plain protocol openings (HTTP, TLS, SMB) are service probes of any tool.
 */
const PROBES: ReadonlyMap<string, ServiceProbe> = new Map([
  ['0.30', { probe: 'DNSVersionBindReqTCP', tool: 'nmap' }],
  ['0.12', { probe: 'DNSStatusRequestTCP', tool: 'nmap' }],
  ['128.0', { probe: 'RPCCheck', tool: 'nmap' }],
  ['108.0', { probe: 'X11Probe', tool: 'nmap' }],
  ['3.0', { probe: 'TerminalServer/TerminalServerCookie', tool: 'nmap' }],
  ['48.132', { probe: 'LDAPSearchReq', tool: 'nmap' }],
  ['48.12', { probe: 'LDAPBindReq', tool: 'nmap' }],
  ['1.100', { probe: 'LPDString', tool: 'nmap' }],
  ['74.82', { probe: 'JavaRMI', tool: 'nmap' }],
  ['18.1', { probe: 'ms-sql-s', tool: 'nmap' }],
  ['13.13', { probe: 'mydoom', tool: 'nmap' }],
  ['68.109', { probe: 'NCP', tool: 'nmap' }],
  ['84.78', { probe: 'LANDesk-RC', tool: 'nmap' }],
  ['58.0', { probe: 'NotesRPC', tool: 'nmap' }],
  ['0.90', { probe: 'oracle-tns', tool: 'nmap' }],
  ['0.0', { probe: 'SMBProgNeg/Kerberos' }],
  ['71.69', { probe: 'GetRequest/FourOhFourRequest' }],
  ['79.80', { probe: 'HTTPOptions/RTSPRequest/SIPOptions' }],
  ['13.10', { probe: 'GenericLines' }],
  ['72.69', { probe: 'Help' }],
  ['69.72', { probe: 'Hello' }],
  ['22.3', { probe: 'SSLSessionReq/TLSSessionReq' }],
]);

/** The probe an engine anomaly shows, or undefined when it is not a recognised probe's opening. */
export function serviceProbeOf(a: Pick<Anomaly, 'proto' | 'name' | 'detail'>): ServiceProbe | undefined {
  if (a.proto !== 'dcerpc' || a.name !== 'bad_version' || a.detail === undefined) return undefined;
  const m = /^rpc_vers (\d{1,3}\.\d{1,3})$/.exec(a.detail);
  return m ? PROBES.get(m[1]!) : undefined;
}
