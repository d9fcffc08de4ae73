// A DCE/RPC call as Vigil records it: shaped like a Zeek dce_rpc.log record and Suricata's EVE
// `dcerpc` object, plus the decoded DCOM activation arguments the detectors need.

import type { Anomaly } from './anomaly.js';

/** Arguments decoded from a DCOM activation request (IRemoteActivation / ISystemActivator). */
export interface ActivationArgs {
  readonly method: 'RemoteActivation' | 'RemoteCreateInstance' | 'RemoteGetClassObject';
  readonly clsid?: string;
  /** IRemoteActivation pwszObjectName. */
  readonly objectName?: string;
  /** ISystemActivator InstanceInfoData.fileName. */
  readonly fileName?: string;
  /** COSERVERINFO pwszName (SecurityInfoData). */
  readonly serverName?: string;
  /** UNC server component (between the leading `\\` and the next `\`) of whichever name carries one. */
  readonly uncServer?: string;
  readonly uncServerLength?: number;
  /** Which field the UNC server came from: `objectName`, `fileName` or `serverName`. */
  readonly uncField?: string;
  readonly iids?: readonly string[];
  readonly protseqs?: readonly number[];
  /** Declared-vs-present size disagreements found while decoding, as human strings. */
  readonly sizeIssues?: readonly string[];
  /** Names of the activation property structures found (e.g. InstanceInfoData). */
  readonly properties?: readonly string[];
}

export interface CallRecord {
  /** Time of the first request fragment, ms since epoch. */
  readonly ts: number;
  readonly callId: number;
  readonly ctxId: number;
  readonly ifaceUuid?: string;
  readonly ifaceVersion?: string;
  /** Interface name from the kb table, as Zeek's dce_rpc.log names it (e.g. `IRemoteSCMActivator`), when known. */
  readonly endpoint?: string;
  readonly opnum: number;
  /** Operation name (e.g. `RemoteCreateInstance`), when known. */
  readonly operation?: string;
  readonly objectUuid?: string;
  readonly reqFrags: number;
  readonly respFrags: number;
  readonly reqStubLen: number;
  readonly respStubLen: number;
  /** Round-trip time in ms from first request fragment to last response fragment. */
  readonly rttMs?: number;
  /** Fault status (e.g. 0x1c010002) when the call failed with a fault PDU. */
  readonly faultStatus?: number;
  readonly authType?: number;
  readonly authLevel?: number;
  /** The request was sent at packet privacy (auth level 6): its stub is encrypted, so it was neither
   * decoded nor checked by the detectors; only its size, interface and opnum are known. */
  readonly sealed?: boolean;
  readonly activation?: ActivationArgs;
  /** Decoded arguments of the calls later worms abused (NetprPathCanonicalize path, Netlogon
   * authenticate credential, ...); absent for calls not decoded. */
  readonly args?: Readonly<Record<string, string | number | boolean>>;
  /** `ncacn_np` when the call travelled in an SMB named pipe (absent: directly over TCP, ncacn_ip_tcp). */
  readonly transport?: 'ncacn_np';
  /** The named pipe, lower-case without `\\PIPE\\` (`srvsvc`, `lsarpc`, `epmapper`), for ncacn_np. */
  readonly pipe?: string;
  readonly anomalies: readonly Anomaly[];
}
