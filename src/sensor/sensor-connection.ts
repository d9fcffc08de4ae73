// One accepted TCP connection: wires the socket to its session record and responder, and enforces
// the per-connection limits (idle and total timeouts, byte cap, pending output). Whatever the peer
// does, the outcome is a finished SessionRecord handed back through `onClosed`, exactly once.
// Timeouts are deadlines the Sensor's one sweep checks (expire), not timers per connection.

import type { Socket } from 'node:net';
import type { CloseReason } from '../model/session.js';
import type { VigilEvent } from '../model/event.js';
import { LIMIT_HIT, type SensorLimits } from './sensor-limits.js';
import type { SessionRecorder } from './session-recorder.js';
import type { PersonaConfig } from './sensor-types.js';
import type { Responder, ResponderContext, ResponderFactory, RpcShared } from './responders/responder-types.js';
import type { DcerpcLimitOverrides, DcerpcLimits } from '../protocols/dcerpc/dcerpc-limits.js';
import type { PortTally } from './sensor-metrics.js';

/** What the connections of one listening port share (one object per port, made by the Sensor). */
export interface ConnectionDeps {
  readonly limits: SensorLimits;
  readonly persona: PersonaConfig;
  readonly basePort: number;
  readonly dcerpc: DcerpcLimits;
  readonly dcerpcOverrides: DcerpcLimitOverrides;
  readonly rpc: RpcShared;
  /** The port's metrics tally (bytes received are added here). */
  readonly tally: PortTally;
  /** Charge bytes to the peer's source budget; the pause (ms) its socket owes, 0 for none. */
  throttle(src: string, bytes: number): number;
  now(): number;
  emit(event: VigilEvent): void;
  onClosed(conn: SensorConnection): void;
}

/** Monotonic milliseconds for timeouts (the injected clock is for recorded timestamps). */
const monotonicMs = (): number => performance.now();

/** How long a gracefully closing connection may take to flush before it is destroyed. */
const MAX_FLUSH_MS = 5000;
/** What an open connection costs beyond the bytes it buffers (socket, handles, record, responder):
 * measured at about 8 KiB per idle connection (bench/RESULTS.md, 10,000 idle connections). */
export const CONNECTION_OVERHEAD_BYTES = 8192;

/** The connection is its responder's context too (no context object and closures per connection). */
export class SensorConnection implements ResponderContext {
  private closing = false;
  private closed = false;
  private readonly openedAt: number;
  /** Last byte in either direction (as socket.setTimeout counted activity); monotonic ms. */
  lastActive: number;
  /** When a graceful close started (for the flush bound). */
  private closingAt = 0;
  /** The byte-rate floor's current window: when it began and what the peer sent in it. */
  private windowAt: number;
  private windowBytes = 0;
  private readonly responder: Responder;

