// Ties one reassembled TCP connection to a DcerpcConnection: connections are taken by content
// (looksLikeDcerpcCo); each direction is framed here (a TCP gap restarts the framer: the bytes after
// a hole do not continue the PDU before it, C706 12.6.1) and whole PDUs go to the connection.

import type { Anomaly } from '../../model/anomaly.js';
import type { CallRecord } from '../../model/call.js';
import type { Direction } from '../../model/flow.js';
import { DcerpcConnection, type DcerpcConnectionOptions } from '../../protocols/dcerpc/connection.js';
import { DcerpcFramer, type PduRangeSink } from '../../protocols/dcerpc/framer.js';
import { decodeHeader } from '../../protocols/dcerpc/pdu-decode.js';
import type { Pdu } from '../../protocols/dcerpc/pdu-types.js';
import { isServerPdu, looksLikeDcerpcCo } from '../../protocols/pcap/content-sniff.js';
import { type CloseReason, DIRECTIONS, type DirIndex, type TcpAppConsumer, type TcpAppHandler, type TcpConnection } from '../../protocols/pcap/tcp-tracker.js';
import type { FlowJson, RunContext } from './pcap-types.js';

/** Stream-level anomalies (gaps, resync) waiting to ride on the next PDU of their direction. */
const MAX_PENDING_ANOMALIES = 64;

export class DcerpcFlowHandler implements TcpAppHandler {
  constructor(private readonly ctx: RunContext) {}

  accept(conn: TcpConnection, dir: DirIndex, b: Uint8Array, start: number, end: number): TcpAppConsumer | undefined {
    if (!looksLikeDcerpcCo(b, start, end)) return undefined;
    // Picked up mid-stream and the port rule guessed wrong: a bind_ack / response from the
    // "client" means the roles are the other way round (and a request from the "server" too).
    const serverPdu = isServerPdu(b, start, end);
    if (!conn.handshakeSeen && serverPdu !== undefined && serverPdu === (dir === 0)) conn.swapRoles();
    this.ctx.stats.dcerpcConnections++;
    return new DcerpcFlow(this.ctx, conn);
  }
}

/** One direction's PDU sink: an object with a method rather than a closure per direction (a
 * capture keeps thousands of connections open, each holding these). */
class DirSink implements PduRangeSink {
  constructor(
    private readonly flow: DcerpcFlow,
    private readonly dir: DirIndex,
  ) {}
  pdu(buf: Uint8Array, start: number, end: number, offset: number): void {
    this.flow.pdu(this.dir, buf, start, end, offset);
  }
}

class DcerpcFlow implements TcpAppConsumer {
  private framer0: DcerpcFramer;
  private framer1: DcerpcFramer;
  private readonly sink0: DirSink;
  private readonly sink1: DirSink;
  private readonly conn: DcerpcConnection;
  /** The flow as records show it; made when the first record needs it. */
  private flowJson: FlowJson | undefined;
  private readonly emitting: boolean;
  /** Only kept when someone listens for PDUs (emitting). */
  private readonly pending: [Anomaly[], Anomaly[]] | undefined;
  /** Stream offset where each direction's current framer started (it restarts after a gap). */
  private base0 = 0;
  private base1 = 0;
  /** Anomalies raised while the connection processes the current PDU (emitting only), and the PDU it decoded. */
  private current: Anomaly[] | undefined;
  private lastPdu: Pdu | undefined;

