// The one-line progress display of a scan on a terminal (stderr): hosts done of total, percent, rate
// and the estimated time left, redrawn in place with a carriage return.

import type { ScanProgress } from '../scanner.js';

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export function progressLine(p: ScanProgress, width = 20): string {
  const frac = p.hostsTotal > 0 ? p.hostsDone / p.hostsTotal : 1;
  const filled = Math.round(frac * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const eta = p.etaMs !== undefined && p.hostsDone < p.hostsTotal ? ` ETA ${duration(p.etaMs)}` : '';
  return `${bar} ${p.hostsDone}/${p.hostsTotal} hosts (${(frac * 100).toFixed(1)}%), ${p.hostsUp} up, ${p.rate.toFixed(0)} hosts/s, ${duration(p.elapsedMs)} elapsed${eta}`;
}
