// The persistence detect needs for alerts, as a small interface: the SQLite store implements it
// structurally (src/store/sqlite/alert-sqlite-store.ts) so that detect never imports store.

import type { Alert, AlertQuery, AlertRecord } from '../model/alert.js';
import type { AlertSink } from './alert-router.js';

export interface AlertRepository {
  /** Idempotent on alert.id (a replayed alert is stored once). Resolves after commit. */
  saveAlert(alert: Alert): Promise<void>;
  listAlerts(query?: AlertQuery): Promise<AlertRecord[]>;
  getAlert(id: string): Promise<AlertRecord | undefined>;
  /** false when no such alert. Acknowledging twice keeps the first acknowledgement. */
  acknowledge(id: string, by: string, at: number): Promise<boolean>;
  /** Hand the alert to `assignee` (undefined: nobody); false when no such alert. */
  assign(id: string, assignee: string | undefined, by: string, at: number): Promise<boolean>;
  /** Mark it escalated; true only the first time (the caller tells the receivers then). */
  escalate(id: string, by: string, at: number): Promise<boolean>;
}

export function storeSink(repo: AlertRepository): AlertSink {
  return { name: 'store', deliver: (a) => repo.saveAlert(a) };
}
