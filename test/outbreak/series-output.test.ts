import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutbreakSeries } from '../../src/outbreak/outbreak-run.js';
import { growthRate, peakRatePerMinute, quantile, timeToReach } from '../../src/outbreak/outbreak-summary.js';
import { niceTicks, seriesToCsv, seriesToJson, seriesToSvg } from '../../src/outbreak/series-writers.js';

function series(rows: number): OutbreakSeries {
  const f = (g: (i: number) => number) => Float64Array.from({ length: rows }, (_, i) => g(i));
  return {
    time_s: f((i) => i * 30), susceptible: f((i) => 100 - i), infected: f((i) => i), patched: f(() => 0), removed: f(() => 0),
    everInfected: f((i) => i), observed: [f((i) => Math.floor(i / 2))],
  };
}

test('summary figures: interpolated crossing time, peak per-minute rate, exponential growth rate', () => {
  assert.equal(timeToReach([0, 10, 20], [0, 50, 100], 75), 15);
  assert.equal(timeToReach([0, 10], [0, 5], 6), null);
  const t = Array.from({ length: 100 }, (_, i) => i * 10);
  const y = t.map((x) => (x < 500 ? x : 500 + 3 * (x - 500)));
  const peak = peakRatePerMinute(t, y);
  assert.equal(peak.rate, 180);
  assert.ok(peak.at > 500);
  const k = growthRate(t, t.map((x) => 5 * Math.exp(0.002 * x)), 0, Infinity);
  assert.ok(Math.abs(k! - 0.002) < 1e-12);
  assert.equal(quantile([3, 1, Infinity, NaN, 2], 0.5), 2);
  assert.equal(quantile([1, Infinity, Infinity], 0.9), Infinity, 'missed runs count in the percentile');
});

test('CSV has the documented columns, one row per sample, CRLF line ends', () => {
  const csv = seriesToCsv(series(5), ['4096x/24']);
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'time_s,infected,susceptible,patched,removed,ever_infected,observed_4096x_24');
  assert.equal(lines[2], '30,1,99,0,0,1,0');
  assert.equal(lines.length, 7);
  assert.equal(lines[6], '');
  const json = seriesToJson(series(3), ['/8']);
  assert.deepEqual(json.time_s, [0, 30, 60]);
  assert.deepEqual(json.observed_8, [0, 0, 1]);
});

test('SVG chart: one polyline per curve, points inside the plot, title escaped', () => {
  const svg = seriesToSvg(series(40), 'a <b> & "c"', ['/8']);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.ok(svg.includes('a &#60;b&#62; &#38; &#34;c&#34;'));
  const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)];
  assert.equal(lines.length, 4, 'infected, susceptible, patched, seen by /8');
  for (const [, pts] of lines) {
    for (const p of pts.split(' ')) {
      const [x, y] = p.split(',').map(Number);
      assert.ok(x >= 80 && x <= 660 && y >= 40 && y <= 390, `point ${p}`);
    }
  }
  assert.ok(svg.includes('seen by /8'));
});

test('axis ticks are round: 1, 2 or 5 x 10^k in the unit shown', () => {
  assert.deepEqual(niceTicks(14.4), [0, 2, 4, 6, 8, 10, 12, 14]);
  assert.deepEqual(niceTicks(300_000), [0, 50_000, 100_000, 150_000, 200_000, 250_000, 300_000]);
  assert.deepEqual(niceTicks(0.9), [0, 0.2, 0.4, 0.6, 0.8]);
  assert.deepEqual(niceTicks(45), [0, 10, 20, 30, 40]);
});

test('SVG of a 300,000-host outbreak over 14.4 h: y axis to 300,000, x ticks at whole hours, telescope curve explained', () => {
  const rows = 97;
  const f = (g: (i: number) => number) => Float64Array.from({ length: rows }, (_, i) => g(i));
  const n = 300_000;
  const frac = (i: number) => 1 / (1 + Math.exp(-(i - 48) / 6));
  const svg = seriesToSvg({
    time_s: f((i) => i * 540), susceptible: f((i) => n * (1 - frac(i))), infected: f((i) => n * frac(i)), patched: f(() => 0), removed: f(() => 0),
    everInfected: f((i) => n * frac(i)), observed: [f((i) => 0.9 * n * frac(i))],
  }, 'blaster', ['/8']);
  const yLabels = [...svg.matchAll(/text-anchor="end" dy="4">([\d,]+)</g)].map((m) => m[1]);
  assert.equal(yLabels[yLabels.length - 1], '300,000');
  assert.ok(!svg.includes('500,000'));
  const xLabels = [...svg.matchAll(/y="408" text-anchor="middle">([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(xLabels, ['0', '2', '4', '6', '8', '10', '12', '14']);
  assert.match(svg, /seen by \/8<\/text>/);
  assert.match(svg, /class="legend-note"[^>]*><tspan[^>]*>seen by M: infected hosts whose<\/tspan>/);
});
