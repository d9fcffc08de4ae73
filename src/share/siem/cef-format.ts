// Alerts as ArcSight Common Event Format (CEF) version 0 ("Implementing ArcSight CEF", revision 25):
// the seven pipe-separated header fields, then key=value extensions with the spec's escaping.

import type { Alert } from '../../model/alert.js';
import type { Severity } from '../../model/anomaly.js';
import { alertDestination, type SiemContext } from './ecs-format.js';

/** CEF Severity 0-10 by alert severity. */
export const CEF_SEVERITY: Readonly<Record<Severity, number>> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };
/** Longest extension value written (msg is cut with an ellipsis; the alert id still names the alert). */
export const MAX_CEF_VALUE_CHARS = 1023;

/** Header fields escape `\` and `|`; line breaks would end the record, so they become spaces. */
export function cefHeader(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** Extension values escape `\` and `=`, and write line breaks as \n and \r. */
export function cefValue(s: string): string {
  const cut = s.length > MAX_CEF_VALUE_CHARS ? `${s.slice(0, MAX_CEF_VALUE_CHARS - 1)}…` : s;
  return cut.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

export function alertToCef(a: Alert, ctx: SiemContext): string {
  const ext: [string, string | number][] = [['rt', Math.floor(a.ts)], ['externalId', a.id], ['cat', a.detector], ['msg', a.title], ['dvchost', ctx.observer]];
  const dst = alertDestination(a);
  // src/dst take IPv4 only; IPv6 goes to the c6a fields with their labels (CEF revision 25, table 2).
  if (a.src !== undefined) ext.push(...(a.src.includes(':') ? [['c6a2', a.src], ['c6a2Label', 'Source IPv6 Address']] as [string, string][] : [['src', a.src]] as [string, string][]));
  if (dst !== undefined) ext.push(...(dst.includes(':') ? [['c6a3', dst], ['c6a3Label', 'Destination IPv6 Address']] as [string, string][] : [['dst', dst]] as [string, string][]));
  if (a.dport !== undefined) ext.push(['dpt', a.dport], ['proto', 'TCP']);
  if (a.cves.length > 0) ext.push(['cs1', a.cves.join(',')], ['cs1Label', 'CVE']);
  if (a.session !== undefined) ext.push(['cs2', a.session], ['cs2Label', 'Vigil session']);
  const header = ['CEF:0', 'Vigil', 'Vigil', ctx.version ?? '0.1.0', `${a.detector}:${a.rule}`, a.title, String(CEF_SEVERITY[a.severity])].map((h, i) => (i === 0 ? h : cefHeader(h)));
  return `${header.join('|')}|${ext.map(([k, v]) => `${k}=${cefValue(String(v))}`).join(' ')}`;
}
