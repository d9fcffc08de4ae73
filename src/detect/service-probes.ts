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
 * by its `ports` line) from any RPC client. The table holds every TCP probe of nmap 7.9x's
 * nmap-service-probes that is at least 16 bytes long (the sensor judges a stream once a whole
 * common header is in; shorter probes such as GenericLines or Help time out without an anomaly),
 * keyed by its first two bytes. Probes that no client would send to an RPC port are marked as
 * nmap's; plain protocol openings (HTTP, TLS, SSLv2, an SMB or Kerberos length prefix) are service
 * probes of any tool.
 */
const NMAP: Readonly<Record<string, string>> = {
  '0.3': 'afp', '0.14': 'OpenVPN', '0.30': 'DNSVersionBindReqTCP', '0.50': 'drda', '0.90': 'oracle-tns', '0.148': 'informix',
  '1.0': 'WMSRequest', '1.1': 'pcworx', '1.194': 'ibm-db2', '3.0': 'TerminalServerCookie', '5.4': 'Socks5', '16.16': 'mqtt',
  '18.1': 'ms-sql-s', '27.37': 'hp-pjl', '48.48': 'iperf3', '48.132': 'LDAPSearchReq', '58.0': 'NotesRPC', '60.0': 'pervasive-btrieve',
  '60.63': 'metasploit-xmlrpc', '65.0': 'mongodb', '67.78': 'adbConnect', '67.108': 'pervasive-relational', '68.73': 'DistCCD',
  '68.109': 'NCP', '71.73': 'giop', '76.79': 'LibreOfficeImpressSCPair', '84.78': 'LANDesk-RC', '84.83': 'ibm-mqseries',
  '84.86': 'SharpTV', '87.87': 'WWWOFFLEctrlstat', '102.111': 'niagara-fox', '105.110': 'xmlsysd', '128.0': 'RPCCheck',
  '128.16': 'couchbase-data', '194.229': 'Arucer', '214.215': 'NJE', '255.251': 'tn3270',
};
const GENERIC: Readonly<Record<string, string>> = {
  '0.0': 'SMBProgNeg/Kerberos/firebird/ibm-db2-das', '22.3': 'SSLSessionReq/TLSSessionReq', '71.69': 'GetRequest/FourOhFourRequest',
  '79.80': 'HTTPOptions/RTSPRequest/SIPOptions', '128.158': 'SSLv23SessionReq',
};
const PROBES: ReadonlyMap<string, ServiceProbe> = new Map([
  ...Object.entries(NMAP).map(([k, probe]): [string, ServiceProbe] => [k, { probe, tool: 'nmap' }]),
  ...Object.entries(GENERIC).map(([k, probe]): [string, ServiceProbe] => [k, { probe }]),
]);

/** The probe an engine anomaly shows, or undefined when it is not a recognised probe's opening. */
export function serviceProbeOf(a: Pick<Anomaly, 'proto' | 'name' | 'detail'>): ServiceProbe | undefined {
  if (a.proto !== 'dcerpc' || a.name !== 'bad_version' || a.detail === undefined) return undefined;
  const m = /^rpc_vers (\d{1,3}\.\d{1,3})$/.exec(a.detail);
  return m ? PROBES.get(m[1]!) : undefined;
}

/*
 * Lines a service-detection probe leaves in a shell's typed text (nmap -sV sends its probes to 4444
 * like any port): a protocol request line (GetRequest, HTTPOptions, RTSPRequest, SIPOptions), the
 * header lines after it, nmap's `HELP`, or bytes no keyboard types (binary probes, shown as \xNN
 * escapes by the sensor's printable text). None of them is a command anyone typed.
 */
const REQUEST_LINE = /^[A-Z]{3,10} \S{1,256} (?:HTTP|RTSP|SIP)\/\d\.\d$/;
const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]{0,40}: /;

/** Whether a line of printable text (sensor escapes: `\\\\` for a backslash, `\\xNN` for other bytes)
 * looks like binary: it opens with a byte outside printable ASCII, or a quarter of its bytes are. A
 * typed command may carry an escape (`echo <script>\\x1b[2J` tries the terminal) and stays one. */
function looksBinary(line: string): boolean {
  let bytes = 0;
  let escaped = 0;
  for (let i = 0; i < line.length; i++) {
    bytes++;
    if (line.charCodeAt(i) !== 0x5c) continue;
    if (line[i + 1] === 'x' && /^[0-9a-f]{2}$/.test(line.slice(i + 2, i + 4))) {
      if (i === 0) return true;
      escaped++;
      i += 3;
    } else i++; // an escaped backslash, \\t, or any other two-character escape
  }
  return escaped * 4 >= bytes;
}

export function isProbeLine(line: string): boolean {
  return line === 'HELP' || REQUEST_LINE.test(line) || HEADER_LINE.test(line) || looksBinary(line);
}
