// Early-warning evaluation: stream simulated telescope traffic (worm scans plus background noise)
// into Vigil's detectors and measure the infected fraction at the first alarm, and the false alarms
// per simulated day on noise-only streams (the method of Zou, Gao, Gong, Towsley, CCS 2003 section 6).
// The detectors are a DetectPipeline built from the options a node runs with (one road), unless a
// caller passes a yardstick of its own.

import { DetectPipeline, type PipelineOptions } from '../detect/detect-pipeline.js';
import type { Alert } from '../model/alert.js';
import type { ConnEvent, VigilEvent } from '../model/event.js';
import { BackgroundNoise } from './background-noise.js';
import type { NoiseSpec } from './background-noise.js';
import { describeMonitor, parseMonitorSpec } from './monitor-spec.js';
import type { MonitorSet } from './monitor-spec.js';
import type { OutbreakConfig } from './outbreak-config.js';
import { OutbreakSimulator } from './outbreak-simulator.js';
import { quantile } from './outbreak-summary.js';
import { SeededRng } from './seeded-rng.js';
import { telescopeStream } from './telescope-stream.js';

const DAY_S = 86_400;

/** The slice of a detector the evaluation drives (DetectPipeline and SurgeDetector have this shape). */
export interface AlarmDetector {
  push(ev: VigilEvent): Alert[];
  flush(ts?: number): Alert[];
}

export interface EarlyWarningOptions {
  readonly config: OutbreakConfig;
  readonly monitorSpec: string;
  readonly noise: NoiseSpec;
  readonly runs: number;
  readonly seed: number;
  /** Noise-only days fed before the worm starts, so the detectors have a baseline. */
  readonly warmupDays: number;
  /** Noise-only days per run, after the same warm-up, on which false alarms are counted. */
  readonly noiseDays: number;
  /** A worm run that reaches this infected fraction without an alarm counts as missed. */
  readonly stopFraction: number;
  /** The detector chain, as a node's configuration gives it (pipelineOptionsFrom); a fresh pipeline per run. */
  readonly pipeline?: PipelineOptions;
  /** Instead of a pipeline: a detector of the caller's (tests' yardsticks). */
  readonly makeDetector?: () => AlarmDetector;
  /** Alert `detector` names that count as the alarm (default: surge and growth). */
  readonly alarmDetectors?: readonly string[];
  /** Wall-clock time of the start of each stream, ms since the epoch (seasonality follows it). */
  readonly epochMs?: number;
  readonly onProgress?: (phase: 'outbreak' | 'noise', run: number, runs: number) => void;
}

export interface RunDetection {
  readonly seed: number;
  /** Ever-infected fraction when the first alarm was raised; Infinity when missed. */
  readonly fractionAtAlarm: number;
  readonly infectedAtAlarm: number | null;
  /** Seconds from the worm's start to the alarm. */
  readonly timeToAlarm_s: number | null;
  readonly detector: string | null;
  readonly rule: string | null;
  readonly warmupFalseAlarms: number;
  readonly wormEvents: number;
  /** First alarm of each counted detector (the run goes on until all have fired or it stops). */
  readonly byDetector: Readonly<Record<string, { readonly fractionAtAlarm: number; readonly timeToAlarm_s: number }>>;
}

export interface EarlyWarningReport {
  readonly preset: string;
  readonly monitor: string;
  readonly monitorAddresses: number;
  readonly runs: number;
  readonly detectedRuns: number;
  readonly fractionAtAlarmMedian: number;
  readonly fractionAtAlarmP90: number;
  readonly timeToAlarmMedian_s: number;
  readonly perRun: readonly RunDetection[];
  readonly noiseDays: number;
  /**
   * False alarms: the moments at which the node raised counted alerts on noise alone. One moment may
   * hold several alerts (a port's series and each vulnerability on that port, e.g. four CVEs on 135).
   */
  readonly falseAlarms: number;
  /** The alerts of those moments. */
  readonly falseAlarmAlerts: number;
  readonly falseAlarmsPerDay: number;
  /** Per detector: median and p90 infected fraction at its first alarm (Infinity: missed). */
  readonly byDetector: Readonly<Record<string, { readonly median: number; readonly p90: number; readonly falseAlarms: number }>>;
  readonly noise: NoiseSpec;
}

