import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH } from '../helpers/paths.js';

const skip = existsSync(CLI_PATH) ? false : `compiled CLI not found at ${CLI_PATH} (run npm run build)`;

function vigil(...args: string[]) {
  return spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: 60_000 });
}

test('vigil simulate writes CSV, JSON and SVG and prints a JSON summary', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sim-'));
  try {
    const r = vigil('simulate', '--preset', 'witty', '--runs', '2', '--seed', '7', '--out', dir, '--json', '--monitor', '/8');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.preset, 'witty');
    assert.equal(report.runs, 2);
    assert.deepEqual(report.seeds, [7, 8]);
    assert.equal(report.population, 12_000);
    assert.ok(report.median.timeTo1pct_s < report.median.timeTo50pct_s && report.median.timeTo50pct_s < report.median.timeTo90pct_s);
    const csv = readFileSync(join(dir, 'witty.csv'), 'utf8').split('\r\n');
    assert.equal(csv[0], 'time_s,infected,susceptible,patched,removed,ever_infected,observed_8');
    const last = csv[csv.length - 2].split(',').map(Number);
    assert.equal(last[0], 7200);
    const json = JSON.parse(readFileSync(join(dir, 'witty.json'), 'utf8'));
    assert.equal(json.seriesOf, 'mean of 2 runs');
    assert.equal(json.series.time_s.length, csv.length - 2);
    assert.ok(readFileSync(join(dir, 'witty.svg'), 'utf8').includes('<polyline'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil simulate takes the exposed population from a file and applies overrides', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sim-'));
  try {
    const list = join(dir, 'exposed.txt');
    writeFileSync(list, '# exported exposure\n198.51.100.1\n198.51.100.2\n198.51.100.2\n203.0.113.9\n');
    const r = vigil('simulate', '--preset', 'today', '--exposed', list, '--horizon', '120', '--dt', '10', '--json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.preset, 'today');
    assert.equal(report.population, 3, 'duplicates removed');
    assert.equal(report.strategy, 'sequential');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil simulate and evaluate reject bad input with exit code 2', { skip }, () => {
  assert.equal(vigil('simulate', '--preset', 'nimda').status, 2);
  assert.equal(vigil('simulate', '--preset', 'slammer', '--scan-rate', '-4').status, 2);
  assert.equal(vigil('simulate', '--preset', 'slammer', '--runs', '0').status, 2);
  assert.equal(vigil('evaluate', 'early-warning', '--preset', 'codered', '--monitor', '10.0.0.0/33').status, 2);
});

test('vigil evaluate early-warning reports the fraction at first alarm and false alarms per day', { skip }, () => {
  const r = vigil('evaluate', 'early-warning', '--preset', 'codered', '--population', '50000', '--scan-rate', '43',
    '--monitor', '/12', '--runs', '1', '--warmup-days', '3', '--noise-days', '1', '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.runs, 1);
  assert.equal(report.monitorAddresses, 2 ** 20);
  assert.equal(report.noiseDays, 1);
  assert.equal(typeof report.falseAlarmsPerDay, 'number');
  assert.equal(report.detectedRuns, 1);
  assert.ok(report.fractionAtAlarmMedian > 0 && report.fractionAtAlarmMedian < 0.2);
});
