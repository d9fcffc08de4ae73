// Options, totals and per-run state of the capture pipeline (pcap-driver.ts), in their own file so
// that the driver and the per-flow DCE/RPC handler can share them without importing each other.

import type { Anomaly } from '../../model/anomaly.js';
import type { Direction } from '../../model/flow.js';
import type { CallRecord } from '../../model/call.js';
import type { ConnEvent } from '../../model/event.js';
import type { NameLookup, StubDecoder } from '../../protocols/dcerpc/connection.js';
import type { PduHeader, Pdu } from '../../protocols/dcerpc/pdu-types.js';
import type { DcerpcLimitOverrides } from '../../protocols/dcerpc/dcerpc-limits.js';
import type { SmbLimitOverrides } from '../../protocols/smb/smb-limits.js';
import type { CaptureLimitName } from '../../protocols/pcap/capture-limits.js';
import type { PduTypeCounts } from './pdu-type-counts.js';

/** A connection's endpoints as records show them (originator first). */
export interface FlowJson {
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
}

/** What the pipeline knows of one PDU: where and when, the header, the decoded body if it decoded. */
export interface PduEvent {
  readonly tsMs: number;
  readonly flow: FlowJson;
  readonly direction: Direction;
  /** Frame number (tshark frame.number) of the packet that completed the PDU. */
  readonly frame: number;
  readonly header: PduHeader;
  readonly pdu: Pdu | undefined;
  readonly anomalies: readonly Anomaly[];
  /** `ncacn_np` when an SMB named pipe carried it; absent directly over TCP. */
  readonly transport?: 'ncacn_np';
  /** The named pipe that carried it, when its open was seen. */
  readonly pipe?: string;
}

export interface AnalyzeOptions {
  /** Every DCE/RPC PDU (decoded or not); leave unset in counting mode to skip building events. */
  readonly onPdu?: (e: PduEvent) => void;
  /** Every finished call (response, fault, or end of connection). */
  readonly onCall?: (call: CallRecord, flow: FlowJson) => void;
  /** Every DCE/RPC anomaly a connection raises that no call record carries (those reach a call
   * receiver inside the call), with its flow and the capture time: what a sensor emits as an
   * anomaly event; and the TCP stream anomalies of a DCE/RPC connection (proto 'tcp'). Other
   * capture-level (file, IP) anomalies are only counted. */
  readonly onAnomaly?: (a: Anomaly, flow: FlowJson, tsMs: number) => void;
  /** Every TCP connection once closed (FIN, RST, eviction, end of capture) and every UDP flow once
   * idle or at the end, as a conn event (source 'pcap', time of its first packet) with `connState`
   * its Zeek conn_state (see conn-event.ts and udp-flows.ts). */
  readonly onConnection?: (ev: ConnEvent, connState: string) => void;
  /** Every TCP stream in which one side presented a Windows command prompt (shell-flow.ts), when
   * it ends; unset: such streams are not looked for. */
  readonly onShell?: (s: ShellSighting) => void;
  /** Decoder of completed request stubs (DCOM activation arguments); unset: the connection's own
   * default (the interfaces' decodeRequestStub); false: no stub decoding. */
  readonly decodeStub?: StubDecoder | false;
  /** Interface and operation names. */
  readonly names?: NameLookup;
  readonly captureLimits?: Partial<Record<CaptureLimitName, number>>;
  readonly dcerpcLimits?: DcerpcLimitOverrides;
  readonly smbLimits?: SmbLimitOverrides;
  /** Read size (tests use small blocks). */
  readonly blockBytes?: number;
}

/** A cmd.exe shell seen between two hosts: `host` presented the prompt, `peer` typed the lines. */
export interface ShellSighting {
  readonly promptTsMs: number;
  /** The banner or prompt line, escaped. */
  readonly prompt: string;
  /** bind: the host accepted the connection (a bound shell); reverse: the host connected out. */
  readonly role: 'bind' | 'reverse';
  readonly host: string;
  readonly hostPort: number;
  readonly peer: string;
  readonly peerPort: number;
  /** Lines the peer typed (escaped, capped), with the time each ended. */
  readonly lines: readonly { readonly tsMs: number; readonly text: string }[];
  readonly linesCut: number;
}

export interface PcapStats {
  file: string;
  format: 'pcap' | 'pcapng';
  /** Bytes read from the file. */
  bytes: number;
  packets: number;
  tcpPackets: number;
  udpPackets: number;
  /** Packets we could not take apart, by reason (non-IP, unsupported link type, ...). */
  notDecoded: Record<string, number>;
  tcpConnections: number;
  dcerpcConnections: number;
  /** TCP connections carrying SMB (NetBIOS session service on 139, direct on 445). */
  smbConnections: number;
  /** Named pipes opened in them, each a DCE/RPC stream. */
  smbPipes: number;
  /** Connection-oriented DCE/RPC PDUs framed (decoded or not). */
  pdus: number;
  /** Decoded PDUs by type (rejected ones have no trustworthy type). */
  pdusByType: Record<string, number>;
  /** PDUs the codec rejected (their anomaly says why). */
  pdusRejected: number;
  calls: number;
  /** Connectionless (UDP, rpc_vers 4) DCE/RPC datagrams recognised; counted, not decoded. */
  clDatagrams: number;
  /** Every anomaly of every layer, by name. */
  anomalies: Record<string, number>;
}

/** Shared, mutable state of one run, handed to the per-flow DCE/RPC handler. */
export interface RunContext {
  readonly stats: PcapStats;
  readonly options: AnalyzeOptions;
  /** Frame number and time (ms since the epoch) of the packet being processed. */
  frame: number;
  nowMs: number;
  /** PDUs decoded, by ptype (the totals' pdusByType, filled in at the end). */
  readonly pduTypes: PduTypeCounts;
  countAnomaly(a: Anomaly): void;
}
