// `vigil sessions` and `vigil sessions show ID`: sensor sessions read straight from the store in the
// data directory (works while `vigil up` runs: WAL lets readers and the writer proceed together).

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { rfc3339Micro } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { CallRecord } from '../../model/call.js';
import type { SessionRecord, Transcript } from '../../model/session.js';
import { faultLabel, interfaceLabel, withFaultName } from '../../kb/dcerpc-names.js';
import { parseTimeArg } from '../../server/time-param.js';
import { normalizeAddress } from '../../server/address-param.js';
import { openSqliteStore, sqliteFileIn, type SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { SessionQuery, SessionSummary } from '../../store/store.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';
import { textTable } from '../text-table.js';

type Opts = Record<string, unknown>;

async function withStore<T>(opts: Opts, fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  const config = configFromOptions(opts);
  const file = sqliteFileIn(config.dataDir);
  // Reading must not create an empty store where the user mistyped the directory.
  if (!existsSync(file)) throw new AppError('VIGIL_ERR_NOT_FOUND', `no store at ${file} (start the node with \`vigil up\`, or pass --data-dir)`);
  const store = await openSqliteStore({ file, synchronous: config.store.synchronous, background: false });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function intOption(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < min || n > max) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

export function queryFromOptions(opts: Opts, now = Date.now()): SessionQuery & { limit: number } {
  return {
    port: intOption(opts.port, '--port', 0, 65535),
    source: typeof opts.source === 'string' ? normalizeAddress(opts.source, '--source') : undefined,
    since: typeof opts.since === 'string' ? parseTimeArg(opts.since, '--since', now) : undefined,
    until: typeof opts.until === 'string' ? parseTimeArg(opts.until, '--until', now) : undefined,
    hasAnomaly: opts.anomalous === true ? true : undefined,
    limit: intOption(opts.limit, '--limit', 1, 1_000_000) ?? 50,
  };
}

/** Up to `limit` sessions, newest first, walking store pages of at most 1000. */
async function collect(store: SqliteStore, q: SessionQuery & { limit: number }, each: (s: SessionSummary) => void): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listSessions({ ...q, limit: Math.min(1000, q.limit - n), cursor });
    page.items.forEach(each);
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor && n < q.limit);
  return n;
}

const table = textTable;

const time = (ms: number): string => rfc3339Micro(ms).slice(0, 19) + 'Z';

function summaryRow(s: SessionSummary): string[] {
  return [time(s.startTs), s.id, s.src, String(s.dport), s.service ?? '-', String(s.bytesIn), String(s.bytesOut), String(s.callCount), String(s.anomalyCount), s.closeReason ?? '-'];
}

function callRow(c: CallRecord): string[] {
  // a record stored without a name still gets the table's name beside its UUID
  const iface = c.endpoint ?? (c.ifaceUuid === undefined ? '?' : interfaceLabel(c.ifaceUuid));
  const what = `${iface} ${c.operation ?? `opnum ${c.opnum}`}`;
  const fault = c.faultStatus === undefined ? '-' : faultLabel(c.faultStatus);
  const notes = [c.activation?.uncServer !== undefined ? `unc_server_len=${c.activation.uncServerLength}` : '', ...c.anomalies.map((a) => a.name)].filter(Boolean).join(',');
  return [time(c.ts), String(c.callId), what, String(c.reqStubLen), String(c.respStubLen), fault, notes || '-'];
}

/**
 * An escaped transcript text (core/safe-text) split at its `\r\n` / `\n` escapes, so the persona's
 * multi-line answers read as lines. Only escapes are split on: the text holds no raw control
 * character, and `\\` (an escaped backslash) is stepped over so `\\n` is never taken for one.
 */
export function escapedLines(text: string): string[] {
  const lines: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') continue;
    const next = text[i + 1];
    if (next === 'r' && text.startsWith('\\n', i + 2)) {
      lines.push(text.slice(from, i));
      i += 3;
      from = i + 1;
    } else if (next === 'n') {
      lines.push(text.slice(from, i));
      i += 1;
      from = i + 1;
    } else {
      i += 1;
    }
  }
  lines.push(text.slice(from));
  return lines;
}

/** The transcript, one line per line said: `+seconds  >` typed by the peer, `<` said by the persona. */
export function formatTranscript(t: Transcript): string {
  const out: string[] = [];
  for (const e of t.entries) {
    const at = `+${(e.offsetMs / 1000).toFixed(3)}s`.padStart(10);
    const mark = e.dir === 'in' ? '>' : '<';
    const cut = e.bytesCut ? ` [${e.bytesCut} more bytes cut]` : '';
    escapedLines(e.text).forEach((line, i) => out.push(`${i === 0 ? at : ' '.repeat(10)}  ${mark} ${line}${i === 0 ? cut : ''}`));
  }
  if (t.entriesCut > 0 || t.bytesCut > 0) out.push(`  (${t.entriesCut} more entr${t.entriesCut === 1 ? 'y' : 'ies'} and ${t.bytesCut} bytes not kept: sensor limits maxTranscriptEntries / maxTranscriptChars)`);
  return out.map((l) => `${l}\n`).join('');
}

