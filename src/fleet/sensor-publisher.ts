// The sensor side of the fleet: the sensor's sink. A batch is acknowledged once JetStream has
// stored it (PubAck) or it is fsynced in the disk spool; the spool is replayed in order when the
// broker is back. Message ids (fleet-wire.ts) let the server and the hub drop what is sent twice.

import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { AppError } from '../core/errors.js';
import { DiskSpool, type SpoolStats } from './disk-spool.js';
import { EventIds, SENSOR_NAME, healthSubject, toMessages, type FleetMessage, type FleetRecord, type HeartbeatBody } from './fleet-wire.js';
import { connectNats, type NatsLinkOptions } from './nats-link.js';

export interface PublisherOptions {
  /** This sensor's name: one subject token (SENSOR_NAME). */
  readonly sensor: string;
  readonly nats: NatsLinkOptions;
  /** Directory of the spool (0700). */
  readonly spoolDir: string;
  /** Bound of unreplayed spool bytes; past it batches are refused and counted (default 256 MiB). */
  readonly maxSpoolBytes?: number;
  /** How long a publish waits for its PubAck before the message goes to the spool (default 2 s). */
  readonly publishTimeoutMs?: number;
  /** Messages replayed from the spool per round trip (default 256). */
  readonly replayBatch?: number;
  /** Software version, reported to the hub in the heartbeat. */
  readonly version?: string;
  /** Heartbeat period (default 10 s): the hub shows version and spool size, and a silent sensor. */
  readonly heartbeatMs?: number;
  readonly logger?: Logger;
}

export interface PublisherStats extends SpoolStats {
  readonly connected: boolean;
  /** Messages acknowledged by JetStream on the direct path. */
  readonly published: number;
  /** PubAcks that reported a duplicate (already stored: a retry after a lost ack). */
  readonly duplicates: number;
}

export class FleetPublisher {
  private readonly spool: DiskSpool;
  private readonly logger: Logger;
  /** Every spool and publish step runs on this chain, so the spool order is the publish order. */
  private chain: Promise<unknown> = Promise.resolve();
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private connected = false;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  /** Events without a session are numbered under this sensor's name and boot. */
  private readonly eventIds: EventIds;
  private counts = { published: 0, duplicates: 0 };

  private constructor(private readonly opts: PublisherOptions) {
    if (!SENSOR_NAME.test(opts.sensor)) throw new AppError('VIGIL_ERR_CONFIG', `fleet sensor name ${JSON.stringify(opts.sensor)}: expected letters, digits, _ or - (one NATS subject token)`);
    this.spool = new DiskSpool(opts.spoolDir, opts.maxSpoolBytes ?? 256 * 1024 * 1024);
    this.logger = opts.logger ?? silentLogger;
    this.eventIds = new EventIds(`${opts.sensor}-${randomBytes(6).toString('hex')}`);
  }

  /** Start spooling at once; connect in the background (the broker may be down at start). */
  static start(opts: PublisherOptions): FleetPublisher {
    const p = new FleetPublisher(opts);
    void p.connectLoop();
    if (!p.spool.isEmpty) p.kick(0);
    return p;
  }

  get stats(): PublisherStats {
    return { ...this.spool.snapshot, ...this.counts, connected: this.connected };
  }

  /** The sensor's sink: resolves when every record is in JetStream or fsynced in the spool. */
  write(batch: readonly FleetRecord[]): Promise<void> {
    return this.serial(async () => {
      const messages = toMessages(this.opts.sensor, batch, this.eventIds);
      if (this.spool.isEmpty && this.connected) {
        const failed = await this.publishAll(messages);
        if (failed.length === 0) return;
        messages.splice(0, messages.length, ...failed);
      }
      this.spool.append(messages);
      this.kick(this.connected ? 0 : 1000);
    });
  }

