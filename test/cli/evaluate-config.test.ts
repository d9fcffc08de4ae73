// `vigil evaluate early-warning` runs the pipeline a node runs, built from the same configuration:
// a detect.* key in --config changes what it measures (issue 12 item 6: it used to build its own
// SurgeDetector and ignore detect.*), and --bucket, when given, overrides detect.surge.bucketMs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '../../src/cli/commands/evaluate.js';
import type { EarlyWarningReport } from '../../src/outbreak/early-warning.js';
import { vigilInProcess } from '../helpers/cli.js';

const DIR = mkdtempSync(join(tmpdir(), 'vigil-evaluate-config-'));
/** A small, fast Code Red (50,000 hosts, the same K) on a /12, one run, a day of warm-up. */
const ARGS = ['evaluate', 'early-warning', '--preset', 'codered', '--population', '50000', '--scan-rate', '42.8', '--monitor', '/12',
  '--runs', '1', '--warmup-days', '1', '--noise-days', '0', '--stop-fraction', '0.3', '--json', '--no-progress'];

async function evaluate(yaml: string, extra: string[] = []): Promise<EarlyWarningReport> {
  const file = join(DIR, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  const out = (await vigilInProcess(register, [...ARGS, '--config', file, ...extra])).toString('latin1');
  // under node --test the runner's own reports share stdout: take the report, written in one piece
  const start = out.indexOf('{\n  "preset"');
  return JSON.parse(out.slice(start, out.indexOf('\n}\n', start) + 2)) as EarlyWarningReport;
}

/** Seconds from the stream's start (warm-up included) to the run's first surge alarm. */
const alarmAt = (r: EarlyWarningReport): number => r.perRun[0]!.byDetector['surge']!.timeToAlarm_s + 86_400;

test('a detect.* key in --config reaches the evaluation: detect.surge.bucketMs sets when surge alarms are raised', async () => {
  const half = await evaluate('detect:\n  surge:\n    bucketMs: 1800000\n');
  const ten = await evaluate('detect:\n  surge:\n    bucketMs: 600000\n');
  for (const r of [half, ten]) assert.equal(r.detectedRuns, 1);
  // surge_unique_sources is raised when a bucket closes: at a multiple of the configured bucket
  assert.equal(alarmAt(half) % 1800, 0, `${alarmAt(half)} s`);
  assert.equal(alarmAt(ten) % 600, 0, `${alarmAt(ten)} s`);
  assert.ok(alarmAt(ten) < alarmAt(half), 'the smaller bucket closes first');
  // A floor no bucket reaches: the surge never alarms (before: the key was ignored, the alarm came anyway).
  const never = await evaluate('detect:\n  surge:\n    bucketMs: 600000\n    minSources: 100000000\n');
  assert.equal(never.byDetector['surge']!.median, null, 'missed (Infinity prints as null in JSON)');
  // --bucket overrides the file's detect.surge.bucketMs
  const flag = await evaluate('detect:\n  surge:\n    bucketMs: 1800000\n', ['--bucket', '600']);
  assert.equal(alarmAt(flag), alarmAt(ten));
});
