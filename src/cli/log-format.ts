// The node's console log: pino's JSON lines for collectors, or on a terminal one readable line per
// entry. Thirty lines of our own rather than pino-pretty: we need time, level, module, message and fields.

import { pino, destination, type Logger } from 'pino';

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's own bookkeeping, shown elsewhere in the line or not at all. */
const OWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'module', 'err']);

const value = (v: unknown): string => (typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v));

/** One pino JSON line as `12:00:01.123Z INFO  [sensor] message  key=value ...` (an error's stack below it). */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11) : '-';
  const level = (LEVELS[o.level as number] ?? String(o.level)).padEnd(5);
  const module = typeof o.module === 'string' ? `[${o.module}] ` : '';
  const fields = Object.entries(o).filter(([k]) => !OWN.has(k)).map(([k, v]) => `${k}=${value(v)}`);
  const err = o.err as { message?: string; stack?: string } | undefined;
  const stack = err ? `\n    ${(err.stack ?? err.message ?? JSON.stringify(err)).split('\n').join('\n    ')}` : '';
  return `${time} ${level} ${module}${String(o.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}${stack}\n`;
}

export type LogFormat = 'auto' | 'pretty' | 'json';

/** The console logger on stderr: `auto` is pretty on a terminal, JSON when piped or collected. */
export function consoleLogger(level: string, format: LogFormat, out: NodeJS.WriteStream = process.stderr): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && out.isTTY === true);
  if (!pretty) return pino({ level }, destination(2));
  return pino({ level }, { write: (line: string) => void out.write(prettyLine(line)) });
}
