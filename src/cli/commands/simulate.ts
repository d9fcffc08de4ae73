// `vigil simulate --preset NAME [overrides] [--seed N] [--runs N] [--out DIR]`: runs the outbreak
// simulator (src/outbreak) with a listr2 progress display; writes CSV, JSON and an SVG chart; prints a summary.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { AppError, isAppError } from '../../core/errors.js';
import { parseIpv4, sortedUnique } from '../../outbreak/address-layout.js';
import { parseMonitorSpec, type MonitorSet } from '../../outbreak/monitor-spec.js';
import type { OutbreakConfig, StrategyKind } from '../../outbreak/outbreak-config.js';
import { applyOverrides } from '../../outbreak/outbreak-overrides.js';
import type { OutbreakOverrides } from '../../outbreak/outbreak-overrides.js';
import { presetByName, PRESET_NAMES } from '../../outbreak/outbreak-presets.js';
import { runOutbreakAsync } from '../../outbreak/outbreak-run.js';
import type { OutbreakRun } from '../../outbreak/outbreak-run.js';
import { meanSeries, quantile, summarize } from '../../outbreak/outbreak-summary.js';
import type { OutbreakSummary } from '../../outbreak/outbreak-summary.js';
import { seriesToCsv, seriesToJson, seriesToSvg } from '../../outbreak/series-writers.js';
import { SeededRng } from '../../outbreak/seeded-rng.js';

export interface OverrideFlags {
  preset: string;
  population?: string; exposed?: string; strategy?: string; hitList?: string; layout?: string;
  scanRate?: string; initial?: string; bandwidthCap?: string; horizon?: string; dt?: string;
  patchRate?: string; patchStart?: string; removalRate?: string; removalStart?: string;
  filterFraction?: string; filterReaction?: string; method?: string;
}

interface SimulateFlags extends OverrideFlags {
  seed: string; runs: string; out?: string; monitor: string[]; sample?: string; json?: boolean; progress: boolean;
}

const collect = (v: string, acc: string[]) => [...acc, v];

/** Options shared with `vigil evaluate early-warning`. */
export function addOverrideOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--preset <name>', `outbreak preset: ${PRESET_NAMES.join(', ')}`)
    .option('--population <n>', 'number of vulnerable hosts')
    .option('--exposed <file>', 'exposed IPv4 addresses, one per line (e.g. exported from Vigil exposure data)')
    .option('--strategy <kind>', 'uniform | local-preference | sequential | hit-list | permutation')
    .option('--hit-list <n>', 'hit-list size (implies --strategy hit-list)')
    .option('--layout <kind>', 'uniform | clustered placement of the vulnerable hosts')
    .option('--scan-rate <n>', 'scans per second per infected host')
    .option('--initial <n>', 'initially infected hosts')
    .option('--bandwidth-cap <n>', 'aggregate scans per second of all infected hosts together')
    .option('--horizon <s>', 'simulated seconds')
    .option('--dt <s>', 'time step in seconds')
    .option('--patch-rate <r>', 'per-host patching hazard per second')
    .option('--patch-start <s>', 'when patching starts (s)')
    .option('--removal-rate <r>', 'per-host removal hazard of infected hosts per second')
    .option('--removal-start <s>', 'when removal starts (s)')
    .option('--filter-fraction <f>', 'fraction of infection attempts blocked by perimeter filtering')
    .option('--filter-reaction <s>', 'when filtering starts (s)')
    .option('--method <m>', 'auto | exact | aggregated (random and local scanners; sweeps are always exact)');
}

function num(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}

/** The flag behind each override, so the simulator's complaint names what the user typed. */
const FLAG_OF: Readonly<Record<keyof OutbreakOverrides, keyof OverrideFlags>> = {
  population: 'population', exposed: 'exposed', strategy: 'strategy', hitList: 'hitList', layout: 'layout', scanRate: 'scanRate',
  initialInfected: 'initial', bandwidthCap: 'bandwidthCap', horizon: 'horizon', dt: 'dt', patchRate: 'patchRate',
  patchStart: 'patchStart', removalRate: 'removalRate', removalStart: 'removalStart', filterFraction: 'filterFraction',
  filterReaction: 'filterReaction', method: 'method',
};

