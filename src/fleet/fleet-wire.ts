// The sensor -> hub message format on JetStream: subjects per sensor and kind, JSON bodies, message
// ids for the server's deduplication (Nats-Msg-Id, ADR-8 / JetStream "Message Deduplication").

import type { SessionRecord } from '../model/session.js';
import type { VigilEvent } from '../model/event.js';

/** What a sensor hands its sink: the same shape as the sensor's SensorOutput (fleet may not import sensor). */
export type FleetRecord =
  | { readonly kind: 'session'; readonly session: SessionRecord; readonly payload?: Uint8Array }
  | { readonly kind: 'event'; readonly event: VigilEvent };

export const SUBJECT_ROOT = 'vigil.fleet';
export const FLEET_STREAM = 'VIGIL_FLEET';

/** A sensor name is one subject token: no dots, wildcards or spaces, so permissions can pin it. */
export const SENSOR_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Largest message the hub decodes (the nats-server default max_payload is 1 MiB). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Longest event id the hub accepts (a session id, a type and a counter take under 60). */
export const MAX_EVENT_ID_CHARS = 200;
/** Events per events message. */
export const MAX_EVENTS_PER_MESSAGE = 512;

export type FleetKind = 'session' | 'events';

/** One message ready to publish (and the unit the spool keeps). */
export interface FleetMessage {
  readonly subject: string;
  /** Nats-Msg-Id: the session id, or an events message's first event id and count. */
  readonly id: string;
  readonly body: string;
}

export function subjectFor(sensor: string, kind: FleetKind): string {
  return `${SUBJECT_ROOT}.${sensor}.${kind}`;
}

interface SessionBody {
  readonly v: 1;
  readonly session: SessionRecord;
  /** The payload sample as received (base64), when the sensor kept one. */
  readonly payload?: string;
}

interface EventsBody {
  readonly v: 1;
  readonly events: readonly VigilEvent[];
}

/** Sessions whose event counter EventIds keeps at most (a session whose record never comes is forgotten first). */
export const MAX_COUNTED_SESSIONS = 65_536;

/**
 * Stable event ids, `<session>:<type>:<n>` with n counting the session's events in the order the
 * sensor hands them over; assigned once, before an event is published or spooled, so a
 * redelivered or replayed event carries the same id and the hub stores it once. A session's
 * counter is dropped when its record passes (the sensor sends it after the session's events).
 */
export class EventIds {
  private readonly counts = new Map<string, number>();
  private loose = 0;

  constructor(private readonly prefix: string) {}

  assign(e: VigilEvent): VigilEvent {
    if (e.id !== undefined) return e;
    if (e.session === undefined) return { ...e, id: `${this.prefix}:${e.type}:${this.loose++}` };
    const n = this.counts.get(e.session) ?? 0;
    if (n === 0 && this.counts.size >= MAX_COUNTED_SESSIONS) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(e.session, n + 1);
    return { ...e, id: `${e.session}:${e.type}:${n}` };
  }

  sessionDone(id: string): void {
    this.counts.delete(id);
  }
}

/**
 * Messages for one sink batch, in order: one per session (id = session id, so a republished
 * session is dropped by the server's duplicate window and by the hub's idempotent insert), and the
 * batch's events, each with its stable id, in messages of up to MAX_EVENTS_PER_MESSAGE whose
 * message id is the first event's id and the count (the same events make the same message id).
 */
export function toMessages(sensor: string, batch: readonly FleetRecord[], ids: EventIds): FleetMessage[] {
  const out: FleetMessage[] = [];
  let events: VigilEvent[] = [];
  const flushEvents = (): void => {
    if (events.length === 0) return;
    const body: EventsBody = { v: 1, events };
    out.push({ subject: subjectFor(sensor, 'events'), id: `${events[0].id!}+${events.length}`, body: JSON.stringify(body) });
    events = [];
  };
  for (const r of batch) {
    if (r.kind === 'event') {
      events.push(ids.assign(r.event));
      if (events.length >= MAX_EVENTS_PER_MESSAGE) flushEvents();
      continue;
    }
    ids.sessionDone(r.session.id);
    const body: SessionBody = { v: 1, session: r.session, ...(r.payload && { payload: Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength).toString('base64') }) };
    out.push({ subject: subjectFor(sensor, 'session'), id: r.session.id, body: JSON.stringify(body) });
  }
  flushEvents();
  return out;
}