/** Feeds a step's events (already in time order) and flushes to its end; returns the counted alarms. */
function feed(det: AlarmDetector, events: readonly ConnEvent[], endMs: number, counts: (a: Alert) => boolean): Alert[] {
  const alarms: Alert[] = [];
  for (const ev of events) for (const a of det.push(ev)) if (counts(a)) alarms.push(a);
  for (const a of det.flush(endMs)) if (counts(a)) alarms.push(a);
  return alarms;
}

/** Distinct alarm moments among alerts (the alerts a node raises at one instant are one alarm). */
function moments(alerts: readonly Alert[]): number {
  return new Set(alerts.map((a) => a.ts)).size;
}

function noiseOnly(det: AlarmDetector, noise: BackgroundNoise, from: number, to: number, epochMs: number, counts: (a: Alert) => boolean): Alert[] {
  const chunk = 60;
  const alarms: Alert[] = [];
  for (let t = from; t < to; t += chunk) {
    const events: ConnEvent[] = [];
    noise.eventsIn(t, Math.min(chunk, to - t), (e) => events.push(e));
    events.sort((a, b) => a.ts - b.ts);
    alarms.push(...feed(det, events, epochMs + Math.min(t + chunk, to) * 1000, counts));
  }
  return alarms;
}

/** A fresh detector for one run: the caller's, else a pipeline with the given (node) options. */
function detectorOf(opts: EarlyWarningOptions): AlarmDetector {
  return opts.makeDetector ? opts.makeDetector() : new DetectPipeline(opts.pipeline);
}

function outbreakRun(opts: EarlyWarningOptions, monitor: MonitorSet, seed: number, names: ReadonlySet<string>): RunDetection {
  const counts = (a: Alert) => names.has(a.detector);
  const epochMs = opts.epochMs ?? Date.UTC(2003, 7, 1);
  const det = detectorOf(opts);
  const noise = new BackgroundNoise(opts.noise, monitor, seed, epochMs);
  const warm = opts.warmupDays * DAY_S;
  const warmupFalseAlarms = moments(noiseOnly(det, noise, 0, warm, epochMs, counts));
  const sim = new OutbreakSimulator(opts.config, seed);
  const n = sim.pool.n;
  const first = new Map<string, { alert: Alert; infected: number }>();
  let wormEvents = 0;
  const stream = telescopeStream(sim, monitor, { epochMs: epochMs + warm * 1000, noiseSource: noise, noiseOffset_s: warm });
  for (const batch of stream) {
    wormEvents += batch.worm;
    for (const a of feed(det, batch.events, batch.endMs, counts)) if (!first.has(a.detector)) first.set(a.detector, { alert: a, infected: batch.everInfected });
    if (first.size >= names.size || sim.pool.everInfected >= opts.stopFraction * n) break;
  }
  const sinceStart = (a: Alert) => (a.ts - epochMs) / 1000 - warm;
  const byDetector = Object.fromEntries([...names].map((d) => {
    const f = first.get(d);
    return [d, { fractionAtAlarm: f ? f.infected / n : Infinity, timeToAlarm_s: f ? sinceStart(f.alert) : Infinity }];
  }));
  const earliest = [...first.values()].sort((x, y) => x.alert.ts - y.alert.ts || x.infected - y.infected)[0];
  if (!earliest) {
    return { seed, fractionAtAlarm: Infinity, infectedAtAlarm: null, timeToAlarm_s: null, detector: null, rule: null, warmupFalseAlarms, wormEvents, byDetector };
  }
  return {
    seed, fractionAtAlarm: earliest.infected / n, infectedAtAlarm: earliest.infected, timeToAlarm_s: sinceStart(earliest.alert),
    detector: earliest.alert.detector, rule: earliest.alert.rule, warmupFalseAlarms, wormEvents, byDetector,
  };
}

