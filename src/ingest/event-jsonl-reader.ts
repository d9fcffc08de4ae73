// Reader for Vigil's own event JSON lines (docs/events.md): validates each line against the
// VigilEvent union in src/model/event.ts and accepts `ts` as epoch ms or RFC 3339 text.

import type { VigilEvent } from '../model/event.js';
import type { LineResult } from './ingest-types.js';

const TYPES = new Set(['conn', 'call', 'payload', 'anomaly', 'external_alert']);
const SOURCES = new Set(['sensor', 'pcap', 'zeek', 'suricata', 'firewall', 'sim', 'jsonl']);

export function parseEventLine(line: string): LineResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: 'not a JSON object' };
  const o = parsed as Record<string, unknown>;
  const problem = checkCommon(o) ?? checkByType(o);
  if (problem) return { error: problem };
  const ts = typeof o['ts'] === 'number' ? o['ts'] : Date.parse(o['ts'] as string);
  return { ...o, ts, source: (o['source'] as string | undefined) ?? 'jsonl' } as VigilEvent;
}

function checkCommon(o: Record<string, unknown>): string | undefined {
  if (!TYPES.has(o['type'] as string)) return `type must be one of ${[...TYPES].join(', ')}, got ${JSON.stringify(o['type'])}`;
  const ts = o['ts'];
  if (!(typeof ts === 'number' && Number.isFinite(ts)) && !(typeof ts === 'string' && Number.isFinite(Date.parse(ts)))) return `bad ts ${JSON.stringify(ts)}`;
  if (o['source'] !== undefined && !SOURCES.has(o['source'] as string)) return `unknown source ${JSON.stringify(o['source'])}`;
  for (const k of ['src', 'dst']) if (typeof o[k] !== 'string' || o[k] === '') return `${k} must be a non-empty string`;
  if (o['proto'] !== 'tcp' && o['proto'] !== 'udp') return `proto must be tcp or udp, got ${JSON.stringify(o['proto'])}`;
  if (!isPort(o['dport'])) return `bad dport ${JSON.stringify(o['dport'])}`;
  if (o['sport'] !== undefined && !isPort(o['sport'])) return `bad sport ${JSON.stringify(o['sport'])}`;
  return undefined;
}

function checkByType(o: Record<string, unknown>): string | undefined {
  switch (o['type']) {
    case 'conn':
      return ['success', 'failure', 'unknown'].includes(o['outcome'] as string) ? undefined : 'conn needs outcome success|failure|unknown';
    case 'call': {
      const c = o['call'] as Record<string, unknown> | undefined;
      if (typeof c !== 'object' || c === null) return 'call event needs a call object';
      if (typeof c['opnum'] !== 'number') return 'call.opnum must be a number';
      return Array.isArray(c['anomalies']) ? undefined : 'call.anomalies must be an array';
    }
    case 'payload':
      return typeof o['text'] === 'string' ? undefined : 'payload needs text';
    case 'anomaly': {
      const a = o['anomaly'] as Record<string, unknown> | undefined;
      return a && typeof a['name'] === 'string' && typeof a['proto'] === 'string' ? undefined : 'anomaly needs anomaly.name and anomaly.proto';
    }
    default:
      return typeof o['signature'] === 'string' ? undefined : 'external_alert needs signature';
  }
}

function isPort(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
}
