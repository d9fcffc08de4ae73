// `vigil replay FILE...`: runs the live detector pipeline over whatever ingest reads (captures, Zeek
// conn.log, Suricata EVE, Vigil events), printing alerts as JSON lines; names come from the kb.

import type { Command } from 'commander';
import { rfc3339Micro } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { AlertRouter } from '../../detect/alert-router.js';
import { DetectPipeline, type PipelineOptions } from '../../detect/detect-pipeline.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';
import { pipelineOptionsFrom } from '../detect-config.js';
import { watchlistFromBundles } from '../share/watch-bundles.js';
import type { IngestProblem, IngestStats } from '../../ingest/ingest-types.js';
import { captureEvents as readCapture } from '../../ingest/capture/capture-events.js';
import { feedFile, type EventReceiver } from '../../ingest/read-events.js';
import type { Alert } from '../../model/alert.js';
import type { VigilEvent } from '../../model/event.js';
import { AlertSqliteStore } from '../../store/sqlite/alert-sqlite-store.js';
import { CallNames } from '../../kb/call-names.js';
import { collectCaptureLimit, type CaptureLimitOverrides } from '../pcap/capture-limit-flag.js';
import { join } from 'node:path';

const MAX_PROBLEMS_SHOWN = 20;

/** A capture's events as `vigil replay` sees them (call records named from the kb). */
export function captureEvents(path: string): { events: VigilEvent[]; stats: IngestStats } {
  return readCapture(path, { names: new CallNames().lookup });
}

export interface ReplayOptions {
  readonly dedup?: boolean;
  readonly onProblem?: (p: IngestProblem) => void;
  readonly onProgress?: (file: string, read: number, total: number) => void;
  /** false: read Zeek TSV conn.logs with the general reader too (tests compare the two paths). */
  readonly fastConn?: boolean;
  /** Detector settings (the configuration's detect.*, as `vigil up` uses them); default: defaults. */
  readonly pipeline?: PipelineOptions;
  /** Capture limits other than the defaults, for every capture replayed. */
  readonly captureLimits?: CaptureLimitOverrides;
}

/** The library entry the command and the golden tests share: files in, routed alerts out. */
export async function replayFiles(files: readonly string[], opts: ReplayOptions = {}): Promise<{ alerts: Alert[]; stats: IngestStats[] }> {
  const pipeline = new DetectPipeline(opts.pipeline);
  // one name memo for the whole replay (its lifetime), shared by every file's connections
  const names = new CallNames().lookup;
  const router = new AlertRouter();
  const alerts: Alert[] = [];
  const take = (xs: Alert[]): void => {
    for (const a of xs) if (opts.dedup === false || router.admit(a)) alerts.push(a);
  };
  const stats: IngestStats[] = [];
  const receiver: EventReceiver = {
    event: (ev) => take(pipeline.push(ev)),
    conn: (ts, src, dst, dport, outcome) => take(pipeline.pushConn(ts, src, dst, dport, outcome)),
  };
  for (const file of files) {
    const onProgress = opts.onProgress ? (r: number, t: number) => opts.onProgress?.(file, r, t) : undefined;
    const fo = { names, ...(opts.captureLimits && { captureLimits: opts.captureLimits }), ...(opts.fastConn === false ? { fastConn: false } : {}), ...(opts.onProblem ? { onProblem: opts.onProblem } : {}), ...(onProgress ? { onProgress } : {}) };
    stats.push(await feedFile(file, receiver, fo));
  }
  take(pipeline.flush());
  return { alerts, stats };
}

async function storeAlerts(dataDir: string, alerts: readonly Alert[]): Promise<void> {
  const store = await AlertSqliteStore.open(join(dataDir, 'vigil.db'));
  try {
    for (const a of alerts) await store.saveAlert(a);
  } finally {
    await store.close();
  }
}

export function alertJson(a: Alert): string {
  return JSON.stringify({ time: rfc3339Micro(a.ts), ...a });
}

export function register(program: Command): void {
  const cmd = program
    .command('replay')
    .description('run the detectors over captures (pcap/pcapng) and logs (Zeek conn.log TSV/JSON, Suricata EVE, Vigil event lines); print alerts as JSON lines')
    .argument('<files...>', 'files, replayed in the order given')
    .option('--no-dedup', 'print every alert, also those the suppression window would merge')
    .option('--stats', 'print per-file totals (records, events, bad, skipped) to stderr as JSON')
    .option('--watch <bundle>', 'a STIX 2.1 bundle of partner indicators (e.g. from `vigil share pull`): a source matching one raises an intel/partner_indicator alert', (v: string, prev: string[] = []) => [...prev, v])
    .option('--capture-limit <name=value>', 'a capture limit for every capture replayed (repeatable), e.g. tcp_idle_timeout_s=600 (default 300, 0 = never)', collectCaptureLimit)
    .option('--store [dataDir]', 'also store the alerts in the store (the configured data directory, or <dataDir>), then read them with `vigil alerts`; idempotent on alert id');
  addConfigOptions(cmd, ['dataDir']);
  cmd.action(async (files: string[], o: { dedup: boolean; stats?: boolean; store?: string | true; watch?: string[]; captureLimit?: CaptureLimitOverrides } & Record<string, unknown>) => {
      // the same configuration as every command: detector settings (detect.*) and the data directory
      // this command's --store names where alerts go, not the store backend of the global flag
      const { store: _storeTo, captureLimit, ...configFlags } = o;
      const config = configFromOptions(configFlags);
      let shown = 0;
      let bad = 0;
      const tty = process.stderr.isTTY === true;
      const { alerts, stats } = await replayFiles(files, {
        dedup: o.dedup,
        ...(captureLimit && { captureLimits: captureLimit }),
        pipeline: { ...pipelineOptionsFrom(config), ...(o.watch ? { watchlist: watchlistFromBundles(o.watch) } : {}) },
        onProblem: (p) => {
          bad++;
          if (shown++ < MAX_PROBLEMS_SHOWN) process.stderr.write(`vigil replay: ${p.file}:${p.line}: ${p.message}\n`);
        },
        ...(tty ? { onProgress: (f: string, r: number, t: number) => process.stderr.write(`\r${f}: ${t ? Math.floor((100 * r) / t) : 100}%${r >= t ? '\n' : ''}`) } : {}),
      }).catch((e: unknown) => {
        if (e instanceof AppError) throw e;
        throw new AppError('VIGIL_ERR_BAD_FILE', e instanceof Error ? e.message : String(e), undefined, { cause: e });
      });
      for (const a of alerts) process.stdout.write(`${alertJson(a)}\n`);
      if (o.store !== undefined) await storeAlerts(o.store === true ? config.dataDir : o.store, alerts);
      if (bad > MAX_PROBLEMS_SHOWN) process.stderr.write(`vigil replay: ${bad - MAX_PROBLEMS_SHOWN} more bad records not shown\n`);
      if (bad > 0) process.stderr.write(`vigil replay: ${bad} bad record(s) skipped; the good ones were replayed\n`);
      if (o.stats) for (const s of stats) process.stderr.write(`${JSON.stringify(s)}\n`);
    });
}
