// The sensor's sink in a running node: sessions (with their payload samples) and events go to the
// store in one batch per queue drain, one transaction when the store offers saveBatch; a session is
// "acknowledged" once that has resolved, which the store only does after its commit (durable across SIGKILL).

import type { SensorOutput, SensorSink } from '../sensor/sensor-types.js';
import type { SaveResult, Store } from '../store/store.js';
import type { VigilEvent } from '../model/event.js';
import type { SessionRecord } from '../model/session.js';

/** Something else that wants the events (detectors); called after the store has them. */
export type EventListener = (events: readonly VigilEvent[]) => void;

/** How long a payload sample counts as fresh: identical probes (a worm, a scanner, a load test)
 * within this window are stored once instead of one upsert transaction per session. */
const PAYLOAD_REFRESH_MS = 60_000;
const PAYLOAD_MEMORY = 4096;

/** A store that commits samples, events and sessions together (SqliteStore.saveBatch). */
export interface BatchingStore {
  saveBatch(batch: { sessions: readonly SessionRecord[]; events?: readonly VigilEvent[]; payloads?: readonly { data: Uint8Array; ts: number }[] }): Promise<SaveResult[]>;
}

type SinkStore = Pick<Store, 'saveSessions' | 'appendEvents' | 'putPayload'> & Partial<BatchingStore>;

export function storeSink(store: SinkStore, listeners: readonly EventListener[] = []): SensorSink {
  // sha256 -> last time this sink stored it; bounded (oldest forgotten first, Map keeps insertion order).
  const recent = new Map<string, number>();
  const fresh = (sha: string | undefined, ts: number): boolean => {
    if (!sha) return false;
    const seen = recent.get(sha);
    if (seen !== undefined && ts - seen < PAYLOAD_REFRESH_MS) return true;
    recent.delete(sha);
    recent.set(sha, ts);
    if (recent.size > PAYLOAD_MEMORY) recent.delete(recent.keys().next().value as string);
    return false;
  };
  return {
    async write(batch: readonly SensorOutput[]): Promise<void> {
      const sessions: SessionRecord[] = [];
      const events: VigilEvent[] = [];
      const payloads: { data: Uint8Array; ts: number }[] = [];
      for (const item of batch) {
        if (item.kind === 'event') {
          events.push(item.event);
          continue;
        }
        sessions.push(item.session);
        if (item.payload && !fresh(item.session.payloadSha256?.[0], item.session.startTs)) payloads.push({ data: ownBytes(item.payload), ts: item.session.startTs });
      }
      if (store.saveBatch) await store.saveBatch({ sessions, events, payloads });
      else {
        // Payloads first: a stored session never points at a sample that is not there.
        await Promise.all(payloads.map((p) => store.putPayload(p.data, p.ts)));
        if (events.length > 0) await store.appendEvents(events);
        if (sessions.length > 0) await store.saveSessions(sessions);
      }
      for (const l of listeners) l(events);
    },
  };
}

/** The bytes in a buffer of their own: a small Buffer is a view into Node's shared 8 KiB pool, and
 * handing it to the store's writer thread would copy the whole pool slab (structured clone copies a
 * view's entire ArrayBuffer). */
function ownBytes(b: Uint8Array): Uint8Array {
  return b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b);
}
