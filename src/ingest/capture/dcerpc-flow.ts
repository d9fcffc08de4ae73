// Ties one reassembled TCP connection to a DcerpcConnection, through the same entry the sensor uses:
// each direction's bytes go to feed() and a TCP hole to gap() (the connection frames, resyncs after a
// hole and decodes). Connections are taken by content (looksLikeDcerpcCo) from either direction; an
// SMB connection (139/445, smb-flow.ts) feeds one DcerpcFlow per named pipe through the same entry.

import type { Anomaly } from '../../model/anomaly.js';
import type { CallRecord } from '../../model/call.js';
import type { Direction } from '../../model/flow.js';
import type { Mutable } from '../../core/mutable.js';
import { DcerpcConnection, type DcerpcConnectionOptions } from '../../protocols/dcerpc/connection.js';
import { resolveDcerpcLimits } from '../../protocols/dcerpc/dcerpc-limits.js';
import { decodeHeader, PduDecoder } from '../../protocols/dcerpc/pdu-decode.js';
import { COMMON_HEADER_LEN } from '../../protocols/dcerpc/pdu-types.js';
import { streamStartAnomaly } from '../../protocols/dcerpc/stream-start.js';
import type { Pdu, PduHeader } from '../../protocols/dcerpc/pdu-types.js';
import { isServerPdu, looksLikeDcerpcCo } from '../../protocols/pcap/content-sniff.js';
import { type CloseReason, DIRECTIONS, type DirIndex, type TcpAppConsumer, type TcpAppHandler, type TcpConnection } from '../../protocols/pcap/tcp-tracker.js';
import type { PipeInfo, PipeSink } from '../../protocols/smb/smb-connection.js';
import type { FlowJson, PduEvent, RunContext } from './pcap-types.js';

/** Anomalies waiting to ride on the next PDU record of their direction (PDU records only). */
const MAX_PENDING_ANOMALIES = 64;

/** The reasons PduDecoder gives when it rejects a PDU: such an anomaly with a call id (the
 * framer's own carry none) that no decoded PDU carries is one framed PDU that did not decode (the
 * totals' pdusRejected). */
const REJECTIONS = new Set(['bad_version', 'unknown_ptype', 'frag_length_too_small', 'frag_length_exceeds_limit', 'truncated_pdu', 'auth_length_exceeds_frag']);

export class DcerpcFlowHandler implements TcpAppHandler {
  /** One decoder for every connection of this analysis. */
  private readonly decoder = new PduDecoder();
  /** Why a client's first bytes were not DCE/RPC, kept in case its server answers in DCE/RPC (a
   * bind_nak): the anomaly a sensor reports for such a probe (weak: gone with the connection). */
  private readonly declinedStarts = new WeakMap<TcpConnection, Anomaly>();
  private readonly maxFragLength: number;
  constructor(private readonly ctx: RunContext) {
    this.maxFragLength = resolveDcerpcLimits(ctx.options.dcerpcLimits).maxFragLength;
  }

  /** Asked with the first bytes of each direction until one looks like DCE/RPC: a server's bind_nak
   * answering a client's non-RPC probe (what nmap sends) is found from the server's side, and the
   * probe gets the anomaly the sensor gives it. */
  accept(conn: TcpConnection, dir: DirIndex, b: Uint8Array, start: number, end: number): TcpAppConsumer | undefined {
    if (!looksLikeDcerpcCo(b, start, end)) {
      if (dir === 0 && end - start >= COMMON_HEADER_LEN) {
        const a = streamStartAnomaly(decodeHeader(b, start)!, this.maxFragLength);
        if (a !== undefined) this.declinedStarts.set(conn, a);
      }
      return undefined;
    }
    // Picked up mid-stream and the port rule guessed wrong: a bind_ack / response from the
    // "client" means the roles are the other way round (and a request from the "server" too).
    const serverPdu = isServerPdu(b, start, end);
    if (!conn.handshakeSeen && serverPdu !== undefined && serverPdu === (dir === 0)) conn.swapRoles();
    this.ctx.stats.dcerpcConnections++;
    const flow = new DcerpcFlow(this.ctx, conn, this.decoder);
    const probe = dir === 1 ? this.declinedStarts.get(conn) : undefined;
    if (probe !== undefined) flow.declinedStart(probe);
    return flow;
  }
}

