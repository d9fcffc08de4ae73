// Output of simulated time series: CSV (RFC 4180, header row), JSON, and an SVG 1.1 line chart
// written as plain text (infected, susceptible, patched, telescope-observed sources over time).

import type { OutbreakSeries } from './outbreak-run.js';

function columns(s: OutbreakSeries, monitorLabels: readonly string[]): Array<[string, ArrayLike<number>]> {
  return [
    ['time_s', s.time_s],
    ['infected', s.infected],
    ['susceptible', s.susceptible],
    ['patched', s.patched],
    ['removed', s.removed],
    ['ever_infected', s.everInfected],
    ...s.observed.map((o, i) => [`observed_${safeLabel(monitorLabels[i] ?? String(i))}`, o] as [string, Float64Array]),
  ];
}

function safeLabel(x: string): string {
  return x.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3).replace(/\.?0+$/, '');
}

export function seriesToCsv(s: OutbreakSeries, monitorLabels: readonly string[] = []): string {
  const cols = columns(s, monitorLabels);
  const lines = [cols.map(([n]) => n).join(',')];
  for (let i = 0; i < s.time_s.length; i++) lines.push(cols.map(([, c]) => num(c[i])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function seriesToJson(s: OutbreakSeries, monitorLabels: readonly string[] = []): Record<string, number[]> {
  return Object.fromEntries(columns(s, monitorLabels).map(([n, c]) => [n, Array.from(c, (x) => Number(num(x)))]));
}

function escapeXml(x: string): string {
  return x.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function maxOf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/**
 * Axis ticks at round numbers: a step of 1, 2 or 5 times a power of ten (the "nice numbers" of
 * Heckbert, Graphics Gems 1990), the one giving closest to `target` intervals over [0, max].
 */
export function niceTicks(max: number, target = 6): number[] {
  if (!(max > 0)) return [0, 1];
  const p = 10 ** Math.floor(Math.log10(max / target));
  const steps = [1, 2, 5, 10, 20, 50].map((m) => m * p);
  const step = steps.reduce((best, s) => (Math.abs(max / s - target) < Math.abs(max / best - target) ? s : best));
  const ticks: number[] = [];
  // a step of 0.1 h must not print 0.30000000000000004
  for (let k = 0; k * step <= max * (1 + 1e-9); k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Y ticks that cover the data: the last tick is at or above max (300,000 hosts -> 0..300,000). */
function coveringTicks(max: number): number[] {
  const ticks = niceTicks(max);
  const step = ticks[1] - ticks[0];
  while (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

const LEGEND_NOTE = [
  'seen by M: infected hosts whose',
  'scans have reached the telescope',
  'M (unused address blocks that',
  'only scanners reach), cumulative;',
  'what an early-warning sensor sees.',
];

export function seriesToSvg(s: OutbreakSeries, title: string, monitorLabels: readonly string[] = []): string {
  const W = 860, H = 440, L = 80, R = 220, T = 40, B = 50;
  const tMax = s.time_s[s.time_s.length - 1] || 1;
  const hours = tMax >= 3 * 3600;
  const unit = hours ? 3600 : 60;
  const yTicks = coveringTicks(Math.max(1, ...[s.susceptible, s.infected, s.patched, ...s.observed].map(maxOf)));
  const yMax = yTicks[yTicks.length - 1];
  const xOf = (t: number) => L + (t / tMax) * (W - L - R);
  const yOf = (v: number) => H - B - (v / yMax) * (H - T - B);
  const lines: Array<[string, ArrayLike<number>, string, string]> = [
    ['infected', s.infected, '#d62728', ''],
    ['susceptible', s.susceptible, '#1f77b4', ''],
    ['patched', s.patched, '#2ca02c', ''],
    ...s.observed.map((o, i) => [`seen by ${monitorLabels[i] ?? `monitor ${i}`}`, o, '#9467bd', i ? '2,3' : '6,3'] as [string, Float64Array, string, string]),
  ];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="24" font-size="15">${escapeXml(title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
  ];
  for (const v of yTicks) {
    const y = yOf(v).toFixed(1);
    out.push(`<line x1="${L - 4}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#ddd"/><text x="${L - 8}" y="${y}" text-anchor="end" dy="4">${v.toLocaleString('en-US')}</text>`);
  }
  for (const u of niceTicks(tMax / unit)) {
    const x = xOf(u * unit).toFixed(1);
    out.push(`<line x1="${x}" y1="${H - B}" x2="${x}" y2="${H - B + 4}" stroke="black"/><text x="${x}" y="${H - B + 18}" text-anchor="middle">${u.toLocaleString('en-US')}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">time (${hours ? 'hours' : 'minutes'})</text>`);
  out.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">hosts</text>`);
  lines.forEach(([name, col, color, dash], k) => {
    const pts = Array.from({ length: col.length }, (_, i) => `${xOf(s.time_s[i]).toFixed(1)},${yOf(col[i]).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${pts.join(' ')}"/>`);
    const ly = T + 10 + k * 20;
    out.push(`<line x1="${W - R + 15}" y1="${ly}" x2="${W - R + 40}" y2="${ly}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/><text x="${W - R + 46}" y="${ly + 4}">${escapeXml(name)}</text>`);
  });
  // the telescope curves need a word: without it "seen by /8" reads as a fourth population
  if (s.observed.length > 0) {
    const ny = T + 10 + lines.length * 20 + 10;
    const spans = LEGEND_NOTE.map((l, i) => `<tspan x="${W - R + 15}" dy="${i === 0 ? 0 : 14}">${escapeXml(l)}</tspan>`).join('');
    out.push(`<text class="legend-note" y="${ny}" font-size="11" fill="#444">${spans}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