const kebab = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Monitor specs parsed up front, each error prefixed with the flag and the spec given. */
export function parseMonitorFlags(specs: readonly string[], seed: number): MonitorSet[] {
  return specs.map((s) => {
    try {
      return parseMonitorSpec(s, new SeededRng(seed));
    } catch (e) {
      if (isAppError(e)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--monitor ${s}: ${e.message}`, undefined, { cause: e });
      throw e;
    }
  });
}

function readExposed(file: string): Uint32Array {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('VIGIL_ERR_BAD_FILE', `cannot read ${file}`, undefined, { cause: e });
  }
  const lines = text.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  try {
    return sortedUnique(lines.map(parseIpv4));
  } catch (e) {
    if (isAppError(e)) throw new AppError('VIGIL_ERR_BAD_FILE', `--exposed ${file}: ${e.message}`, undefined, { cause: e });
    throw e;
  }
}

function presetFlag(name: string, exposed: number | Uint32Array | undefined): OutbreakConfig {
  try {
    return presetByName(name, exposed);
  } catch (e) {
    if (isAppError(e)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--preset: ${e.message}`, undefined, { cause: e });
    throw e;
  }
}

export function configFromFlags(f: OverrideFlags): OutbreakConfig {
  const exposed = f.exposed ? readExposed(f.exposed) : undefined;
  const o: OutbreakOverrides = {
    population: num(f.population), exposed, strategy: f.strategy as StrategyKind | undefined, hitList: num(f.hitList),
    layout: f.layout as OutbreakOverrides['layout'], scanRate: num(f.scanRate), initialInfected: num(f.initial),
    bandwidthCap: num(f.bandwidthCap), horizon: num(f.horizon), dt: num(f.dt), patchRate: num(f.patchRate),
    patchStart: num(f.patchStart), removalRate: num(f.removalRate), removalStart: num(f.removalStart),
    filterFraction: num(f.filterFraction), filterReaction: num(f.filterReaction),
    method: f.method as OutbreakOverrides['method'],
  };
  const preset = presetFlag(f.preset, exposed ?? num(f.population));
  try {
    return applyOverrides(preset, o);
  } catch (e) {
    const field = isAppError(e) ? (e.details?.field as keyof OutbreakOverrides | undefined) : undefined;
    if (field === undefined || !isAppError(e)) throw e;
    const flag = FLAG_OF[field];
    throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${kebab(flag)}: ${String(e.details?.why)}, got ${JSON.stringify(f[flag])}`, undefined, { cause: e });
  }
}

export function register(program: Command): void {
  addOverrideOptions(program.command('simulate').description('simulate a worm outbreak and what a telescope would see'))
    .option('--seed <n>', 'PRNG seed (run i uses seed + i)', '1')
    .option('--runs <n>', 'independent runs', '1')
    .option('--monitor <spec>', 'telescope monitor, repeatable (e.g. 44.0.0.0/8, /12, 4096x/24)', collect, [])
    .option('--sample <s>', 'seconds between rows of the output series')
    .option('--out <dir>', 'write <preset>.csv, <preset>.json and <preset>.svg here')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress display')
    .action(async (flags: SimulateFlags) => {
      await runSimulate(flags);
    });
}

async function runSimulate(flags: SimulateFlags): Promise<void> {
  const config = configFromFlags(flags);
  const runs = Number(flags.runs), seed = Number(flags.seed);
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', '--runs must be 1..1000');
  if (!Number.isInteger(seed)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', '--seed must be an integer');
  const specs = flags.monitor.length > 0 ? flags.monitor : ['/8', '4096x/24'];
  const monitors = parseMonitorFlags(specs, seed);
  const sample = num(flags.sample);
  if (sample !== undefined && !(sample > 0)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--sample: must be a positive number of seconds, got ${JSON.stringify(flags.sample)}`);
  const sampleEvery = sample ?? Math.max(config.dt, config.horizon / 2000);
  const results: OutbreakRun[] = [];
  const tasks = new Listr(
    Array.from({ length: runs }, (_, i) => ({
      title: `${config.name}: run ${i + 1}/${runs} (seed ${seed + i})`,
      task: async (_ctx: unknown, task: { output: string }) => {
        let shown = 0;
        results.push(await runOutbreakAsync(config, seed + i, {
          monitors, sampleEvery,
          onProgress: (t, h) => {
            if (Date.now() - shown < 200) return;
            shown = Date.now();
            task.output = `${((100 * t) / h).toFixed(0)}% of ${h} s simulated`;
          },
        }));
      },
    })),
    {
      rendererOptions: { logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }) },
      silentRendererCondition: !flags.progress || !process.stderr.isTTY,
    },
  );
  await tasks.run();
  const summaries = results.map(summarize);
  const report = buildReport(config, results, summaries, specs);
  if (flags.out) writeOutputs(flags.out, config.name, results, report, specs);
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : summaryText(report));
}

