// The first screen: per sensor port, connections and sources per hour over 7 days with surge alarms
// marked and a trend score against the 30-day baseline (DShield's port trends); open alerts grouped
// by detector and rule; sensor health; knowledge-base freshness; exposure (hosts with RPC exposed,
// vulnerable, overdue), each number a link to the Exposure page filtered accordingly.

import type { FastifyInstance } from 'fastify';
import { isoDay } from '../../exposure/finding-policy.js';
import { NVD_STATE_KEY } from '../../kb/import/nvd-sync.js';
import type { PortStatsBucket } from '../../store/store.js';
import { portChart, type ChartPoint } from '../svg-chart.js';
import type { RuleCount, WebDeps } from '../web-deps.js';
import type { WebContext } from '../web-context.js';
import { RPC_SERVICE } from './exposure-page.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface PortRow {
  readonly port: number;
  readonly last24h: number;
  /** Distinct sources today (since 00:00 UTC). */
  readonly sourcesToday: number;
  /** Last 24 h against the mean day of the 30 days before; undefined without a baseline. */
  readonly trend?: number;
  readonly surges: number;
  readonly chart: string;
}

export function overviewRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get('/', async (request, reply) => {
    const now = ctx.deps.clock.now();
    const [ports, groups, health, kb, exposure] = await Promise.all([portRows(ctx.deps, now), openAlertGroups(ctx.deps), sensorHealth(ctx.deps), kbFreshness(ctx.deps), exposureSummary(ctx.deps, now)]);
    const openTotal = groups.reduce((n, g) => n + g.count, 0);
    return ctx.pages.send(request, reply, 'overview', 'overview', 'Overview', { now, ports, groups, openTotal, health, kb, exposure, rpcService: RPC_SERVICE });
  });
}

async function portRows(deps: WebDeps, now: number): Promise<PortRow[]> {
  const until = Math.ceil(now / HOUR) * HOUR;
  const since = until - 7 * DAY;
  const dayEnd = Math.ceil(now / DAY) * DAY;
  // Counts only for the week and the baseline (distinct sources over 30 days of minute rollups is the
  // costly part); distinct sources for today (UTC) as one bucket per port.
  const [week, month, today, surgeAlerts] = await Promise.all([
    deps.store.portStats({ since, until, bucketSeconds: 3600, withSources: false }),
    deps.store.portStats({ since: dayEnd - 31 * DAY, until: dayEnd - DAY, bucketSeconds: 86_400, withSources: false }),
    deps.store.portStats({ since: dayEnd - DAY, until: now, bucketSeconds: 86_400 }),
    // The newest 300 surge alarms mark the charts (more would be one red smear anyway).
    deps.alerts.listAlerts({ detector: 'surge', since, limit: 300 }),
  ]);
  const sourcesToday = new Map<number, number>();
  for (const b of today) sourcesToday.set(b.port, (sourcesToday.get(b.port) ?? 0) + b.uniqueSources);
  const byPort = groupByPort(week);
  const baseline = new Map<number, number>();
  for (const b of month) baseline.set(b.port, (baseline.get(b.port) ?? 0) + b.count / 30);
  const rows: PortRow[] = [];
  for (const [port, buckets] of byPort) {
    const recent = buckets.filter((b) => b.t >= now - DAY);
    const last24h = recent.reduce((n, b) => n + b.count, 0);
    const sourcesToday24 = sourcesToday.get(port) ?? 0;
    const marks = surgeAlerts.filter((a) => a.dport === port).map((a) => a.ts);
    const base = baseline.get(port);
    rows.push({
      port, last24h, sourcesToday: sourcesToday24, surges: marks.length,
      ...(base !== undefined && base > 0 ? { trend: last24h / base } : {}),
      chart: portChart(buckets, { since, until, bucketMs: HOUR, marks, label: `port ${port}: connections per hour, 7 days` }),
    });
  }
  return rows.sort((a, b) => b.last24h - a.last24h || a.port - b.port).slice(0, 24);
}

function groupByPort(rows: readonly PortStatsBucket[]): Map<number, ChartPoint[]> {
  const out = new Map<number, ChartPoint[]>();
  for (const r of rows) {
    let list = out.get(r.port);
    if (!list) out.set(r.port, (list = []));
    list.push({ t: r.bucketStart, count: r.count, sources: r.uniqueSources });
  }
  for (const list of out.values()) list.sort((a, b) => a.t - b.t);
  return out;
}

/** Open alerts per detector and rule: one grouped query when the store has it, else from a bounded list. */
export async function openAlertGroups(deps: WebDeps): Promise<RuleCount[]> {
  if (deps.alerts.ruleCounts) return deps.alerts.ruleCounts({ acknowledged: false });
  const list = await deps.alerts.listAlerts({ acknowledged: false, limit: 1000 });
  const m = new Map<string, RuleCount>();
  const rank = ['info', 'low', 'medium', 'high', 'critical'];
  for (const a of list) {
    const k = `${a.detector}\u0000${a.rule}`;
    const g = m.get(k);
    m.set(k, g
      ? { ...g, count: g.count + 1, lastTs: Math.max(g.lastTs, a.ts), maxSeverity: rank.indexOf(a.severity) > rank.indexOf(g.maxSeverity) ? a.severity : g.maxSeverity }
      : { detector: a.detector, rule: a.rule, count: 1, maxSeverity: a.severity, lastTs: a.ts });
  }
  return [...m.values()].sort((a, b) => b.count - a.count);
}