  constructor(
    private readonly ctx: RunContext,
    private readonly tcp: TcpConnection,
  ) {
    const o = ctx.options;
    this.emitting = o.onPdu !== undefined;
    this.pending = this.emitting ? [[], []] : undefined;
    if (this.emitting) this.current = [];
    // options set one by one rather than spread from conditional objects (per connection)
    const co: { -readonly [K in keyof DcerpcConnectionOptions]: DcerpcConnectionOptions[K] } = {
      onAnomaly: (a) => {
        ctx.countAnomaly(a);
        this.current?.push(a);
      },
    };
    if (o.dcerpcLimits) co.limits = o.dcerpcLimits;
    if (o.decodeStub !== undefined) co.decodeStub = o.decodeStub;
    if (o.names) co.names = o.names;
    if (this.emitting) co.onPdu = (_d: Direction, pdu: Pdu) => (this.lastPdu = pdu);
    // no onCall, no call records: the totals count finished calls when the connection closes
    if (o.onCall) co.onCall = (rec: CallRecord) => o.onCall!(rec, this.flow);
    this.conn = new DcerpcConnection(co);
    this.framer0 = this.newFramer(0);
    this.framer1 = this.newFramer(1);
    // ranges, not views: each PDU is decoded in place in the capture reader's block buffer
    this.sink0 = new DirSink(this, 0);
    this.sink1 = new DirSink(this, 1);
  }

  private get flow(): FlowJson {
    const t = this.tcp;
    return (this.flowJson ??= { src: t.client, sport: t.clientPort, dst: t.server, dport: t.serverPort });
  }

  data(dir: DirIndex, bytes: Uint8Array, start: number, end: number): void {
    if (dir === 0) this.framer0.pushRange(bytes, start, end, this.sink0);
    else this.framer1.pushRange(bytes, start, end, this.sink1);
  }

  /** The bytes after a hole do not continue the PDU before it: end that PDU and frame afresh. */
  gap(dir: DirIndex, length: number): void {
    if (dir === 0) {
      this.framer0.flush();
      this.base0 += this.framer0.streamOffset + length;
      this.framer0 = this.newFramer(0);
    } else {
      this.framer1.flush();
      this.base1 += this.framer1.streamOffset + length;
      this.framer1 = this.newFramer(1);
    }
  }

  anomaly(dir: DirIndex, a: Anomaly): void {
    this.ctx.countAnomaly(a);
    this.hold(dir, a);
  }

  close(_reason: CloseReason): void {
    this.framer0.flush();
    this.framer1.flush();
    this.conn.close(this.ctx.nowMs);
    this.ctx.stats.calls += this.conn.callsFinished;
  }

  private newFramer(dir: DirIndex): DcerpcFramer {
    return new DcerpcFramer({
      maxFragLength: this.conn.limits.maxFragLength,
      // Nothing downstream keeps a view of a PDU unless PDU events are emitted (their receivers
      // may hold the event's Pdu and its stub views): call records are strings and numbers.
      reuseCarry: !this.emitting,
      onAnomaly: (a) => {
        this.ctx.countAnomaly(a);
        this.hold(dir, a);
      },
    });
  }

  private hold(dir: DirIndex, a: Anomaly): void {
    if (this.pending !== undefined && this.pending[dir].length < MAX_PENDING_ANOMALIES) this.pending[dir].push(a);
  }

  /** @internal A whole PDU of direction `dir` at `offset` of its current framer (DirSink). */
  pdu(dir: DirIndex, buf: Uint8Array, start: number, end: number, offset: number): void {
    const ctx = this.ctx;
    ctx.pduTypes.count(buf[start + 2]);
    const before = this.conn.pdus;
    this.lastPdu = undefined;
    // Framed here already: the connection decodes it without framing it again.
    this.conn.feedPduAt(DIRECTIONS[dir], buf, start, end, ctx.nowMs, (dir === 0 ? this.base0 : this.base1) + offset);
    if (this.conn.pdus === before) ctx.stats.pdusRejected++;
    if (this.emitting) this.emit(dir, buf, start);
  }

  private emit(dir: DirIndex, buf: Uint8Array, start: number): void {
    const header = decodeHeader(buf, start);
    if (header === undefined) return;
    const pending = this.pending!;
    const anomalies = [...pending[dir], ...this.current!];
    pending[dir] = [];
    this.current = [];
    this.ctx.options.onPdu?.({ tsMs: this.ctx.nowMs, flow: this.flow, direction: DIRECTIONS[dir], frame: this.ctx.frame, header, pdu: this.lastPdu, anomalies });
  }
}