function buildReport(config: OutbreakConfig, runs: OutbreakRun[], summaries: OutbreakSummary[], monitors: string[]) {
  const med = (pick: (s: OutbreakSummary) => number | null) => {
    const v = quantile(summaries.map((s) => pick(s) ?? Infinity), 0.5);
    return Number.isFinite(v) ? v : null;
  };
  return {
    preset: config.name, method: runs[0].method, population: runs[0].population, strategy: config.strategy.kind,
    runs: runs.length, seeds: runs.map((r) => r.seed), monitors,
    median: {
      timeTo1pct_s: med((s) => s.timeTo1pct_s), timeTo50pct_s: med((s) => s.timeTo50pct_s), timeTo90pct_s: med((s) => s.timeTo90pct_s),
      peakNewPerMinute: med((s) => s.peakNewPerMinute), finalEverInfected: med((s) => s.finalEverInfected),
      initialGrowthPerHour: med((s) => s.initialGrowthPerHour),
    },
    perRun: summaries,
  };
}

type Report = ReturnType<typeof buildReport>;

function writeOutputs(dir: string, name: string, runs: OutbreakRun[], report: Report, monitors: string[]): void {
  mkdirSync(dir, { recursive: true });
  const mean = meanSeries(runs);
  const what = runs.length > 1 ? `mean of ${runs.length} runs` : `seed ${runs[0].seed}`;
  writeFileSync(join(dir, `${name}.csv`), seriesToCsv(mean, monitors));
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ ...report, seriesOf: what, series: seriesToJson(mean, monitors) })}\n`);
  writeFileSync(join(dir, `${name}.svg`), seriesToSvg(mean, `${name}: ${report.population.toLocaleString('en-US')} vulnerable, ${report.strategy} (${what})`, monitors));
}

function duration(s: number | null): string {
  if (s === null) return 'not reached';
  return s >= 7200 ? `${(s / 3600).toFixed(2)} h` : s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`;
}

function summaryText(r: Report): string {
  const m = r.median;
  return [
    `${r.preset}: ${r.population} vulnerable hosts, ${r.strategy} scanning, ${r.runs} run(s), method ${r.method}`,
    `time to 1%:   ${duration(m.timeTo1pct_s)}`,
    `time to 50%:  ${duration(m.timeTo50pct_s)}`,
    `time to 90%:  ${duration(m.timeTo90pct_s)}`,
    `peak rate:    ${Math.round(m.peakNewPerMinute ?? 0)} new hosts/min`,
    `final size:   ${Math.round(m.finalEverInfected ?? 0)} (${(((m.finalEverInfected ?? 0) / r.population) * 100).toFixed(1)}%)`,
    `early growth: ${m.initialGrowthPerHour === null ? 'n/a' : `K = ${m.initialGrowthPerHour.toFixed(2)} per hour`}`,
    r.runs > 1 ? '(medians over runs)' : '',
  ].filter(Boolean).join('\n') + '\n';
}