  /** Resolves when the spool is empty (tests, orderly shutdown). */
  async drained(timeoutMs = 30_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      await this.chain;
      if (this.spool.isEmpty) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.chain.catch(() => undefined);
    this.spool.close();
    await this.nc?.close().catch(() => undefined);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Publish in order (pipelined); returns the messages JetStream did not acknowledge, in order. */
  private async publishAll(messages: readonly FleetMessage[]): Promise<FleetMessage[]> {
    const js = this.js;
    if (!js) return [...messages];
    const timeout = this.opts.publishTimeoutMs ?? 2000;
    const acks = await Promise.allSettled(messages.map((m) => js.publish(m.subject, m.body, { msgID: m.id, timeout })));
    const failed: FleetMessage[] = [];
    acks.forEach((a, i) => {
      if (a.status === 'rejected') failed.push(messages[i]);
      else if (a.value.duplicate) this.counts.duplicates++;
    });
    this.counts.published += messages.length - failed.length;
    if (failed.length > 0) this.logger.warn({ failed: failed.length, err: String((acks.find((a) => a.status === 'rejected') as PromiseRejectedResult).reason) }, 'fleet: publish not acknowledged; spooling');
    return failed;
  }

  private kick(delayMs: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.serial(() => this.replayStep());
    }, delayMs);
    this.timer.unref();
  }

  /** One replay round trip: the oldest spooled messages to JetStream, then move the offset. */
  private async replayStep(): Promise<void> {
    if (this.closed || this.spool.isEmpty) return;
    if (!this.connected) return this.kick(1000);
    const { messages, next } = this.spool.peek(this.opts.replayBatch ?? 256);
    const failed = await this.publishAll(messages);
    if (failed.length > 0) return this.kick(1000);
    this.spool.commit(next, messages.length);
    if (!this.spool.isEmpty) this.kick(0);
  }

  /** Core NATS, not JetStream: a lost heartbeat needs no replay, the next one says the same. */
  private startHeartbeat(nc: NatsConnection): void {
    const beat = (): void => {
      if (!this.connected) return;
      const st = this.stats;
      const body: HeartbeatBody = { v: 1, version: this.opts.version ?? '', spoolBytes: st.pendingBytes, spooled: st.spooled, dropped: st.dropped, ts: Date.now() };
      try {
        nc.publish(healthSubject(this.opts.sensor), JSON.stringify(body));
      } catch {
        // closed or reconnecting: the next beat
      }
    };
    beat();
    this.heartbeat = setInterval(beat, this.opts.heartbeatMs ?? 10_000);
    this.heartbeat.unref();
  }

  private async connectLoop(): Promise<void> {
    try {
      // The first connect is retried here, on unref'd timers, rather than inside the client: a
      // publisher closed before its broker ever answered must not keep the process alive retrying.
      let nc: NatsConnection | undefined;
      for (let tries = 0; nc === undefined; tries++) {
        try {
          nc = await connectNats({ name: `vigil-sensor-${this.opts.sensor}`, ...this.opts.nats, waitOnFirstConnect: false });
        } catch (e) {
          if (this.closed) return;
          if (tries === 0) this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'fleet: broker not reachable yet; spooling to disk and retrying');
          await new Promise((r) => setTimeout(r, 500).unref());
          if (this.closed) return;
        }
      }
      if (this.closed) return void (await nc.close());
      const { jetstream } = await import('@nats-io/jetstream');
      this.nc = nc;
      this.js = jetstream(nc);
      this.connected = true;
      this.logger.info({ url: this.opts.nats.url }, 'fleet: connected to the hub broker');
      this.kick(0);
      this.startHeartbeat(nc);
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          this.connected = false;
          this.logger.warn({}, 'fleet: broker connection lost; spooling to disk');
        } else if (s.type === 'reconnect') {
          this.connected = true;
          this.logger.info({}, 'fleet: broker connection back; replaying the spool');
          this.kick(0);
        }
      }
    } catch (e) {
      if (!this.closed) this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'fleet: cannot connect to the broker');
    }
  }
}