  constructor(
    readonly socket: Socket,
    readonly record: SessionRecorder,
    factory: ResponderFactory,
    private readonly deps: ConnectionDeps,
  ) {
    socket.setNoDelay(true);
    this.openedAt = this.lastActive = this.windowAt = monotonicMs();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.close('peer_closed'));
    socket.on('error', (e: NodeJS.ErrnoException) => this.close(e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'error'));
    socket.on('close', () => this.onSocketClosed());
    this.responder = factory(this);
    try {
      this.responder.start();
    } catch (e) {
      this.responderFailed(e);
    }
  }

  // ResponderContext: what the responder sees of the listener.
  get persona(): PersonaConfig {
    return this.deps.persona;
  }
  get basePort(): number {
    return this.deps.basePort;
  }
  get dcerpc(): DcerpcLimits {
    return this.deps.dcerpc;
  }
  get dcerpcOverrides(): DcerpcLimitOverrides {
    return this.deps.dcerpcOverrides;
  }
  get rpc(): RpcShared {
    return this.deps.rpc;
  }
  now(): number {
    return this.deps.now();
  }
  emit(event: VigilEvent): void {
    this.deps.emit(event);
  }
  /** Close after flushing what was sent, e.g. after a bind_nak. */
  end(): void {
    this.close(this.record.closeReason ?? 'peer_closed', undefined, true);
  }

  /**
   * Called by the Sensor's sweep: close on the idle or total timeout, whichever fell due first, and
   * destroy a graceful close that has not flushed in time. Returns whether it acted.
   */
  expire(now: number): boolean {
    if (this.closed) return false;
    const { idleTimeoutMs, sessionTimeoutMs } = this.deps.limits;
    if (this.closing) {
      if (now - this.closingAt < Math.min(idleTimeoutMs, MAX_FLUSH_MS)) return false;
      // A peer that never reads our FIN's data must not hold the slot.
      this.socket.destroy();
      return true;
    }
    if (now - this.windowAt >= this.deps.limits.rateWindowMs && this.rateWindowEnds(now)) return true;
    const idleDue = this.lastActive + idleTimeoutMs;
    const totalDue = this.openedAt + sessionTimeoutMs;
    if (now < idleDue && now < totalDue) return false;
    if (totalDue <= idleDue) this.close('total_timeout', LIMIT_HIT.sessionTimeoutMs);
    else this.close('idle_timeout', LIMIT_HIT.idleTimeoutMs);
    return true;
  }

  /** A rate window ended: close a peer that trickled (sent something, below the floor) while
   * part-way through a message. */
  private rateWindowEnds(now: number): boolean {
    const sent = this.windowBytes;
    const elapsed = now - this.windowAt; // at least rateWindowMs; longer by up to a sweep period
    this.windowAt = now;
    this.windowBytes = 0;
    if (sent === 0 || sent >= (this.deps.limits.minBytesPerSecond * elapsed) / 1000) return false;
    if (this.responder.midMessage && !this.responder.midMessage()) return false;
    this.close('limit', LIMIT_HIT.minBytesPerSecond);
    return true;
  }

  /** Bytes held in memory for this peer (what the sensor's memory budget counts). */
  heldBytes(): number {
    return CONNECTION_OVERHEAD_BYTES + this.record.recordedBytes + (this.responder.held?.() ?? 0) + this.socket.writableLength;
  }

  /** The sensor stops: close now, and cut short a graceful close still flushing (the listeners'
   * close waits for every connection, so a peer that keeps its half open would hold stop()). */
  shutdown(): void {
    if (!this.closing) this.close('shutdown');
    else if (!this.closed) this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.lastActive = monotonicMs();
    this.windowBytes += chunk.length;
    const rec = this.record;
    rec.received(chunk);
    this.deps.tally.bytesIn += chunk.length;
    if (rec.bytesIn > this.deps.limits.maxSessionBytes) {
      this.close('byte_cap', LIMIT_HIT.maxSessionBytes);
      return;
    }
    const pause = this.deps.throttle(rec.flow.src, chunk.length);
    if (pause > 0) {
      // over its source's budget: decode this chunk, then read nothing more until the budget refills
      rec.hit(LIMIT_HIT.maxBytesPerSecondPerSource);
      this.socket.pause();
      setTimeout(() => {
        if (!this.closing) this.socket.resume();
      }, pause).unref();
    }
    try {
      this.responder.data(chunk);
    } catch (e) {
      this.responderFailed(e);
    }
  }

  /** Write to the peer (counted as bytes out); ignored once closing. */
  send(bytes: Uint8Array): void {
    if (this.closing || this.socket.destroyed) return;
    // A peer that sends requests but never reads would make replies pile up in our memory.
    if (this.socket.writableLength + bytes.length > this.deps.limits.maxPendingOutputBytes) {
      this.close('limit', LIMIT_HIT.maxPendingOutputBytes);
      return;
    }
    this.record.sent(bytes.length);
    this.lastActive = monotonicMs();
    this.socket.write(bytes);
  }

  /** A responder bug must never take the node down: it becomes a protocol_violation anomaly. */
  private responderFailed(e: unknown): void {
    this.record.anomaly({ name: 'protocol_violation', proto: 'sensor', detail: `responder error: ${e instanceof Error ? e.message : String(e)}` });
    this.close('error');
  }

  /**
   * Start closing (first reason wins). `graceful` flushes what we wrote (e.g. a bind_nak) with a
   * FIN; otherwise the socket is destroyed at once so a limit frees its resources immediately.
   */
  close(reason: CloseReason, limit?: string, graceful = false): void {
    if (limit) this.record.hit(limit);
    if (this.closing) return;
    this.closing = true;
    this.record.closeReason = reason;
    if (graceful || reason === 'peer_closed') {
      // The sweep bounds the flush (expire): a peer that never reads must not hold the slot.
      this.closingAt = monotonicMs();
      this.socket.end();
    } else {
      this.socket.destroy();
    }
  }

  private onSocketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.record.closeReason) this.record.closeReason = 'peer_closed';
    try {
      this.responder.finish();
    } catch (e) {
      this.responderFailed(e);
    }
    this.deps.onClosed(this);
  }
}
