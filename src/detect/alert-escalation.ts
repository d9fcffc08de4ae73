// An analyst's escalation as a notice to the receivers (webhooks): the alert again, with who
// escalated it and when, under the event name `alert.escalated`. The router never deduplicates or
// suppresses notices, so an escalation reaches the receivers even when the alert itself was merged.

import type { AlertRecord } from '../model/alert.js';
import type { NodeNotice } from './alert-router.js';

export interface AlertEscalatedEvent extends NodeNotice {
  readonly event: 'alert.escalated';
  readonly alert: AlertRecord;
  readonly by: string;
  /** The alert's page on the dashboard, when the node knows its public address. */
  readonly url?: string;
}

export function alertEscalatedEvent(a: AlertRecord, url?: string): AlertEscalatedEvent {
  // one notice per alert: escalating twice is refused by the store, so the id can be the alert's
  return { event: 'alert.escalated', id: `escalated:${a.id}`, ts: a.escalatedAt ?? a.ts, alert: a, by: a.escalatedBy ?? '', ...(url !== undefined ? { url } : {}) };
}
