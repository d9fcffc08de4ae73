// Zeek conn.log reader, TSV (with its #separator/#fields header) and JSON, to ConnEvents.
// Field names and conn_state values per Zeek base/protocols/conn/main.zeek (Conn::Info).

import type { ConnEvent } from '../model/event.js';
import type { LineResult } from './ingest-types.js';

/**
 * conn_state -> TRW outcome. Failure: the responder never accepted (S0 no reply, REJ rejected,
 * RSTOS0/RSTRH/SH/SHR half-open or reset before a handshake). Success: a handshake completed (SF,
 * S1, S2, S3). RSTO/RSTR (established, then reset) count as failure only when no payload moved in
 * either direction, as Zeek's own scan policy (policy/misc/scan.zeek is_failed_conn) treats a
 * reset without data; a connect() scanner produces exactly those. OTH (midstream) is unknown.
 */
const FAILED = new Set(['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR']);
const SUCCEEDED = new Set(['SF', 'S1', 'S2', 'S3']);
const RESET_AFTER_HANDSHAKE = new Set(['RSTO', 'RSTR']);

export function connStateOutcome(state: string | undefined, origBytes: number, respBytes: number): ConnEvent['outcome'] {
  if (state === undefined) return 'unknown';
  if (FAILED.has(state)) return 'failure';
  if (SUCCEEDED.has(state)) return 'success';
  if (RESET_AFTER_HANDSHAKE.has(state)) return origBytes > 0 || respBytes > 0 ? 'success' : 'failure';
  return 'unknown';
}

/** The columns a ConnEvent needs, by name as Zeek writes them in #fields. */
export const CONN_COLUMNS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'orig_bytes', 'resp_bytes', 'conn_state'] as const;

export interface ZeekTsvHeader {
  separator: string;
  unset: string;
  empty: string;
  /** Column index per needed field (-1 when absent). */
  readonly index: Record<(typeof CONN_COLUMNS)[number], number>;
  path?: string;
  hasFields: boolean;
}

export function newTsvHeader(): ZeekTsvHeader {
  const index = Object.fromEntries(CONN_COLUMNS.map((c) => [c, -1])) as ZeekTsvHeader['index'];
  return { separator: '\t', unset: '-', empty: '(empty)', index, hasFields: false };
}

/** Apply one `#...` header line; returns an error message for a malformed one. */
export function applyTsvHeader(h: ZeekTsvHeader, line: string): string | undefined {
  if (line.startsWith('#separator ')) {
    h.separator = line.slice(11).replace(/\\x([0-9a-fA-F]{2})/g, (_m, x: string) => String.fromCharCode(parseInt(x, 16)));
    return undefined;
  }
  const parts = line.slice(1).split(h.separator);
  const key = parts[0];
  if (key === 'fields') {
    const names = parts.slice(1);
    for (const c of CONN_COLUMNS) h.index[c] = names.indexOf(c);
    h.hasFields = true;
    const missing = (['ts', 'id.orig_h', 'id.resp_h', 'id.resp_p'] as const).filter((c) => h.index[c] < 0);
    return missing.length ? `#fields lacks ${missing.join(', ')}` : undefined;
  }
  if (key === 'unset_field') h.unset = parts[1] ?? '-';
  else if (key === 'empty_field') h.empty = parts[1] ?? '(empty)';
  else if (key === 'path') h.path = parts[1];
  return undefined;
}

export function parseTsvConnLine(h: ZeekTsvHeader, line: string): LineResult {
  if (!h.hasFields) return { error: 'data line before the #fields header' };
  const f = line.split(h.separator);
  // A line cut short names what it lacks in fields, not in the first column it happens to miss.
  let needed = 0;
  for (const c of CONN_COLUMNS) needed = Math.max(needed, h.index[c] + 1);
  if (f.length < needed) return { error: `${f.length} field(s), the #fields header needs ${needed}` };
  const get = (c: (typeof CONN_COLUMNS)[number]): string | undefined => {
    const i = h.index[c];
    const v = i >= 0 ? f[i] : undefined;
    return v === undefined || v === h.unset || v === h.empty ? undefined : v;
  };
  return buildConn(Number(get('ts')) * 1000, get, 'TSV');
}

export function parseJsonConnLine(line: string): LineResult {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return { error: 'not a JSON object' };
  const rec = o as Record<string, unknown>;
  const get = (c: string): string | undefined => (rec[c] === undefined || rec[c] === null ? undefined : String(rec[c]));
  const ts = typeof rec['ts'] === 'number' ? rec['ts'] * 1000 : Date.parse(String(rec['ts']));
  return buildConn(ts, get, 'JSON');
}

function buildConn(ts: number, get: (c: (typeof CONN_COLUMNS)[number]) => string | undefined, how: string): LineResult {
  if (!Number.isFinite(ts)) return { error: `bad ts ${JSON.stringify(get('ts'))}` };
  const src = get('id.orig_h');
  const dst = get('id.resp_h');
  const dport = Number(get('id.resp_p'));
  if (!src || !dst) return { error: `${how} record lacks id.orig_h or id.resp_h` };
  if (!Number.isInteger(dport) || dport < 0 || dport > 65535) return { error: `bad id.resp_p ${JSON.stringify(get('id.resp_p'))}` };
  const proto = get('proto');
  if (proto !== 'tcp' && proto !== 'udp') return undefined; // icmp and unknown: not a port contact
  const sport = Number(get('id.orig_p'));
  const origBytes = Number(get('orig_bytes') ?? 0) || 0;
  const respBytes = Number(get('resp_bytes') ?? 0) || 0;
  const uid = get('uid');
  const ev: ConnEvent = {
    type: 'conn', ts, source: 'zeek', src, dst, proto, dport,
    ...(Number.isInteger(sport) ? { sport } : {}),
    ...(uid ? { session: uid } : {}),
    outcome: connStateOutcome(get('conn_state'), origBytes, respBytes),
    bytesIn: origBytes, bytesOut: respBytes,
  };
  return ev;
}
