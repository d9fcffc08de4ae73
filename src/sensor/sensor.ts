// The sensor: TCP listeners on the configured ports (IPv4 and IPv6), connection admission under the
// hardening limits, and the bounded queue that carries sessions and events to an injected sink.
// It never imports the store: the CLI wires the sink (DESIGN.md import directions).

import { createServer, type Server, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { systemClock, type Clock } from '../core/clock.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { VigilEvent } from '../model/event.js';
import { isFamilyUnavailable, listenError } from './bind-errors.js';
import { OutputQueue, type OutputClass } from './output-queue.js';
import { SensorConnection, type ConnectionDeps } from './sensor-connection.js';
import { LIMIT_HIT, resolveSensorLimits, type LimitHitName, type SensorLimits } from './sensor-limits.js';
import { SensorMetrics } from './sensor-metrics.js';
import { newSessionId } from './session-id.js';
import { SessionRecorder } from './session-recorder.js';
import { SlotShares, slotPrefix } from './slot-shares.js';
import { SourceThrottle } from './source-throttle.js';
import { DEFAULT_PERSONA, DEFAULT_PORTS, type PersonaConfig, type SensorOptions } from './sensor-types.js';
import { responderFor, serviceFor } from './responders/responder-table.js';
import { DCERPC_LIMITS, resolveDcerpcLimits, type DcerpcLimitOverrides, type DcerpcLimits } from '../protocols/dcerpc/dcerpc-limits.js';
import { PduDecoder } from '../protocols/dcerpc/pdu-decode.js';
import { AssocGroupIds } from './responders/assoc-group-ids.js';
import { CallNames } from '../kb/call-names.js';
import type { RpcShared } from './responders/responder-types.js';

export interface BoundListener {
  readonly basePort: number;
  readonly host: string;
  readonly port: number;
}

const ignoreError = (): void => undefined;
/** How often the memory guard counts what is held (a walk over the open connections). */
const MEMORY_SAMPLE_MS = 250;

/** IPv4-mapped IPv6 addresses are recorded as plain IPv4, as Zeek does. */
function plainAddress(a: string | undefined): string {
  if (!a) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export class Sensor {
  readonly name: string;
  readonly limits: SensorLimits;
  readonly dcerpcLimits: DcerpcLimits;
  readonly persona: PersonaConfig;
  readonly metrics: SensorMetrics;
  readonly registry: Registry;
  private readonly opts: SensorOptions;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly queue: OutputQueue;
  private readonly servers: { server: Server; bound: BoundListener }[] = [];
  /** Open connections by session id (a shed event finds its session's record here). */
  private readonly open = new Map<string, SensorConnection>();
  private readonly perSource = new Map<string, number>();
  /** Open connections by network prefix, for fair eviction when every slot is taken. */
  private readonly shares = new SlotShares<SensorConnection>();
  /** Connections closed to make room (fair share, memory) whose sockets have not closed yet: their
   * slots are already free for admission. */
  private readonly leaving = new Set<SensorConnection>();
  private readonly throttle: SourceThrottle;
  /** What every connection of one base port shares (made once per port, not per connection). */
  private readonly portDeps = new Map<number, ConnectionDeps>();
  /** The DCE/RPC limits that differ from the codec's defaults: none (the usual case) lets each
   * connection's tracker take the codec's frozen defaults instead of validating a full table. */
  private readonly dcerpcOverrides: DcerpcLimitOverrides;
  /** Shared by every RPC connection of this sensor (and only this sensor). */
  private readonly rpc: RpcShared = { decoder: new PduDecoder(), assocGroupIds: new AssocGroupIds(), names: new CallNames().lookup };
  private readonly countLimit: (name: string) => void;
  private memoryTimer: NodeJS.Timeout | undefined;
  /** One sweep for every connection's idle, total and flush deadlines (SensorConnection.expire). */
  private sweepTimer: NodeJS.Timeout | undefined;
  private overBudget = false;
  private stopping = false;

  constructor(opts: SensorOptions) {
    this.opts = opts;
    this.name = opts.name ?? 'sensor';
    this.limits = resolveSensorLimits(opts.limits);
    this.dcerpcLimits = resolveDcerpcLimits(opts.dcerpcLimits);
    this.dcerpcOverrides = changedLimits(this.dcerpcLimits);
    this.throttle = new SourceThrottle(this.limits.maxBytesPerSecondPerSource);
    this.persona = { ...DEFAULT_PERSONA, ...opts.persona };
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.registry = opts.registry ?? new Registry();
    this.metrics = new SensorMetrics(this.registry, () => this.open.size, () => this.queue.depth);
    const m = this.metrics;
    this.countLimit = (name) => m.limits.inc({ limit: name });
    this.queue = new OutputQueue(opts.sink, this.limits.queueCapacity, this.limits.queueBatchSize, this.logger, {
      onDrop: (item, _cls, why) => {
        m.queueDropped.inc({ kind: item.kind, reason: why });
        // A shed event of a session still open is said on that session's record.
        if (why === 'shed' && item.kind === 'event' && item.event.session) this.open.get(item.event.session)?.record.eventShed();
      },
      onWritten: (batch) => {
        for (const it of batch) if (it.kind === 'session') m.forPort(it.session.dport).sessions++;
      },
    }, this.limits.queueLingerMs);
  }

  /** Where the sensor listens (after start). */
  get listeners(): readonly BoundListener[] {
    return this.servers.map((s) => s.bound);
  }

  /** The actual port serving a base port (differs with an offset or ephemeral ports). */
  portFor(basePort: number): number | undefined {
    return this.servers.find((s) => s.bound.basePort === basePort)?.bound.port;
  }

  get openConnections(): number {
    return this.open.size;
  }

  queueStats(): ReturnType<OutputQueue['snapshot']> {
    return this.queue.snapshot();
  }

  /** Bind every port on every host; fails (and releases what it bound) with a coded AppError. */
  async start(): Promise<void> {
    const hosts = this.opts.hosts ?? ['0.0.0.0', '::'];
    const offset = this.opts.portOffset ?? 0;
    // Timers first: a port bound early may accept connections while later ones are still binding,
    // and those must be timed out like any other (and not hold up closeServers() if start fails).
    this.memoryTimer = setInterval(() => this.sampleMemory(), MEMORY_SAMPLE_MS);
    this.memoryTimer.unref();
    this.sweepTimer = setInterval(() => this.sweep(), sweepPeriodMs(this.limits));
    this.sweepTimer.unref();
    try {
      for (const basePort of this.opts.ports ?? DEFAULT_PORTS) {
        for (const host of hosts) {
          const want = this.opts.ephemeralPorts ? 0 : basePort + offset;
          await this.listenOne(basePort, host, want);
        }
      }
    } catch (e) {
      clearInterval(this.memoryTimer);
      const closing = this.closeServers();
      for (const c of [...this.open.values()]) c.shutdown();
      await closing;
      clearInterval(this.sweepTimer);
      throw e;
    }
    this.logger.info({ listeners: this.listeners }, 'sensor listening');
  }

  private listenOne(basePort: number, host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true }, (s) => this.onConnection(s, basePort));
      server.maxConnections = this.limits.maxConnections + 64; // the kernel-level backstop; admission below is finer
      server.once('error', (e) => {
        if (host.includes(':') && isFamilyUnavailable(e)) {
          this.logger.warn({ host, port }, 'IPv6 not available here; listening on IPv4 only');
          resolve();
          return;
        }
        reject(listenError(port, host, e));
      });
      server.listen({ host, port, ipv6Only: host.includes(':'), backlog: this.limits.listenBacklog }, () => {
        const addr = server.address();
        const bound = { basePort, host, port: typeof addr === 'object' && addr ? addr.port : port };
        this.servers.push({ server, bound });
        server.on('error', (e) => this.logger.error({ err: e.message, ...bound }, 'listener error'));
        resolve();
      });
    });
  }

  private sweep(): void {
    const now = performance.now();
    for (const c of this.open.values()) c.expire(now);
  }

  /** Bytes held for peers: what each open connection buffers (plus its fixed overhead) and the
   * output waiting in the queue. Falls the moment a peer goes, unlike resident memory. */
  heldBytes(): number {
    let n = this.queue.bytes;
    for (const c of this.open.values()) n += c.heldBytes();
    return n;
  }

  /**
   * The memory guard: over the budget, refuse new connections and close the connections holding
   * the most until what is held is back under 90% of it (largest first: the peer that made the
   * sensor hold its memory pays, not the ones that arrive next).
   */
  private sampleMemory(): void {
    const budget = this.limits.memoryBudgetMb * 1024 * 1024;
    let held = this.heldBytes();
    this.metrics.heldBytes = held;
    const over = held > budget;
    if (over !== this.overBudget) this.logger.warn({ heldBytes: held, budgetMb: this.limits.memoryBudgetMb, over }, 'sensor memory budget');
    this.overBudget = over;
    if (!over) return;
    const biggest = [...this.open.values()].filter((c) => !this.leaving.has(c)).sort((a, b) => b.heldBytes() - a.heldBytes());
    for (const c of biggest) {
      if (held <= budget * 0.9) break;
      held -= c.heldBytes();
      this.evict(c, LIMIT_HIT.memoryBudgetMb);
    }
    this.overBudget = held > budget;
  }

  /** Close a connection to free what it holds (its slot is free at once). */
  private evict(c: SensorConnection, limit: LimitHitName): void {
    this.leaving.add(c);
    c.close('limit', limit);
  }

  /** Which limit, if any, refuses a new connection from `src`. */
  private admissionLimit(src: string, prefix: string): LimitHitName | undefined {
    if (this.stopping) return undefined;
    if (this.overBudget) return LIMIT_HIT.memoryBudgetMb;
    if ((this.perSource.get(src) ?? 0) >= this.limits.maxConnectionsPerSource) return LIMIT_HIT.maxConnectionsPerSource;
    if (this.open.size - this.leaving.size >= this.limits.maxConnections && !this.makeRoom(prefix)) return LIMIT_HIT.maxConnections;
    return undefined;
  }

  /** Every slot is taken: a newcomer whose prefix holds fewer slots than the heaviest prefix
   * (by more than this one) takes the slot of that prefix's connection quiet the longest. */
  private makeRoom(prefix: string): boolean {
    if (this.shares.count(prefix) + 1 >= this.shares.heaviestCount) return false;
    let victim: SensorConnection | undefined;
    for (const c of this.shares.heaviest()) if (!this.leaving.has(c) && (!victim || c.lastActive < victim.lastActive)) victim = c;
    if (!victim) return false;
    this.evict(victim, LIMIT_HIT.maxConnections);
    return true;
  }

  private onConnection(socket: Socket, basePort: number): void {
    const now = this.clock.now();
    const src = plainAddress(socket.remoteAddress);
    const flow = { proto: 'tcp' as const, src, sport: socket.remotePort ?? 0, dst: plainAddress(socket.localAddress), dport: basePort };
    const record = new SessionRecorder(newSessionId(now), flow, now, serviceFor(basePort), this.limits, this.countLimit);
    // Errors after a refusal or during shutdown are expected, never fatal; an accepted connection's
    // own handler (SensorConnection) takes its errors.
    if (this.stopping) {
      socket.on('error', ignoreError);
      socket.destroy();
      return;
    }
    const prefix = slotPrefix(src);
    const refused = this.admissionLimit(src, prefix);
    if (refused) {
      this.metrics.rejected.inc({ port: String(basePort), limit: refused });
      record.hit(refused);
      record.closeReason = 'limit';
      socket.on('error', ignoreError);
      socket.resetAndDestroy();
      // Refusals during a flood are detail: queued only while the source is within its share.
      this.queue.push(record.finish(now, this.name), 'detail', src);
      return;
    }
    const deps = this.depsFor(basePort);
    deps.tally.accepted++;
    this.perSource.set(src, (this.perSource.get(src) ?? 0) + 1);
    this.emit({ type: 'conn', ts: now, source: 'sensor', src, dst: flow.dst, proto: 'tcp', sport: flow.sport, dport: basePort, session: record.id, outcome: 'failure' });
    const conn = new SensorConnection(socket, record, responderFor(basePort), deps);
    this.open.set(record.id, conn);
    this.shares.add(prefix, conn);
  }

  private depsFor(basePort: number): ConnectionDeps {
    let deps = this.portDeps.get(basePort);
    if (deps) return deps;
    deps = {
      limits: this.limits,
      persona: this.persona,
      basePort,
      dcerpc: this.dcerpcLimits,
      dcerpcOverrides: this.dcerpcOverrides,
      rpc: this.rpc,
      tally: this.metrics.forPort(basePort),
      throttle: (src, bytes) => this.throttle.take(src, bytes, performance.now()),
      now: () => this.clock.now(),
      emit: (ev) => this.emit(ev),
      onClosed: (c) => this.onClosed(c),
    };
    this.portDeps.set(basePort, deps);
    return deps;
  }

  private emit(event: VigilEvent): void {
    this.queue.push({ kind: 'event', event }, eventClass(event), event.src);
  }

  private onClosed(conn: SensorConnection): void {
    if (!this.open.delete(conn.record.id)) return;
    this.leaving.delete(conn);
    const src = conn.record.flow.src;
    this.shares.remove(slotPrefix(src), conn);
    const left = (this.perSource.get(src) ?? 1) - 1;
    if (left > 0) this.perSource.set(src, left);
    else {
      this.perSource.delete(src);
      this.throttle.forget(src);
    }
    this.queue.push(conn.record.finish(this.clock.now(), this.name));
  }

  private async closeServers(): Promise<void> {
    await Promise.all(this.servers.map(({ server }) => new Promise<void>((r) => server.close(() => r()))));
    this.servers.length = 0;
  }

  /** Graceful stop: stop listening, close every connection (reason shutdown), flush the queue. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    const closing = this.closeServers();
    for (const c of [...this.open.values()]) c.shutdown();
    await closing;
    // Sockets emit 'close' asynchronously after destroy(); wait for all sessions to be queued.
    for (let i = 0; i < 200 && this.open.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.queue.flush();
  }
}

/** What an event is to the output queue: evidence a detector needs to see an exploit (a call with
 * activation arguments or anomalies, a typed shell line) is never shed under load; the rest is
 * detail, shed from the heaviest sources first. */
export function eventClass(ev: VigilEvent): OutputClass {
  if (ev.type === 'payload') return 'evidence';
  if (ev.type === 'call' && (ev.call.activation !== undefined || ev.call.anomalies.length > 0)) return 'evidence';
  return 'detail';
}

/** The entries of resolved DCE/RPC limits that differ from the codec's defaults. */
function changedLimits(limits: DcerpcLimits): DcerpcLimitOverrides {
  const out: Record<string, number> = {};
  for (const [name, spec] of Object.entries(DCERPC_LIMITS)) {
    const v = limits[name as keyof DcerpcLimits];
    if (v !== spec.default) out[name] = v;
  }
  return out as DcerpcLimitOverrides;
}

/**
 * How often the sweep checks deadlines: a tenth of the shortest timeout or rate window, between 10 ms and 1 s, so
 * a timeout fires at most 10% (and at most a second) late. One interval instead of two timers per
 * connection: creating, refreshing and clearing those was ~10% of a short connection's CPU.
 */
export function sweepPeriodMs(limits: SensorLimits): number {
  return Math.max(10, Math.min(1000, Math.floor(Math.min(limits.idleTimeoutMs, limits.sessionTimeoutMs, limits.rateWindowMs) / 10)));
}