export function evaluateEarlyWarning(opts: EarlyWarningOptions): EarlyWarningReport {
  const monitor = parseMonitorSpec(opts.monitorSpec, new SeededRng(opts.seed));
  const names = new Set(opts.alarmDetectors ?? ['surge', 'growth']);
  const counts = (a: Alert) => names.has(a.detector);
  const falseByDetector = new Map([...names].map((d) => [d, 0]));
  const epochMs = opts.epochMs ?? Date.UTC(2003, 7, 1);
  const perRun: RunDetection[] = [];
  for (let i = 0; i < opts.runs; i++) {
    opts.onProgress?.('outbreak', i, opts.runs);
    perRun.push(outbreakRun(opts, monitor, opts.seed + i, names));
  }
  let falseAlarms = 0;
  let falseAlarmAlerts = 0;
  for (let i = 0; i < opts.runs; i++) {
    opts.onProgress?.('noise', i, opts.runs);
    const det = detectorOf(opts);
    const noise = new BackgroundNoise(opts.noise, monitor, opts.seed + 1_000_003 + i, epochMs);
    const warm = opts.warmupDays * DAY_S;
    noiseOnly(det, noise, 0, warm, epochMs, counts);
    const alarms = noiseOnly(det, noise, warm, warm + opts.noiseDays * DAY_S, epochMs, counts);
    falseAlarms += moments(alarms);
    falseAlarmAlerts += alarms.length;
    for (const d of names) falseByDetector.set(d, (falseByDetector.get(d) ?? 0) + moments(alarms.filter((a) => a.detector === d)));
  }
  const fractions = perRun.map((r) => r.fractionAtAlarm);
  const noiseDays = opts.noiseDays * opts.runs;
  return {
    preset: opts.config.name,
    monitor: describeMonitor(monitor),
    monitorAddresses: monitor.total,
    runs: opts.runs,
    detectedRuns: perRun.filter((r) => Number.isFinite(r.fractionAtAlarm)).length,
    fractionAtAlarmMedian: quantile(fractions, 0.5),
    fractionAtAlarmP90: quantile(fractions, 0.9),
    timeToAlarmMedian_s: quantile(perRun.map((r) => r.timeToAlarm_s ?? Infinity), 0.5),
    perRun,
    noiseDays,
    falseAlarms,
    falseAlarmAlerts,
    falseAlarmsPerDay: noiseDays > 0 ? falseAlarms / noiseDays : NaN,
    byDetector: Object.fromEntries([...names].map((d) => {
      const xs = perRun.map((r) => r.byDetector[d]?.fractionAtAlarm ?? Infinity);
      return [d, { median: quantile(xs, 0.5), p90: quantile(xs, 0.9), falseAlarms: falseByDetector.get(d) ?? 0 }];
    })),
    noise: opts.noise,
  };
}

/**
 * The floor under any detector: the ever-infected fraction at which the k-th distinct worm source
 * first reached the monitor, per run (Infinity: not by stopFraction). Same monitor placement and
 * worm streams as evaluateEarlyWarning with the same seed (noise plays no part in it).
 */
export function wormSightings(opts: Pick<EarlyWarningOptions, 'config' | 'monitorSpec' | 'runs' | 'seed' | 'stopFraction'>, ks: readonly number[]): number[][] {
  const monitor = parseMonitorSpec(opts.monitorSpec, new SeededRng(opts.seed));
  const out: number[][] = [];
  for (let i = 0; i < opts.runs; i++) {
    const sim = new OutbreakSimulator(opts.config, opts.seed + i);
    const n = sim.pool.n;
    const seen = new Set<string>();
    const at = ks.map(() => Infinity);
    for (const batch of telescopeStream(sim, monitor, { epochMs: 0 })) {
      for (const e of batch.events) {
        if (seen.has(e.src)) continue;
        seen.add(e.src);
        ks.forEach((k, j) => {
          if (seen.size === k) at[j] = batch.everInfected / n;
        });
      }
      if (seen.size >= Math.max(...ks) || sim.pool.everInfected >= opts.stopFraction * n) break;
    }
    out.push(at);
  }
  return out;
}
