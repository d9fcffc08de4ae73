// The sensor's sink in a running node: sessions (with their payload samples) and events go to the
// store in one batch per queue drain; a session is "acknowledged" once saveSessions has resolved,
// which the store only does after its transaction committed (durable across SIGKILL).

import type { SensorOutput, SensorSink } from '../sensor/sensor-types.js';
import type { Store } from '../store/store.js';
import type { VigilEvent } from '../model/event.js';
import type { SessionRecord } from '../model/session.js';

/** Something else that wants the events (detectors); called after the store has them. */
export type EventListener = (events: readonly VigilEvent[]) => void;

export function storeSink(store: Pick<Store, 'saveSessions' | 'appendEvents' | 'putPayload'>, listeners: readonly EventListener[] = []): SensorSink {
  return {
    async write(batch: readonly SensorOutput[]): Promise<void> {
      const sessions: SessionRecord[] = [];
      const events: VigilEvent[] = [];
      const payloads: Promise<unknown>[] = [];
      for (const item of batch) {
        if (item.kind === 'event') {
          events.push(item.event);
          continue;
        }
        sessions.push(item.session);
        if (item.payload) payloads.push(store.putPayload(item.payload, item.session.startTs));
      }
      // Payloads first: a stored session never points at a sample that is not there.
      await Promise.all(payloads);
      if (events.length > 0) await store.appendEvents(events);
      if (sessions.length > 0) await store.saveSessions(sessions);
      for (const l of listeners) l(events);
    },
  };
}
