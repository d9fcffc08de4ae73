// Charts as SVG markup built on the server (no chart library, no script): hourly connection bars
// and a distinct-source line per port, with surge alarms marked. Colours come from the stylesheet
// (classes only, no style attributes: the page's CSP allows no inline styles).

export interface ChartPoint {
  /** Bucket start, ms since epoch. */
  readonly t: number;
  readonly count: number;
  readonly sources: number;
}

export interface ChartOptions {
  readonly since: number;
  readonly until: number;
  readonly bucketMs: number;
  /** Times of surge alarms to mark with a vertical rule. */
  readonly marks?: readonly number[];
  readonly width?: number;
  readonly height?: number;
  /** Accessible label. */
  readonly label: string;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fix = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Bars (connections per bucket) and a line (distinct sources), y scaled to the highest bar. */
export function portChart(points: readonly ChartPoint[], o: ChartOptions): string {
  const w = o.width ?? 560;
  const h = o.height ?? 90;
  const pad = 14;
  const span = Math.max(1, o.until - o.since);
  const buckets = Math.max(1, Math.ceil(span / o.bucketMs));
  const bw = (w - pad) / buckets;
  const max = Math.max(1, ...points.map((p) => p.count));
  const x = (t: number): number => pad + ((t - o.since) / span) * (w - pad);
  const y = (v: number): number => h - 12 - (v / max) * (h - 20);
  const bars = points
    .filter((p) => p.t >= o.since && p.t < o.until)
    .map((p) => `<rect class="bar" x="${fix(x(p.t))}" y="${fix(y(p.count))}" width="${fix(Math.max(1, bw - 0.5))}" height="${fix(h - 12 - y(p.count))}"><title>${esc(new Date(p.t).toISOString())}: ${p.count} connections, ${p.sources} sources</title></rect>`)
    .join('');
  // The distinct-source line only when the caller counted sources (they cost a distinct scan).
  const line = points.length > 1 && points.some((p) => p.sources > 0)
    ? `<polyline class="src-line" points="${points.map((p) => `${fix(x(p.t) + bw / 2)},${fix(y(p.sources))}`).join(' ')}"/>`
    : '';
  const marks = (o.marks ?? [])
    .filter((t) => t >= o.since && t < o.until)
    .map((t) => `<line class="surge" x1="${fix(x(t))}" x2="${fix(x(t))}" y1="2" y2="${h - 12}"><title>surge alarm ${esc(new Date(t).toISOString())}</title></line>`)
    .join('');
  const days: string[] = [];
  for (let d = Math.ceil(o.since / 86_400_000) * 86_400_000; d < o.until; d += 86_400_000) {
    days.push(`<line class="grid" x1="${fix(x(d))}" x2="${fix(x(d))}" y1="0" y2="${h - 12}"/><text class="axis" x="${fix(x(d) + 2)}" y="${h - 2}">${esc(new Date(d).toISOString().slice(5, 10))}</text>`);
  }
  return `<svg class="chart" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(o.label)}">`
    + `<text class="axis" x="0" y="10">${max}</text>${days.join('')}${bars}${line}${marks}</svg>`;
}

/** An outbreak curve: infected hosts over time, as a line with a filled area. */
export function curveChart(points: readonly { t: number; v: number }[], label: string, width = 640, height = 180): string {
  if (points.length === 0) return '';
  const t0 = points[0].t;
  const t1 = Math.max(t0 + 1, points[points.length - 1].t);
  const max = Math.max(1, ...points.map((p) => p.v));
  const x = (t: number): number => 30 + ((t - t0) / (t1 - t0)) * (width - 34);
  const y = (v: number): number => height - 14 - (v / max) * (height - 24);
  const pts = points.map((p) => `${fix(x(p.t))},${fix(y(p.v))}`).join(' ');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}">`
    + `<text class="axis" x="0" y="10">${max}</text><text class="axis" x="30" y="${height - 2}">${fix(t0)}</text><text class="axis" x="${width - 40}" y="${height - 2}">${fix(t1)}</text>`
    + `<polygon class="area" points="${fix(x(t0))},${height - 14} ${pts} ${fix(x(t1))},${height - 14}"/><polyline class="src-line" points="${pts}"/></svg>`;
}
