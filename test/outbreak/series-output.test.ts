import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutbreakSeries } from '../../src/outbreak/outbreak-run.js';
import { growthRate, peakRatePerMinute, quantile, timeToReach } from '../../src/outbreak/outbreak-summary.js';
import { seriesToCsv, seriesToJson, seriesToSvg } from '../../src/outbreak/series-writers.js';

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