/** A decoded message, or why it was refused (the hub terminates it and counts the reason). */
export type Decoded =
  | { readonly ok: true; readonly sensor: string; readonly kind: 'session'; readonly session: SessionRecord; readonly payload?: Uint8Array }
  | { readonly ok: true; readonly sensor: string; readonly kind: 'events'; readonly events: VigilEvent[] }
  | { readonly ok: false; readonly sensor: string; readonly reason: FleetRejection };

export type FleetRejection = 'bad_subject' | 'too_large' | 'bad_json' | 'bad_shape' | 'too_many_events';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields every store indexes an event by; the rest of the event is kept as sent. */
const isEventShaped = (e: unknown): boolean =>
  isObject(e) && typeof e.type === 'string' && typeof e.source === 'string' && typeof e.src === 'string' && Number.isFinite(e.ts) && Number.isInteger(e.dport) &&
  (e.id === undefined || typeof e.id === 'string' && e.id.length <= MAX_EVENT_ID_CHARS);

/**
 * Decode what a sensor sent. The sensor's name comes from the subject, which its NATS permissions
 * pin, never from the body: a sensor cannot file sessions under another's name.
 */
export function decodeMessage(subject: string, data: Uint8Array): Decoded {
  const parts = subject.split('.');
  const sensor = parts[2] ?? '';
  if (parts.length !== 4 || `${parts[0]}.${parts[1]}` !== SUBJECT_ROOT || !SENSOR_NAME.test(sensor) || (parts[3] !== 'session' && parts[3] !== 'events')) {
    return { ok: false, sensor, reason: 'bad_subject' };
  }
  if (data.byteLength > MAX_MESSAGE_BYTES) return { ok: false, sensor, reason: 'too_large' };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch {
    return { ok: false, sensor, reason: 'bad_json' };
  }
  if (!isObject(body) || body.v !== 1) return { ok: false, sensor, reason: 'bad_shape' };
  if (parts[3] === 'events') {
    if (!Array.isArray(body.events) || !body.events.every(isEventShaped)) return { ok: false, sensor, reason: 'bad_shape' };
    if (body.events.length > MAX_EVENTS_PER_MESSAGE) return { ok: false, sensor, reason: 'too_many_events' };
    return { ok: true, sensor, kind: 'events', events: body.events as VigilEvent[] };
  }
  const s = body.session;
  if (!isObject(s) || typeof s.id !== 'string' || typeof body.payload !== 'string' && body.payload !== undefined) return { ok: false, sensor, reason: 'bad_shape' };
  const session = { ...(s as unknown as SessionRecord), sensor };
  return { ok: true, sensor, kind: 'session', session, ...(typeof body.payload === 'string' && { payload: Buffer.from(body.payload, 'base64') }) };
}

/** Sensor heartbeats travel on core NATS beside the stream (never stored, never replayed). */
export const HEALTH_ROOT = 'vigil.health';
export const MAX_HEARTBEAT_BYTES = 4096;

export function healthSubject(sensor: string): string {
  return `${HEALTH_ROOT}.${sensor}`;
}

export interface HeartbeatBody {
  readonly v: 1;
  readonly version: string;
  readonly spoolBytes: number;
  readonly spooled: number;
  readonly dropped: number;
  readonly ts: number;
}

/** A heartbeat with its sensor (from the subject), or undefined when anything about it is off. */
export function decodeHeartbeat(subject: string, data: Uint8Array): { sensor: string; beat: HeartbeatBody } | undefined {
  const parts = subject.split('.');
  const sensor = parts[2] ?? '';
  if (parts.length !== 3 || `${parts[0]}.${parts[1]}` !== HEALTH_ROOT || !SENSOR_NAME.test(sensor) || data.byteLength > MAX_HEARTBEAT_BYTES) return undefined;
  try {
    const b = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Record<string, unknown>;
    const counts = [b.spoolBytes, b.spooled, b.dropped, b.ts].every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
    if (!isObject(b) || b.v !== 1 || typeof b.version !== 'string' || b.version.length > 64 || !counts) return undefined;
    return { sensor, beat: b as unknown as HeartbeatBody };
  } catch {
    return undefined;
  }
}
