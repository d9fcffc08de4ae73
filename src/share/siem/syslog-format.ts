// RFC 5424 syslog messages (section 6) and their framing on TCP/TLS by octet counting (RFC 6587
// section 3.4.1, required by RFC 5425 for TLS); UDP carries one message per datagram (RFC 5426).

import type { Severity } from '../../model/anomaly.js';

/** RFC 5424 severities (table 2) by alert severity. */
export const SYSLOG_SEVERITY: Readonly<Record<Severity, number>> = { info: 6, low: 5, medium: 4, high: 3, critical: 2 };
export const SYSLOG_FACILITIES = { user: 1, daemon: 3, auth: 4, local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23 } as const;
export type SyslogFacility = keyof typeof SYSLOG_FACILITIES;

export interface SyslogHeader {
  readonly facility: SyslogFacility;
  readonly severity: Severity;
  readonly ts: number;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
}

/** A header field: printable US-ASCII without spaces, at most `max` characters, `-` when empty (section 6.2). */
function field(s: string, max: number): string {
  const clean = s.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** One RFC 5424 message, no structured data, MSG as UTF-8 (MSG-ANY, without a BOM: CEF receivers expect none). */
export function syslogMessage(h: SyslogHeader, msg: string): string {
  const pri = SYSLOG_FACILITIES[h.facility] * 8 + SYSLOG_SEVERITY[h.severity];
  const ts = new Date(Math.floor(h.ts)).toISOString();
  return `<${pri}>1 ${ts} ${field(h.hostname, 255)} ${field(h.appName, 48)} ${field(h.procId, 128)} ${field(h.msgId, 32)} - ${msg.replace(/[\r\n]+/g, ' ')}`;
}

/** RFC 6587 octet counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