export function formatSession(s: SessionRecord): string {
  const lines = [
    `session   ${s.id} (sensor ${s.sensor})`,
    `flow      ${s.proto} ${s.src}:${s.sport} -> ${s.dst}:${s.dport}`,
    `time      ${time(s.startTs)}${s.endTs !== undefined ? ` .. ${time(s.endTs)}` : ''}`,
    `service   ${s.service ?? '-'}; bytes in ${s.bytesIn}, out ${s.bytesOut}; closed: ${s.closeReason ?? '-'}`,
    `limits    ${s.limitsHit.length ? s.limitsHit.join(', ') : '-'}`,
    `first     ${s.firstBytesHex ?? '-'}`,
    `anomalies ${s.anomalies.length ? s.anomalies.map((a) => a.name + (a.detail ? ` (${a.detail})` : '')).join('; ') : '-'}`,
  ];
  if (s.payloadSha256?.length) lines.push(`payloads  ${s.payloadSha256.join(', ')}`);
  if (s.payloadSha256?.length) lines.push(`raw       vigil sessions show ${s.id} --raw > file (the bytes the peer sent)`);
  let out = lines.join('\n') + '\n';
  if (s.transcript) out += `transcript ${s.transcript.entries.length} entries (> typed by the peer, < said by the sensor)\n${formatTranscript(s.transcript)}`;
  if (s.calls.length === 0) return `${out}calls     -\n`;
  return `${out}calls     ${s.calls.length}\n${table([['TIME', 'CALL', 'OPERATION', 'REQ', 'RESP', 'FAULT', 'NOTES'], ...s.calls.map(callRow)])}`;
}

async function listAction(opts: Opts): Promise<void> {
  const q = queryFromOptions(opts);
  await withStore(opts, async (store) => {
    if (opts.json === true) {
      await collect(store, q, (s) => process.stdout.write(`${JSON.stringify({ ...s, startTime: rfc3339Micro(s.startTs) })}\n`));
      return;
    }
    const rows: string[][] = [['START', 'ID', 'SOURCE', 'PORT', 'SERVICE', 'IN', 'OUT', 'CALLS', 'ANOM', 'CLOSE']];
    await collect(store, q, (s) => rows.push(summaryRow(s)));
    process.stdout.write(rows.length === 1 ? 'no sessions match\n' : table(rows));
  });
}

/** The peer's raw bytes to stdout. Refused on a terminal: attacker bytes written to a tty are
 * interpreted (escape sequences can retitle, recolour or, on some terminals, answer back). */
async function writeRaw(store: SqliteStore, s: SessionRecord): Promise<void> {
  if (process.stdout.isTTY) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', '--raw writes the peer\'s bytes, which a terminal would interpret: redirect it to a file (vigil sessions show ID --raw > file)');
  const sha = s.payloadSha256?.[0];
  const sample = sha === undefined ? undefined : await store.getPayload(sha);
  if (!sample) throw new AppError('VIGIL_ERR_NOT_FOUND', `session ${s.id} has no stored payload`);
  await new Promise<void>((resolve, reject) => process.stdout.write(sample.data, (e) => (e ? reject(e) : resolve())));
}

async function showAction(id: string, opts: Opts): Promise<void> {
  await withStore(opts, async (store) => {
    const s = await store.getSession(id);
    if (!s) throw new AppError('VIGIL_ERR_NOT_FOUND', `no session ${id}`);
    if (opts.raw === true) return writeRaw(store, s);
    process.stdout.write(opts.json === true ? `${JSON.stringify({ ...s, calls: s.calls.map(withFaultName), startTime: rfc3339Micro(s.startTs) })}\n` : formatSession(s));
  });
}

export function register(program: Command): void {
  const cmd = program
    .command('sessions')
    .description('list sensor sessions from the store, newest first (table, or JSON lines with --json)')
    .option('-p, --port <n>', 'only sessions to this (nominal) port')
    .option('-s, --source <ip>', 'only sessions from this peer address')
    .option('--since <time>', 'from this time: RFC 3339, epoch ms, or a duration before now (15m, 24h, 7d)')
    .option('--until <time>', 'before this time (same forms as --since)')
    .option('-a, --anomalous', 'only sessions with at least one anomaly')
    .option('-n, --limit <n>', 'at most this many sessions', '50')
    .option('--json', 'one JSON object per line')
    .action(listAction);
  addConfigOptions(cmd, ['dataDir']);
  const show = cmd
    .command('show <id>')
    .description('one session with its decoded DCE/RPC calls and anomalies, and on a shell port what each side said')
    .option('--json', 'the whole session as one JSON object')
    .option('--raw', 'the bytes the peer sent, as recorded, to stdout (redirect it to a file)')
    .action((id: string, opts: Opts, self: Command) => showAction(id, { ...self.parent?.opts(), ...opts }));
  addConfigOptions(show, ['dataDir']);
}
