// TCP connection table (RFC 9293): finds each segment's connection, tells client from server (SYN,
// SYN-ACK, else Zeek's well-known-port rule mid-stream) and feeds both TcpStreams. An application
// sees each direction's first in-order bytes and takes the connection or declines that direction.

import type { Anomaly } from '../../model/anomaly.js';
import type { Direction } from '../../model/flow.js';
import { captureAnomaly } from './capture-anomalies.js';
import { SENT } from './tcp-conn-state.js';
import { type DecodedPacket, TCP_FLAG, ipv4ToString, ipv6ToString } from './packet-decoder.js';
import { type FlowEntry, FlowTable, fromClient } from './tcp-flow-table.js';
import { type StreamConsumer, TcpStream, type TcpStreamLimits } from './tcp-stream.js';

/** 0 = from the client (to_server), 1 = from the server (to_client). */
export type DirIndex = 0 | 1;
export const DIRECTIONS: readonly [Direction, Direction] = ['to_server', 'to_client'];

export type CloseReason = 'fin' | 'reset' | 'evicted' | 'idle' | 'end_of_capture' | 'reused';

/** What an application does with a connection it accepted. Views are valid only during the call. */
export interface TcpAppConsumer {
  data(dir: DirIndex, bytes: Uint8Array, start: number, end: number): void;
  gap(dir: DirIndex, length: number): void;
  anomaly(dir: DirIndex, a: Anomaly): void;
  close(reason: CloseReason): void;
}

export interface TcpAppHandler {
  /** First payload of one direction, `dir`, while the connection is undecided. Return a consumer to
   * take the connection, or undefined to decline this direction: the other direction's first bytes
   * are offered next (a server may speak the protocol to a client that did not), and a connection
   * declined in both directions is ignored. A declined direction is never delivered. */
  accept(conn: TcpConnection, dir: DirIndex, bytes: Uint8Array, start: number, end: number): TcpAppConsumer | undefined;
}

export interface TcpTrackerLimits extends TcpStreamLimits {
  readonly max_flows: number;
  /** Seconds of capture time without a packet after which a connection is closed ('idle'); 0 or
   * absent = never (capture-limits.ts tcp_idle_timeout_s). */
  readonly tcp_idle_timeout_s?: number;
}

const UNDECIDED = 0;
const ACCEPTED = 1;
const IGNORED = 2;

export class TcpConnection implements FlowEntry {
  clientPort = 0;
  serverPort = 0;
  /** Address texts, made when first read (records and conn events; `vigil pcap --count` reads
   * none): thousands of open connections would each hold two strings nobody prints. */
  private clientText: string | undefined = undefined;
  private serverText: string | undefined = undefined;
  /** Whether the client was identified by a SYN / SYN-ACK rather than guessed. */
  handshakeSeen = false;
  firstTsMs = 0;
  lastTsMs = 0;
  state = UNDECIDED;
  /** Directions the application declined (bit 0 client, bit 1 server). */
  declined = 0;
  consumer: TcpAppConsumer | undefined;
  /** [from the client, from the server]. */
  streams: [TcpStream, TcpStream];
  // Flow-table fields (see FlowEntry): set by FlowTable.add.
  clientIp4 = 0;
  serverIp4 = 0;
  clientV6 = '';
  serverV6 = '';
  v6Key = '';
  bucketHash = 0;
  bucketNext: FlowEntry | undefined = undefined;
  /** FINs seen once no application reassembles it (bit 0 client, bit 1 server). */
  finMask = 0;
  /** What each side sent (SENT bits: the handshake state Zeek's conn_state is derived from). */
  clientSent = 0;
  serverSent = 0;
  /** TCP payload bytes each side sent, as on the wire (retransmissions count again). */
  clientBytes = 0;
  serverBytes = 0;

  constructor(
    readonly id: number,
    limits: TcpStreamLimits,
    private readonly decide: (conn: TcpConnection, dir: DirIndex, b: Uint8Array, start: number, end: number) => void,
    private readonly onAnomaly: (a: Anomaly) => void,
  ) {
    const fromClient = new StreamSink(this);
    const fromServer = new StreamSink(this);
    this.streams = [(fromClient.stream = new TcpStream(fromClient, limits)), (fromServer.stream = new TcpStream(fromServer, limits))];
  }

  /** Address of the client (the originator), as text. */
  get client(): string {
    return (this.clientText ??= ipv4ToString(this.clientIp4));
  }
  /** Address of the server (the responder), as text. */
  get server(): string {
    return (this.serverText ??= ipv4ToString(this.serverIp4));
  }
  /** @internal IPv6 connections set their texts when created (IPv4 ones from clientIp4 / serverIp4 on demand). */
  setAddressTexts(client: string, server: string): void {
    this.clientText = client;
    this.serverText = server;
  }