/** One DCE/RPC byte stream: a TCP connection, or a named pipe inside an SMB connection (`pipe`). */
export class DcerpcFlow implements TcpAppConsumer, PipeSink {
  private readonly conn: DcerpcConnection;
  /** The flow as records show it; made when the first record needs it. */
  private flowJson: FlowJson | undefined;
  /** Anomalies per direction waiting for the next PDU record (only when PDU records are wanted). */
  private readonly pending: [Anomaly[], Anomaly[]] | undefined;
  /** The last PDU's record, held until the connection is done with that PDU: the anomalies raised
   * while it is dispatched (after onPdu) are its own. */
  private open: Mutable<PduEvent> | undefined;

  constructor(
    private readonly ctx: RunContext,
    private readonly tcp: TcpConnection,
    decoder: PduDecoder,
    private readonly pipe?: PipeInfo,
  ) {
    const o = ctx.options;
    this.pending = o.onPdu !== undefined ? [[], []] : undefined;
    // options set one by one rather than spread from conditional objects (per connection)
    const co: Mutable<DcerpcConnectionOptions> = {
      onAnomaly: (a: Anomaly, dir: Direction | undefined, onCall: boolean) => this.onAnomaly(a, dir, onCall),
      onPdu: (dir: Direction, pdu: Pdu, _ts: number, _off: number, anomalies: readonly Anomaly[]) => this.onPdu(dir, pdu, anomalies),
      decoder,
    };
    if (o.dcerpcLimits) co.limits = o.dcerpcLimits;
    if (o.decodeStub !== undefined) co.decodeStub = o.decodeStub;
    if (o.names) co.names = o.names;
    // no onCall, no call records: the totals count finished calls when the connection closes
    if (o.onCall) co.onCall = pipe === undefined ? (rec: CallRecord) => o.onCall!(rec, this.flow) : (rec: CallRecord) => o.onCall!(pipe.name === '' ? { ...rec, transport: 'ncacn_np' } : { ...rec, transport: 'ncacn_np', pipe: pipe.name }, this.flow);
    if (this.pending !== undefined) co.onRejected = (dir: Direction, h: PduHeader) => this.onRejected(dir, h);
    this.conn = new DcerpcConnection(co);
  }

  private get flow(): FlowJson {
    const t = this.tcp;
    return (this.flowJson ??= { src: t.client, sport: t.clientPort, dst: t.server, dport: t.serverPort });
  }

  data(dir: DirIndex, bytes: Uint8Array, start: number, end: number): void {
    this.conn.feed(DIRECTIONS[dir], bytes, this.ctx.nowMs, start, end);
    if (this.open !== undefined) this.closeRecord();
  }

  /** PipeSink: a named pipe's bytes, as the SMB connection delivers them. */
  feed(dir: Direction, bytes: Uint8Array, _tsMs: number): void {
    this.conn.feed(dir, bytes, this.ctx.nowMs);
    if (this.open !== undefined) this.closeRecord();
  }

  /** The bytes after a hole do not continue the PDU before it: the connection ends that PDU and
   * frames afresh (C706 12.6.1). */
  gap(dir: DirIndex | Direction, _length = 0): void {
    this.conn.gap(typeof dir === 'number' ? DIRECTIONS[dir] : dir);
    if (this.open !== undefined) this.closeRecord();
  }

