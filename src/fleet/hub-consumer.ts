// The hub side of the fleet: one durable JetStream consumer over every sensor's subjects; each
// micro-batch is written to the Store (group commit: one transaction), and a message is acked only
// after its writes committed. Redelivery after a crash is harmless: sessions insert once by id.

import type { NatsConnection } from '@nats-io/transport-node';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { isAppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { VigilEvent } from '../model/event.js';
import type { SessionRecord } from '../model/session.js';
import type { SaveResult, Store } from '../store/store.js';
import { FLEET_STREAM, HEALTH_ROOT, MAX_MESSAGE_BYTES, SUBJECT_ROOT, decodeHeartbeat, decodeMessage, type FleetRejection } from './fleet-wire.js';
import { connectNats, type NatsLinkOptions } from './nats-link.js';

export type HubStore = Pick<Store, 'saveSession' | 'putPayload' | 'appendEvents'>;

export interface HubOptions {
  readonly nats: NatsLinkOptions;
  readonly store: HubStore;
  /** Durable consumer name: a second hub with the same name shares the work, another name gets a copy. */
  readonly durable?: string;
  readonly stream?: string;
  /** Days JetStream keeps messages (whether consumed or not); default 7. */
  readonly streamMaxAgeDays?: number;
  /** Bytes the stream may hold; when full, publishes fail and sensors spool (discard new). Default 0 = no bound. */
  readonly streamMaxBytes?: number;
  /** Messages per fetch and store transaction (default 512). */
  readonly batch?: number;
  /** Events the store accepted (the detectors), after commit. */
  readonly onEvents?: (events: readonly VigilEvent[]) => void;
  /** Sessions newly stored, after commit. */
  readonly onSessions?: (sessions: readonly SessionRecord[]) => void;
  /** A sensor heard from (message or heartbeat) but not for this long is silent; 0 or absent = never. */
  readonly silentAfterMs?: number;
  /** Called once when a sensor falls silent, and again only after it spoke and fell silent anew. */
  readonly onSilent?: (silence: SensorSilence) => void;
  /** Sensors followed from the hub's start whether heard or not: one that never speaks is silent
   * silentAfterMs after the start (a sensor that never came up, or died while the hub was down). */
  readonly expectedSensors?: readonly string[];
  readonly logger?: Logger;
}

/** One sensor falling silent: what the hub last knew of it. */
export interface SensorSilence {
  readonly sensor: string;
  /** Epoch ms of its last message or heartbeat; 0 for an expected sensor never heard since the
   * hub started (silentForMs then counts from the start). */
  readonly lastSeen: number;
  readonly silentForMs: number;
  /** When the hub started following its sensors (epoch ms). */
  readonly watchedSince: number;
  readonly health: Readonly<SensorHealth>;
}

/** What the hub knows of one sensor from its messages. */
export interface SensorHealth {
  lastSeen: number;
  sessions: number;
  events: number;
  /** ms between the broker storing the sensor's last message and the hub committing it. */
  lagMs: number;
  /** From the sensor's last heartbeat (absent until one arrives). */
  version?: string;
  spoolBytes?: number;
  dropped?: number;
  lastHeartbeat?: number;
  /** Since when the hub has called the sensor silent (cleared when it speaks again). */
  silentSince?: number;
  /** Named in HubOptions.expectedSensors: followed before it is first heard. */
  expected?: boolean;
}

export interface HubStats {
  received: number;
  sessionsStored: number;
  sessionsDuplicate: number;
  eventsStored: number;
  rejected: Partial<Record<FleetRejection | 'bad_record', number>>;
  retried: number;
  /** Messages still waiting in the consumer after the last batch. */
  backlog: number;
}

const nanos = (ms: number): number => ms * 1_000_000;

/** Sensors the hub keeps health for; names past it are counted in stats but not followed. */
export const MAX_TRACKED_SENSORS = 10_000;

export class FleetHub {
  readonly stats: HubStats = { received: 0, sessionsStored: 0, sessionsDuplicate: 0, eventsStored: 0, rejected: {}, retried: 0, backlog: 0 };
  readonly sensors = new Map<string, SensorHealth>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private stopWaiting: (() => void) | undefined;
  private messages: ConsumerMessages | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  /** When this hub started following its sensors (epoch ms): an expected sensor's silence counts from it. */
  readonly startedAt = Date.now();

  private constructor(
    private readonly opts: HubOptions,
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
  ) {
    for (const sensor of opts.expectedSensors ?? []) {
      const h = this.health(sensor);
      if (h) h.expected = true;
    }
  }

  /** Connect (waiting for the broker), create the stream and the durable consumer if missing, consume. */
  static async start(opts: HubOptions): Promise<FleetHub> {
    const nc = await connectNats({ name: 'vigil-hub', ...opts.nats });
    const hub = new FleetHub(opts, nc, opts.logger ?? silentLogger);
    try {
      await hub.ensureStream();
    } catch (e) {
      await nc.close();
      throw e;
    }
    hub.loop = hub.consumeLoop();
    hub.listenHeartbeats();
    hub.watchSilence();
    return hub;
  }

  /** Stop pulling, finish the batch in hand (committed and acked), close the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    this.stopWaiting?.();
    await this.messages?.close();
    await this.loop;
    await this.nc.drain().catch(() => undefined);
  }

  private listenHeartbeats(): void {
    const sub = this.nc.subscribe(`${HEALTH_ROOT}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const d = decodeHeartbeat(msg.subject, msg.data);
        if (!d) return;
        const h = this.health(d.sensor);
        if (!h) return;
        h.version = d.beat.version;
        h.spoolBytes = d.beat.spoolBytes;
        h.dropped = d.beat.dropped;
        h.lastHeartbeat = Date.now();
        h.lastSeen = Math.max(h.lastSeen, h.lastHeartbeat);
        this.heard(d.sensor, h);
      },
    });
    void sub.closed.catch(() => undefined);
  }

  /**
   * Look at every followed sensor a few times per silence period. Heartbeats come every 10 s from a
   * live sensor even when nobody knocks on its ports, so silence means a dead sensor, its link, or
   * a revoked credential, not a quiet network. Followed: the expected sensors from the hub's start,
   * and every other sensor once heard (a hub restarted while an unlisted sensor is down learns of it
   * only when it returns).
   */
  private watchSilence(): void {
    const after = this.opts.silentAfterMs ?? 0;
    if (after <= 0 || !this.opts.onSilent) return;
    this.silenceTimer = setInterval(() => this.checkSilence(Date.now()), Math.max(100, Math.min(after / 4, 30_000)));
    this.silenceTimer.unref();
  }

  /** Report each sensor that went silent since the last look (exposed for tests with their own clock). */
  checkSilence(now: number): SensorSilence[] {
    const after = this.opts.silentAfterMs ?? 0;
    const found: SensorSilence[] = [];
    if (after <= 0) return found;
    for (const [sensor, h] of this.sensors) {
      if (h.silentSince !== undefined || (h.lastSeen === 0 && !h.expected)) continue;
      const since = h.lastSeen === 0 ? this.startedAt : h.lastSeen;
      if (now - since < after) continue;
      h.silentSince = now;
      found.push({ sensor, lastSeen: h.lastSeen, silentForMs: now - since, watchedSince: this.startedAt, health: { ...h } });
    }
    for (const s of found) {
      this.logger.warn({ sensor: s.sensor, lastSeen: s.lastSeen === 0 ? 'never' : new Date(s.lastSeen).toISOString() }, 'fleet hub: sensor silent');
      this.opts.onSilent?.(s);
    }
    return found;
  }

  /** The sensor's health record, created on first sight, within MAX_TRACKED_SENSORS. */
  private health(sensor: string): SensorHealth | undefined {
    let h = this.sensors.get(sensor);
    if (!h) {
      if (this.sensors.size >= MAX_TRACKED_SENSORS) return undefined;
      h = { lastSeen: 0, sessions: 0, events: 0, lagMs: 0 };
      this.sensors.set(sensor, h);
    }
    return h;
  }

  private get streamName(): string {
    return this.opts.stream ?? FLEET_STREAM;
  }

  private get durable(): string {
    return this.opts.durable ?? 'vigil-hub';
  }

  private async ensureStream(): Promise<void> {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(this.nc);
    const config = {
      name: this.streamName,
      subjects: [`${SUBJECT_ROOT}.>`],
      storage: 'file' as const,
      retention: 'limits' as const,
      // discard new: a full stream refuses publishes, so sensors spool instead of losing old messages.
      discard: 'new' as const,
      max_age: nanos((this.opts.streamMaxAgeDays ?? 7) * 86_400_000),
      max_bytes: this.opts.streamMaxBytes && this.opts.streamMaxBytes > 0 ? this.opts.streamMaxBytes : -1,
      max_msg_size: MAX_MESSAGE_BYTES,
      // Sensors republish spooled messages with their ids: ten minutes covers a broker restart.
      duplicate_window: nanos(600_000),
    };
    try {
      await jsm.streams.info(this.streamName);
      await jsm.streams.update(this.streamName, config);
    } catch (e) {
      if (!/not found/i.test(String(e))) throw e;
      await jsm.streams.add(config);
    }
    await jsm.consumers.add(this.streamName, {
      durable_name: this.durable,
      ack_policy: 'explicit',
      deliver_policy: 'all',
      ack_wait: nanos(30_000),
      max_ack_pending: 8192,
      max_deliver: -1,
    });
  }

  private async consumeLoop(): Promise<void> {
    const { jetstream } = await import('@nats-io/jetstream');
    const js = jetstream(this.nc);
    while (!this.stopped) {
      try {
        const consumer = await js.consumers.get(this.streamName, this.durable);
        await this.consumeOnce(await consumer.consume({ max_messages: 2 * this.batchSize }));
      } catch (e) {
        if (this.stopped) break;
        this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'fleet hub: consuming failed; retrying');
        await new Promise<void>((r) => {
          this.stopWaiting = r;
          setTimeout(r, 500).unref();
        });
      }
    }
  }

  private get batchSize(): number {
    return this.opts.batch ?? 512;
  }

  /**
   * Messages stream in (the client keeps pulls outstanding) while a writer takes whatever has
   * arrived, up to a batch, per store transaction: broker and database round trips overlap, and a
   * quiet fleet is written at once rather than after a fetch timeout. What waits here is bounded by
   * the consumer's max_ack_pending (8192): unacknowledged messages are not delivered beyond it.
   */
  private async consumeOnce(messages: ConsumerMessages): Promise<void> {
    this.messages = messages;
    const queue: JsMsg[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const writer = (async () => {
      while (!ended || queue.length > 0) {
        if (queue.length === 0) {
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        await this.handle(queue.splice(0, this.batchSize));
      }
    })();
    // A failed write (the store closed under us) ends the stream; the outer loop starts it again.
    const failed = writer.catch(async (e: unknown) => {
      await messages.close();
      throw e;
    });
    try {
      for await (const m of messages) {
        queue.push(m);
        wake?.();
        wake = undefined;
      }
    } finally {
      ended = true;
      wake?.();
      await failed;
    }
  }

  /** Write one batch: payloads, events and sessions submitted together join one store transaction. */
  private async handle(msgs: readonly JsMsg[]): Promise<void> {
    this.stats.received += msgs.length;
    const writes: { msg: JsMsg; sensor: string; parts: Promise<unknown>[]; session?: SessionRecord }[] = [];
    const events: VigilEvent[] = [];
    const eventOwners: JsMsg[] = [];
    for (const msg of msgs) {
      const d = decodeMessage(msg.subject, msg.data);
      if (!d.ok) {
        this.stats.rejected[d.reason] = (this.stats.rejected[d.reason] ?? 0) + 1;
        this.logger.warn({ sensor: d.sensor, reason: d.reason, subject: msg.subject.slice(0, 200) }, 'fleet hub: message refused');
        msg.term(d.reason);
        continue;
      }
      this.touch(d.sensor, msg, d.kind === 'session' ? 1 : 0, d.kind === 'events' ? d.events.length : 0);
      if (d.kind === 'events') {
        events.push(...d.events);
        eventOwners.push(msg);
        continue;
      }
      const parts: Promise<unknown>[] = [];
      // The sample first, as the sensor's own sink does: a stored session never cites a missing sample.
      if (d.payload) parts.push(this.opts.store.putPayload(d.payload, d.session.startTs));
      writes.push({ msg, sensor: d.sensor, parts, session: d.session });
    }
    const eventsWrite = events.length > 0 ? this.opts.store.appendEvents(events) : Promise.resolve();
    // Each session with its sample as one promise, handled from the start: a write that fails early
    // (the database restarting) must not surface as an unhandled rejection while others are pending.
    const saves = writes.map((w) => Promise.all([...w.parts, this.opts.store.saveSession(w.session!)]).then((r) => r[r.length - 1] as SaveResult));
    const [ev, ...saved] = await Promise.allSettled([eventsWrite, ...saves]);
    const stored: SessionRecord[] = [];
    writes.forEach((w, i) => {
      const s = saved[i] as PromiseSettledResult<SaveResult>;
      if (s.status === 'rejected') return this.refuseOrRetry(w.msg, s.reason);
      if (s.value.inserted) {
        this.stats.sessionsStored++;
        stored.push(w.session!);
      } else this.stats.sessionsDuplicate++;
      w.msg.ack();
    });
    if (ev.status === 'fulfilled') {
      this.stats.eventsStored += events.length;
      eventOwners.forEach((m) => m.ack());
    } else eventOwners.forEach((m) => this.refuseOrRetry(m, ev.reason));
    this.stats.backlog = msgs[msgs.length - 1].info.pending;
    if (stored.length > 0) this.opts.onSessions?.(stored);
    if (ev.status === 'fulfilled' && events.length > 0) this.opts.onEvents?.(events);
  }

  /** A record the store calls malformed will never store: terminate it. Anything else: redeliver later. */
  private refuseOrRetry(msg: JsMsg, err: unknown): void {
    if (isAppError(err, 'VIGIL_ERR_BAD_ARGUMENT')) {
      this.stats.rejected.bad_record = (this.stats.rejected.bad_record ?? 0) + 1;
      msg.term('bad_record');
      return;
    }
    this.stats.retried++;
    msg.nak(1000);
  }

  /** A silent sensor that speaks again is followed anew (its next silence is reported again). */
  private heard(sensor: string, h: SensorHealth): void {
    if (h.silentSince === undefined) return;
    this.logger.info({ sensor, silentForMs: h.lastSeen - h.silentSince }, 'fleet hub: sensor speaks again');
    delete h.silentSince;
  }

  private touch(sensor: string, msg: JsMsg, sessions: number, events: number): void {
    const h = this.health(sensor);
    if (!h) return;
    const now = Date.now();
    h.lastSeen = now;
    this.heard(sensor, h);
    h.sessions += sessions;
    h.events += events;
    h.lagMs = Math.max(0, now - Math.floor(msg.info.timestampNanos / 1_000_000));
  }
}