  /** Swap client and server: content showed that the guess made for a connection picked up mid-stream was wrong. */
  swapRoles(): void {
    [this.clientText, this.serverText] = [this.serverText, this.clientText];
    [this.clientPort, this.serverPort] = [this.serverPort, this.clientPort];
    [this.clientIp4, this.serverIp4] = [this.serverIp4, this.clientIp4];
    [this.clientV6, this.serverV6] = [this.serverV6, this.clientV6];
    [this.clientSent, this.serverSent] = [this.serverSent, this.clientSent];
    [this.clientBytes, this.serverBytes] = [this.serverBytes, this.clientBytes];
    this.streams = [this.streams[1], this.streams[0]];
    this.declined = ((this.declined & 1) << 1) | ((this.declined & 2) >> 1);
  }

  // The application decides on the first bytes delivered in order (after a SYN, an out-of-order
  // first segment waits for the hole before it), then gets every byte, gap and anomaly.
  /** Record what segment flags and payload length `dir` sent (scalars only: runs per packet). */
  noteSent(dir: DirIndex, flags: number, payloadLen: number): void {
    let bits: number = SENT.ANY;
    if (flags & TCP_FLAG.SYN) bits |= flags & TCP_FLAG.ACK ? SENT.SYN_ACK : SENT.SYN;
    if (flags & TCP_FLAG.FIN) bits |= SENT.FIN;
    if (flags & TCP_FLAG.RST) bits |= SENT.RST;
    if (dir === 0) {
      this.clientSent |= bits;
      this.clientBytes += payloadLen;
    } else {
      this.serverSent |= bits;
      this.serverBytes += payloadLen;
    }
  }

  /** @internal What a StreamSink delivers: `from` tells the direction at delivery time. */
  streamData(from: StreamSink, b: Uint8Array, s: number, e: number): void {
    if (this.declined !== 0 && (this.declined & (1 << from.dir())) !== 0) return;
    if (this.state === UNDECIDED) this.decide(this, from.dir(), b, s, e);
    if (this.state === ACCEPTED) this.consumer!.data(from.dir(), b, s, e);
  }
  /** @internal */
  streamGap(from: StreamSink, n: number): void {
    if (this.state === ACCEPTED && (this.declined & (1 << from.dir())) === 0) this.consumer!.gap(from.dir(), n);
  }
  /** @internal */
  streamAnomaly(from: StreamSink, a: Anomaly): void {
    if (this.state === ACCEPTED && (this.declined & (1 << from.dir())) === 0) this.consumer!.anomaly(from.dir(), a);
    else this.onAnomaly(a);
  }
}

/** The consumer of one of a connection's streams: one small object per direction rather than a
 * closure per event kind, since a capture opens a connection every few packets and these live as
 * long as it does (what the young-generation collector has to copy). */
class StreamSink implements StreamConsumer {
  stream: TcpStream | undefined;
  constructor(private readonly conn: TcpConnection) {}
  /** Looked up at each delivery, so that swapRoles() can swap the streams. */
  dir(): DirIndex {
    return this.conn.streams[0] === this.stream ? 0 : 1;
  }
  data(b: Uint8Array, s: number, e: number): void {
    this.conn.streamData(this, b, s, e);
  }
  gap(n: number): void {
    this.conn.streamGap(this, n);
  }
  anomaly(a: Anomaly): void {
    this.conn.streamAnomaly(this, a);
  }
}

export class TcpTracker {
  /** Time of the packet being processed (ms since epoch), for consumers that stamp what they emit. */
  nowMs = 0;
  connections = 0;
  private nextId = 1;
  private readonly table = new FlowTable<TcpConnection>();
  /** Open connections in creation order: the oldest is evicted first when max_flows is reached. */
  private readonly open = new Set<TcpConnection>();
  private readonly idleMs: number;
  /** Capture time of the next idle sweep (every tenth of the timeout, as the sensor's sweep). */
  private nextSweepMs = -Infinity;
  private readonly decide = (conn: TcpConnection, dir: DirIndex, b: Uint8Array, start: number, end: number): void => {
    const consumer = this.handler.accept(conn, dir, b, start, end);
    if (consumer !== undefined) {
      conn.consumer = consumer;
      conn.state = ACCEPTED;
      return;
    }
    // nobody reads this direction; the other one still gets its chance
    conn.declined |= 1 << dir;
    conn.streams[dir].discard();
    if (conn.declined !== 3) return;
    conn.state = IGNORED;
    conn.streams[dir === 0 ? 1 : 0].discard();
  };

  constructor(
    private readonly handler: TcpAppHandler,
    private readonly limits: TcpTrackerLimits,
    private readonly onAnomaly: (a: Anomaly) => void = () => {},
    /** Every connection once it is closed, whatever the application did with it (connection logs). */
    private readonly onEnd?: (conn: TcpConnection, reason: CloseReason) => void,
  ) {
    this.idleMs = (limits.tcp_idle_timeout_s ?? 0) * 1000;
    if (this.idleMs === 0) this.nextSweepMs = Infinity;
  }