  /** A stream-level anomaly (TCP hole, inconsistent overlap, ...): counted, carried by the next PDU
   * record of its direction, and an anomaly event of the connection's flow. */
  anomaly(dir: DirIndex, a: Anomaly): void {
    this.ctx.countAnomaly(a);
    this.ctx.options.onAnomaly?.(a, this.flow, this.ctx.nowMs);
    this.hold(dir, a);
  }

  close(_reason: CloseReason | number): void {
    this.conn.close(this.ctx.nowMs);
    if (this.open !== undefined) this.closeRecord();
    this.ctx.stats.calls += this.conn.callsFinished;
  }

  /** The client's first bytes were not DCE/RPC and the server answered in DCE/RPC. */
  declinedStart(a: Anomaly): void {
    this.onAnomaly(a, 'to_server', false);
  }

  private onAnomaly(a: Anomaly, dir: Direction | undefined, onCall: boolean): void {
    const ctx = this.ctx;
    ctx.countAnomaly(a);
    if (a.callId !== undefined && REJECTIONS.has(a.name)) ctx.stats.pdusRejected++;
    // One carried by a call record reaches the detectors inside that call event, as on a sensor.
    if (!onCall) ctx.options.onAnomaly?.(a, this.flow, ctx.nowMs);
    if (this.pending === undefined) return;
    if (this.open !== undefined && (dir === undefined || dir === this.open.direction)) (this.open.anomalies as Anomaly[]).push(a);
    else if (dir !== undefined) this.hold(dir === 'to_server' ? 0 : 1, a);
  }

  private onPdu(dir: Direction, pdu: Pdu, anomalies: readonly Anomaly[]): void {
    const ctx = this.ctx;
    ctx.pduTypes.count(pdu.header.ptype);
    // its own anomalies were reported before it (onAnomaly): they are this PDU's, not a rejection
    for (const a of anomalies) if (a.callId !== undefined && REJECTIONS.has(a.name)) ctx.stats.pdusRejected--;
    if (this.pending === undefined) return;
    if (this.open !== undefined) {
      this.open.anomalies = without(this.open.anomalies, anomalies);
      this.closeRecord();
    }
    const d = dir === 'to_server' ? 0 : 1;
    const held = without(this.pending[d], anomalies);
    this.pending[d] = [];
    this.open = { tsMs: ctx.nowMs, flow: this.flow, direction: dir, frame: ctx.frame, header: pdu.header, pdu, anomalies: held.length === 0 ? [...anomalies] : [...held, ...anomalies] };
    if (this.pipe !== undefined) {
      this.open.transport = 'ncacn_np';
      if (this.pipe.name !== '') this.open.pipe = this.pipe.name;
    }
  }

  /** A PDU that framed but did not decode: its record (decoded: false) opens now, so the
   * anomaly that rejected it, reported next, rides on it. */
  private onRejected(dir: Direction, header: PduHeader): void {
    if (this.open !== undefined) this.closeRecord();
    const d = dir === 'to_server' ? 0 : 1;
    const held = this.pending![d];
    this.pending![d] = [];
    this.open = { tsMs: this.ctx.nowMs, flow: this.flow, direction: dir, frame: this.ctx.frame, header, pdu: undefined, anomalies: held };
    if (this.pipe !== undefined) {
      this.open.transport = 'ncacn_np';
      if (this.pipe.name !== '') this.open.pipe = this.pipe.name;
    }
  }

  private closeRecord(): void {
    const e = this.open!;
    this.open = undefined;
    this.ctx.options.onPdu?.(e);
  }

  private hold(dir: DirIndex, a: Anomaly): void {
    if (this.pending !== undefined && this.pending[dir].length < MAX_PENDING_ANOMALIES) this.pending[dir].push(a);
  }
}

/** `list` less the anomaly objects in `drop` (the same objects: the connection hands them out once). */
function without(list: readonly Anomaly[], drop: readonly Anomaly[]): Anomaly[] {
  if (drop.length === 0 || list.length === 0) return list as Anomaly[];
  return list.filter((a) => !drop.includes(a));
}
