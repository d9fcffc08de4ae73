// Formatting helpers the templates call (as `it.h`): times, numbers, links with query strings, a
// hex dump. They return plain text; the templates escape it.

import type { Severity } from '../model/anomaly.js';

const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** `2003-08-11 16:03:12Z` (UTC, seconds): analysts compare times across sensors, so no local zone. */
function time(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function ago(ms: number | undefined, now: number): string {
  if (ms === undefined) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

function num(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '' : n.toLocaleString('en-US');
}

/** A path with its query; undefined and empty values are left out. Values are percent-encoded. */
function url(path: string, query: Record<string, string | number | boolean | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** A path segment (ids from attacker-influenced data are encoded, never trusted as paths). */
function seg(s: string): string {
  return encodeURIComponent(s);
}

/** Class name for a severity badge; anything unknown is `info` (no attacker text in class names). */
function sev(s: string | undefined): string {
  return `sev-${SEVERITIES.includes(s as Severity) ? s : 'info'}`;
}

export interface HexRow {
  readonly offset: string;
  readonly hex: string;
  readonly ascii: string;
}

/** Classic 16-bytes-per-row dump; printable ASCII shown, everything else as `.`. */
function hexRows(bytes: Uint8Array, max = 4096): HexRow[] {
  const rows: HexRow[] = [];
  const n = Math.min(bytes.length, max);
  for (let off = 0; off < n; off += 16) {
    const chunk = bytes.subarray(off, Math.min(off + 16, n));
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    rows.push({ offset: off.toString(16).padStart(8, '0'), hex, ascii });
  }
  return rows;
}

function fromHex(hex: string | undefined): Uint8Array {
  return hex ? Uint8Array.from(Buffer.from(hex, 'hex')) : new Uint8Array();
}

function json(v: unknown): string {
  return JSON.stringify(v, null, 2) ?? '';
}

function hex32(n: number | undefined): string {
  return n === undefined ? '' : `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

export const helpers = { time, ago, num, url, seg, sev, hexRows, fromHex, json, hex32 };
