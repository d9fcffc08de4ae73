// What `vigil share export` writes: every stored alert in a time range (paged out of the store,
// oldest first) in one of the sharing or SIEM formats.

import type { AlertRepository } from '../../detect/alert-store-port.js';
import type { Alert } from '../../model/alert.js';
import { alertToCef } from '../../share/siem/cef-format.js';
import { alertToEcs, sessionToEcs } from '../../share/siem/ecs-format.js';
import { alertToEve, sessionToEveFlow } from '../../share/siem/eve-format.js';
import type { Store } from '../../store/store.js';
import { syslogMessage } from '../../share/siem/syslog-format.js';
import { alertsToStix, type StixExportOptions } from '../../share/stix/stix-export.js';

export const EXPORT_FORMATS = ['stix', 'ecs', 'cef', 'syslog', 'eve'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
const PAGE = 1000;

/** All alerts in [since, until), oldest first; the store answers newest first, 1000 at a time. */
export async function readAllAlerts(repo: Pick<AlertRepository, 'listAlerts'>, range: { since?: number; until?: number }): Promise<Alert[]> {
  const byId = new Map<string, Alert>();
  let until = range.until;
  for (;;) {
    const page = await repo.listAlerts({ ...(range.since !== undefined ? { since: range.since } : {}), ...(until !== undefined ? { until } : {}), limit: PAGE });
    for (const a of page) byId.set(a.id, stripState(a));
    if (page.length < PAGE) break;
    // `until` is exclusive: step to the oldest time seen plus one ms, so alerts sharing it are not
    // skipped (duplicates fall out by id); stop if a whole page shares one millisecond.
    const next = Math.min(...page.map((a) => a.ts)) + 1;
    if (until !== undefined && next >= until) break;
    until = next;
  }
  return [...byId.values()].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
}

/** An alert record without its handling state (acknowledged, ackBy, ackAt): what is shared. */
function stripState(a: Alert & { acknowledged?: boolean; ackBy?: string; ackAt?: number }): Alert {
  const { acknowledged: _a, ackBy: _b, ackAt: _c, ...alert } = a;
  return alert;
}

export interface ExportContext {
  readonly stix: StixExportOptions;
  readonly observer: string;
  readonly sensorAddress: string;
}

export function* exportAlerts(alerts: readonly Alert[], format: ExportFormat, ctx: ExportContext): Generator<string> {
  if (format === 'stix') {
    yield `${JSON.stringify(alertsToStix(alerts, ctx.stix), null, 2)}\n`;
    return;
  }
  for (const a of alerts) {
    if (format === 'ecs') yield `${JSON.stringify(alertToEcs(a, { observer: ctx.observer }))}\n`;
    else if (format === 'cef') yield `${alertToCef(a, { observer: ctx.observer })}\n`;
    else if (format === 'syslog') {
      yield `${syslogMessage({ facility: 'local4', severity: a.severity, ts: a.ts, hostname: ctx.observer, appName: 'vigil', procId: '-', msgId: 'alert' }, alertToCef(a, { observer: ctx.observer }))}\n`;
    } else {
      const rec = alertToEve(a, ctx.sensorAddress);
      if (rec) yield `${JSON.stringify(rec)}\n`;
    }
  }
}

/** Every session in [since, until), oldest first, page by page (the store's cursor), as ECS or EVE lines. */
export async function* exportSessions(store: Pick<Store, 'listSessions'>, range: { since?: number; until?: number }, format: 'ecs' | 'eve', observer: string): AsyncGenerator<string> {
  let cursor: string | undefined;
  do {
    const page = await store.listSessions({ ...range, order: 'asc', limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) });
    for (const s of page.items) yield `${JSON.stringify(format === 'ecs' ? sessionToEcs(s, { observer }) : sessionToEveFlow(s))}\n`;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
