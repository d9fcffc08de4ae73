// `vigil evaluate early-warning --preset NAME --monitor SPEC --runs N`: feeds simulated telescope
// streams (worm + background noise, and noise only) to the detector pipeline a node runs, built from
// the same configuration (detect.*, --config), and times the first surge or growth alarm.

import type { Command } from 'commander';
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { AppError } from '../../core/errors.js';
import type { PipelineOptions } from '../../detect/detect-pipeline.js';
import { defaultNoise } from '../../outbreak/background-noise.js';
import { evaluateEarlyWarning } from '../../outbreak/early-warning.js';
import type { EarlyWarningReport } from '../../outbreak/early-warning.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';
import { nodePipelineOptions } from '../detect-config.js';
import { addOverrideOptions, configFromFlags, parseMonitorFlags } from './simulate.js';
import type { OverrideFlags } from './simulate.js';

interface EvaluateFlags extends OverrideFlags {
  monitor: string; runs: string; seed: string; bucket?: string; warmupDays: string; noiseDays: string;
  stopFraction: string; noiseRate?: string; noiseSweepRate?: string; json?: boolean; progress: boolean; config?: string;
}

function int(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--${name} must be an integer in ${min}..${max}`);
  return n;
}

function real(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `--${name} must be a number in [${min}, ${max}]`);
  return n;
}

export function register(program: Command): void {
  const evaluate = program.command('evaluate').description('measure Vigil against simulated ground truth');
  const cmd = addOverrideOptions(evaluate.command('early-warning').description('infected fraction at first alarm and false alarms per day of the surge/growth detectors (the node\'s detector pipeline, configured by detect.*)'))
    .option('--monitor <spec>', 'telescope monitor (e.g. 4096x/24, /12, 44.0.0.0/8)', '4096x/24')
    .option('--runs <n>', 'outbreak runs, and as many noise-only runs', '10')
    .option('--seed <n>', 'PRNG seed', '1')
    .option('--bucket <s>', 'surge counting bucket in seconds (default: the configuration\'s detect.surge.bucketMs)')
    .option('--warmup-days <d>', 'noise-only days before the worm starts (detector baseline)', '4')
    .option('--noise-days <d>', 'noise-only days per run on which false alarms are counted', '3')
    .option('--stop-fraction <f>', 'a run past this infected fraction without alarm counts as missed', '0.2')
    .option('--noise-rate <r>', 'background sources per second per monitored /16')
    .option('--noise-sweep-rate <r>', 'background sequential sweepers per second per monitored /16')
    .option('--json', 'print the report as JSON')
    .option('--no-progress', 'no progress display');
  addConfigOptions(cmd, []);
  cmd.action(async (flags: EvaluateFlags) => {
      const report = await runEvaluate(flags);
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
    });
}

async function runEvaluate(flags: EvaluateFlags): Promise<EarlyWarningReport> {
  const config = configFromFlags(flags);
  const runs = int('runs', flags.runs, 1, 1000);
  // the evaluation parses the spec itself, later and inside the progress display; check it here first
  parseMonitorFlags([flags.monitor], 1);
  const pipeline = evaluationPipeline(flags);
  const base = defaultNoise(config.port, config.proto);
  const noise = {
    ...base,
    ...(flags.noiseRate !== undefined ? { sourcesPerSecondPerSlash16: real('noise-rate', flags.noiseRate, 0, 1e6) } : {}),
    ...(flags.noiseSweepRate !== undefined ? { sweepersPerSecondPerSlash16: real('noise-sweep-rate', flags.noiseSweepRate, 0, 1e6) } : {}),
  };
  let report: EarlyWarningReport | undefined;
  const tasks = new Listr([{
    title: `early warning: ${config.name} on ${flags.monitor}, ${runs} outbreak + ${runs} noise runs`,
    task: async (_ctx: unknown, task: { output: string }) => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      report = evaluateEarlyWarning({
        config, monitorSpec: flags.monitor, noise, runs, seed: int('seed', flags.seed, -(2 ** 31), 2 ** 31 - 1),
        warmupDays: real('warmup-days', flags.warmupDays, 0, 60), noiseDays: real('noise-days', flags.noiseDays, 0, 365),
        stopFraction: real('stop-fraction', flags.stopFraction, 0, 1),
        pipeline,
        onProgress: (phase, i, n) => {
          task.output = `${phase} run ${i + 1}/${n}`;
        },
      });
    },
  }], {
    rendererOptions: { logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }) },
    silentRendererCondition: !flags.progress || !process.stderr.isTTY,
  });
  await tasks.run();
  if (!report) throw new AppError('VIGIL_ERR_INTERNAL', 'evaluation produced no report');
  return report;
}

/** The node's pipeline from --config / VIGIL_* / vigil.yaml; --bucket, when given, overrides detect.surge.bucketMs. */
function evaluationPipeline(flags: EvaluateFlags): PipelineOptions {
  const options = nodePipelineOptions(configFromOptions(flags as unknown as Record<string, unknown>));
  if (flags.bucket === undefined || options.surge === false) return options;
  const bucketMs = real('bucket', flags.bucket, 1, 86_400) * 1000;
  return { ...options, surge: { ...options.surge, limits: { ...options.surge?.limits, bucketMs } } };
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(3)}%` : 'not detected';
}

export function reportText(r: EarlyWarningReport): string {
  return [
    `preset ${r.preset}, monitor ${r.monitor}`,
    `detected in ${r.detectedRuns}/${r.runs} outbreak runs`,
    `infected fraction at first alarm: median ${pct(r.fractionAtAlarmMedian)}, p90 ${pct(r.fractionAtAlarmP90)}`,
    ...Object.entries(r.byDetector).map(([d, f]) => `  ${d}: median ${pct(f.median)}, p90 ${pct(f.p90)}, ${f.falseAlarms} false alarm(s)`),
    `time from worm start to alarm (median): ${Number.isFinite(r.timeToAlarmMedian_s) ? `${(r.timeToAlarmMedian_s / 3600).toFixed(2)} h` : 'n/a'}`,
    `false alarms on ${r.noiseDays} noise-only days: ${r.falseAlarms} (${r.falseAlarmsPerDay.toFixed(3)} per day, ${(r.falseAlarmsPerDay * 30).toFixed(2)} per 30 days; ${r.falseAlarmAlerts} alert(s): a port and each vulnerability on it alert at once)`,
  ].join('\n') + '\n';
}