  /** One decoded TCP segment of frame `d` at time `tsMs`. */
  segment(d: Uint8Array, p: DecodedPacket, tsMs: number): void {
    this.nowMs = tsMs;
    if (tsMs >= this.nextSweepMs) this.expireIdle(tsMs);
    const flags = p.tcpFlags;
    let conn = this.table.find(d, p);
    if (conn !== undefined && (flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === TCP_FLAG.SYN && this.isNewSyn(conn, d, p)) {
      this.close(conn, 'reused');
      conn = undefined;
    }
    if (conn === undefined) {
      // A bare ACK/FIN/RST of a connection we do not know carries nothing to reassemble.
      if (p.payloadWireLen === 0 && (flags & TCP_FLAG.SYN) === 0) return;
      conn = this.create(d, p, tsMs);
    }
    conn.lastTsMs = tsMs;
    const dir: DirIndex = fromClient(conn, d, p) ? 0 : 1;
    conn.noteSent(dir, flags, p.payloadWireLen);
    if (conn.state !== IGNORED) this.feed(conn, dir, d, p);
    else if (flags & TCP_FLAG.FIN) conn.finMask |= 1 << dir;
    if (flags & TCP_FLAG.RST) this.close(conn, 'reset');
    else if (conn.state === IGNORED ? conn.finMask === 3 : conn.streams[0].finished && conn.streams[1].finished) this.close(conn, 'fin');
  }

  /** End of capture: deliver what is held (after its holes) and close every connection. */
  finish(): void {
    for (const conn of [...this.open]) this.close(conn, 'end_of_capture');
  }

  /** Close every connection silent for longer than the idle timeout. Packet time only, so a replay
   * closes the same connections at the same packets every time; a capture's clock that jumps ahead
   * closes what it skipped over, as Zeek's network time does. A sweep walks the open connections,
   * which are at most those that sent a packet within the last timeout (and max_flows). */
  private expireIdle(nowMs: number): void {
    this.nextSweepMs = nowMs + Math.max(1000, this.idleMs / 10);
    for (const conn of this.open) if (nowMs - conn.lastTsMs > this.idleMs) this.close(conn, 'idle');
  }

  private feed(conn: TcpConnection, dir: DirIndex, d: Uint8Array, p: DecodedPacket): void {
    const flags = p.tcpFlags;
    const stream = conn.streams[dir];
    if (flags & TCP_FLAG.SYN) stream.syn(p.seq);
    if (flags & TCP_FLAG.ACK) conn.streams[dir === 0 ? 1 : 0].acked(p.ack);
    const dataSeq = flags & TCP_FLAG.SYN ? (p.seq + 1) >>> 0 : p.seq;
    stream.segment(dataSeq, d, p.payloadStart, p.payloadEnd, p.payloadWireLen);
    if (flags & TCP_FLAG.FIN) stream.fin((dataSeq + p.payloadWireLen) >>> 0);
  }

  private close(conn: TcpConnection, reason: CloseReason): void {
    if (!this.open.delete(conn)) return;
    this.table.remove(conn);
    if (conn.state !== IGNORED) {
      conn.streams[0].flush();
      conn.streams[1].flush();
      if (conn.state === ACCEPTED) conn.consumer?.close(reason);
    }
    this.onEnd?.(conn, reason);
  }

  private create(d: Uint8Array, p: DecodedPacket, tsMs: number): TcpConnection {
    if (this.open.size >= this.limits.max_flows) {
      const oldest = this.open.values().next().value as TcpConnection;
      this.onAnomaly(captureAnomaly('tcp', 'tcp_flow_limit', `more than max_flows=${this.limits.max_flows} open connections; closed the oldest`));
      this.close(oldest, 'evicted');
    }
    const conn = new TcpConnection(this.nextId++, this.limits, this.decide, this.onAnomaly);
    this.connections++;
    const flags = p.tcpFlags;
    const syn = (flags & TCP_FLAG.SYN) !== 0;
    const synAck = syn && (flags & TCP_FLAG.ACK) !== 0;
    // Mid-stream pickup: a port below 1024 facing an ephemeral one is the server's (Zeek's rule).
    const srcIsClient = syn ? !synAck : !(p.srcPort < 1024 && p.dstPort >= 1024);
    conn.handshakeSeen = syn;
    if (p.ipVersion !== 4) {
      const srcText = ipv6ToString(d, p.src6At);
      const dstText = ipv6ToString(d, p.dst6At);
      conn.setAddressTexts(srcIsClient ? srcText : dstText, srcIsClient ? dstText : srcText);
    }
    conn.clientPort = srcIsClient ? p.srcPort : p.dstPort;
    conn.serverPort = srcIsClient ? p.dstPort : p.srcPort;
    conn.firstTsMs = tsMs;
    this.table.add(d, p, conn, srcIsClient);
    this.open.add(conn);
    return conn;
  }

  private isNewSyn(conn: TcpConnection, d: Uint8Array, p: DecodedPacket): boolean {
    const s = conn.streams[fromClient(conn, d, p) ? 0 : 1];
    return s.started && s.nextSeq !== ((p.seq + 1) >>> 0) || conn.state === IGNORED;
  }
}