export interface Health {
  readonly lastSessionTs?: number;
  readonly lastSessionId?: string;
  readonly storeBytes?: number;
  readonly metrics: readonly { label: string; value: number }[];
  /** A fleet hub's sensors, from its per-sensor metrics (vigil_fleet_sensor_*): silent ones first. */
  readonly fleet: readonly FleetSensorRow[];
}

export interface FleetSensorRow {
  readonly sensor: string;
  readonly lastSeenMs?: number;
  readonly lagSeconds?: number;
  readonly spoolBytes?: number;
  readonly version?: string;
  readonly silent: boolean;
}

/** Sensors listed on the overview; the rest are in /metrics. */
const MAX_FLEET_ROWS = 50;

type MetricJson = { name: string; values: { value: number; labels: Record<string, string | number> }[] };

/** Per-sensor rows from the hub's gauges (web reads metrics, never the fleet module itself). */
function fleetRows(json: readonly MetricJson[]): FleetSensorRow[] {
  const rows = new Map<string, { sensor: string; lastSeenMs?: number; lagSeconds?: number; spoolBytes?: number; version?: string; silent: boolean }>();
  const row = (sensor: string) => rows.get(sensor) ?? rows.set(sensor, { sensor, silent: false }).get(sensor)!;
  for (const m of json) {
    for (const v of m.values) {
      const sensor = v.labels.sensor;
      if (typeof sensor !== 'string') continue;
      if (m.name === 'vigil_fleet_sensor_last_seen_seconds') row(sensor).lastSeenMs = v.value * 1000;
      else if (m.name === 'vigil_fleet_sensor_lag_seconds') row(sensor).lagSeconds = v.value;
      else if (m.name === 'vigil_fleet_sensor_spool_bytes') row(sensor).spoolBytes = v.value;
      else if (m.name === 'vigil_fleet_sensor_silent') row(sensor).silent = v.value === 1;
      else if (m.name === 'vigil_fleet_sensor_info' && typeof v.labels.version === 'string') row(sensor).version = v.labels.version;
    }
  }
  return [...rows.values()].sort((a, b) => Number(b.silent) - Number(a.silent) || a.sensor.localeCompare(b.sensor)).slice(0, MAX_FLEET_ROWS);
}

/** Metrics shown as sensor health, summed over their labels. */
const HEALTH_METRICS: readonly [string, string][] = [
  ['vigil_sensor_open_connections', 'open connections'],
  ['vigil_sensor_queue_depth', 'queue depth'],
  ['vigil_sensor_queue_dropped_total', 'queue drops'],
  ['vigil_sensor_limits_triggered_total', 'limits hit'],
  ['vigil_sensor_sessions_recorded_total', 'sessions recorded'],
  ['vigil_sensor_sink_errors_total', 'sink errors'],
  ['vigil_store_pending_writes', 'store writes pending'],
];

async function sensorHealth(deps: WebDeps): Promise<Health> {
  const [last, size, json] = await Promise.all([
    deps.store.listSessions({ limit: 1 }),
    deps.store.sizeBytes?.(),
    deps.registry?.getMetricsAsJSON() ?? Promise.resolve([]),
  ]);
  const byName = new Map(json.map((m) => [m.name, (m.values as { value: number }[]).reduce((n, v) => n + (Number.isFinite(v.value) ? v.value : 0), 0)]));
  const metrics = HEALTH_METRICS.filter(([n]) => byName.has(n)).map(([n, label]) => ({ label, value: byName.get(n) ?? 0 }));
  const s = last.items[0];
  return { ...(s ? { lastSessionTs: s.startTs, lastSessionId: s.id } : {}), ...(size !== undefined ? { storeBytes: size } : {}), metrics, fleet: fleetRows(json as MetricJson[]) };
}

async function kbFreshness(deps: WebDeps): Promise<{ vulns: number; kev: number; nvdSync?: string; advisories: number } | undefined> {
  const kb = deps.kb;
  if (!kb) return undefined;
  const [all, kev, nvdSync, advisories] = await Promise.all([
    kb.searchVulns({ limit: 1 }), kb.searchVulns({ kev: true, limit: 1 }), kb.getKbState(NVD_STATE_KEY), kb.listAdvisories(),
  ]);
  return { vulns: all.total, kev: kev.total, ...(nvdSync !== undefined ? { nvdSync } : {}), advisories: advisories.length };
}

export interface ExposureSummary {
  readonly assets: number;
  /** Assets with the RPC endpoint mapper (tcp/135) open. */
  readonly rpcExposed: number;
  /** Assets with an open or reopened finding. */
  readonly vulnerable: number;
  /** Assets with an overdue finding, and the overdue findings. */
  readonly overdueAssets: number;
  readonly overdueFindings: number;
  readonly unresolvedFindings: number;
}

/** Counts only (each a COUNT through the store port's filters); undefined without exposure data. */
async function exposureSummary(deps: WebDeps, now: number): Promise<ExposureSummary | undefined> {
  const store = deps.exposure?.store;
  if (!store) return undefined;
  const today = isoDay(now);
  const [assets, rpc, vulnerable, overdueAssets, counts] = await Promise.all([
    store.listAssets({ limit: 1 }), store.listAssets({ service: RPC_SERVICE, limit: 1 }),
    store.listAssets({ findingStatus: ['open', 'reopened'], limit: 1 }), store.listAssets({ overdueOn: today, limit: 1 }),
    store.findingCounts(today),
  ]);
  return {
    assets: assets.total, rpcExposed: rpc.total, vulnerable: vulnerable.total, overdueAssets: overdueAssets.total,
    overdueFindings: counts.overdue, unresolvedFindings: counts.byStatus.open + counts.byStatus.reopened,
  };
}
