// What a scan observed of one host: the contract between the scanner (`src/scan`, which produces
// it through `onResult`) and the exposure module (`src/exposure`, which turns it into asset facts
// and findings). Types only.

export type PortState = 'open' | 'closed' | 'filtered';

export interface PortObservation {
  readonly port: number;
  readonly proto: 'tcp';
  readonly state: PortState;
  /** e.g. 'msrpc', 'netbios-ssn', 'microsoft-ds', 'ncacn_http'. */
  readonly service?: string;
}

/** One endpoint-mapper entry, as impacket's rpcdump prints it. */
export interface EndpointObservation {
  readonly uuid: string;
  readonly version: string;
  readonly annotation?: string;
  /** Decoded binding, e.g. 'ncacn_ip_tcp:127.0.0.1[49664]' or 'ncacn_np:\\\\HOST[\\PIPE\\lsass]'. */
  readonly binding: string;
}

export type CheckVerdict = 'vulnerable' | 'patched' | 'unknown';

export interface CheckObservation {
  /** e.g. 'ms03-026'. */
  readonly check: string;
  /** CVE the check decides, e.g. 'CVE-2003-0352'. */
  readonly cve: string;
  readonly verdict: CheckVerdict;
  /** Why: the fault / HRESULT seen, transport used. */
  readonly reason: string;
  /** Hex of the answer bytes the verdict rests on. */
  readonly evidenceHex?: string;
  readonly port: number;
  /** How the check reached RPCSS: 'ncacn_ip_tcp' (135), 'ncacn_http' (593), or 'ncacn_np' (the
   * \PIPE\epmapper named pipe over SMB on 445 or 139). Absent in results written before it existed. */
  readonly transport?: 'ncacn_ip_tcp' | 'ncacn_http' | 'ncacn_np';
}

/** What the SMB negotiate and the NTLMSSP challenge on 445 (or 139) told about a host. */
export interface SmbObservation {
  readonly port: number;
  /** Dialects the host accepted: 'NT LM 0.12' (SMB1) and the SMB2/3 dialect it chose from all we
   * offer ('2.0.2', '2.1', '3.0', '3.0.2', '3.1.1'; its highest). */
  readonly dialects: readonly string[];
  /** Whether the host still speaks SMB1 (NT LM 0.12); undefined when that was not learned. */
  readonly smb1?: boolean;
  /** Message signing, as the negotiate answer of its highest dialect states it. */
  readonly signing: { readonly enabled: boolean; readonly required: boolean };
  /** SMB1 session setup answer: NativeOS and NativeLanMan, e.g. 'Windows 5.1', 'Windows 2000 LAN Manager'. */
  readonly nativeOs?: string;
  readonly nativeLanMan?: string;
  /** NTLMSSP VERSION of the CHALLENGE: 'major.minor.build', e.g. '5.1.2600'. */
  readonly ntlmVersion?: string;
  /** The CHALLENGE's target info (MS-NLMP 2.2.2.1 AV pairs). */
  readonly netbiosComputer?: string;
  readonly netbiosDomain?: string;
  readonly dnsComputer?: string;
  readonly dnsDomain?: string;
  readonly dnsTree?: string;
  /** The host's clock (negotiate SystemTime), ISO 8601, and its difference from ours in seconds. */
  readonly serverTime?: string;
  readonly clockSkewSeconds?: number;
}

export interface OsFingerprint {
  /** e.g. 'Windows'. */
  readonly family: string;
  /** e.g. 'Windows XP', 'Windows Server 2003', or a build 'Windows 10.0 Build 19041'. */
  readonly version?: string;
  /** CPE 2.3 of the OS where known. */
  readonly cpe?: string;
  /** 0..1. */
  readonly confidence: number;
  readonly evidence: readonly string[];
}

export interface HostScanResult {
  readonly address: string;
  /** Epoch ms when the host's probes finished. */
  readonly scannedAt: number;
  readonly ports: readonly PortObservation[];
  readonly endpoints?: readonly EndpointObservation[];
  /** Interfaces the RPC port serves (mgmt inq_if_ids), e.g. { uuid: 'e1af8308-...', version: '3.0' }. */
  readonly interfaces?: readonly { readonly uuid: string; readonly version: string }[];
  /** From IObjectExporter ServerAlive2 or NTLMSSP. */
  readonly hostname?: string;
  readonly netbiosName?: string;
  readonly dnsName?: string;
  readonly domain?: string;
  /** Every network address the host reported (ServerAlive2 string bindings). */
  readonly addresses?: readonly string[];
  /** The SMB probe's findings (dialects, signing, OS strings, names, clock). */
  readonly smb?: SmbObservation;
  readonly os?: OsFingerprint;
  readonly checks?: readonly CheckObservation[];
  /** Probe errors worth showing (timeouts, resets), never fatal to the scan. */
  readonly errors?: readonly string[];
}

/** One scheduled rescan of `vigil up`, as /api/v1/scans lists it. */
export interface ScanRun {
  readonly id: string;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly targets: readonly string[];
  readonly ports: readonly number[];
  readonly checks: readonly string[];
  readonly state: 'running' | 'done' | 'failed';
  readonly hostsUp?: number;
  readonly hostsTotal?: number;
  readonly error?: string;
  /** What the exposure module made of it. */
  readonly assetsCreated?: number;
  readonly assetsUpdated?: number;
  readonly findingsOpened?: number;
  readonly findingsFixed?: number;
  readonly findingsReopened?: number;
}
