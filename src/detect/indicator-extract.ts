// Indicators from what an attacker typed into a shell (Blaster: `tftp -i <ip> GET msblast.exe` on
// the bind shell at 4444): each command, URLs, hosts, host:port peers and file names, as STIX-like
// typed values (STIX 2.1 cyber-observable names: ipv4-addr, domain-name, url, file, network-traffic).

import type { Indicator } from '../model/alert.js';

const MAX_COMMAND_CHARS = 512;
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const URL = /\b(?:https?|ftp|tftp):\/\/[^\s"'<>]+/gi;
// A run of file-name characters; greedy with nothing after it, so the engine never backtracks.
const NAME_RUN = /[\w.-]+/g;
const FILE_EXTENSIONS = new Set(['exe', 'com', 'scr', 'bat', 'cmd', 'dll', 'vbs', 'ps1', 'pif']);
const TFTP_GET = /\btftp(?:\.exe)?\s+(?:-i\s+)?(\S+)\s+get\s+(\S+)/i;
/** Commands that take a host and then a port (`nc 1.2.3.4 4444`, ftp scripts' `open host 21`). */
const CONNECTORS = new Set(['nc', 'ncat', 'netcat', 'telnet', 'open', 'ftp']);
const IPV4_TOKEN = /^(?:\d{1,3}\.){3}\d{1,3}$/;
// A dotted name ending in letters; bounded lengths (RFC 1035) so nothing long is ever matched.
const DOMAIN_TOKEN = /^(?=.{4,253}$)(?:[a-z0-9-]{1,63}\.)+[a-z]{2,24}$/i;
/** At most this many commands are named one by one (the rest are in the `command` count). */
export const MAX_COMMANDS = 16;

/** The commands in a typed text: its lines (a capture or log may carry several in one event), trimmed. */
export function commandsIn(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/[\r\n]+/)) {
    const c = line.trim();
    if (c) out.push(c.slice(0, MAX_COMMAND_CHARS));
  }
  return out;
}

const isHostToken = (t: string): boolean => IPV4_TOKEN.test(t) || (DOMAIN_TOKEN.test(t) && !FILE_EXTENSIONS.has(t.slice(t.lastIndexOf('.') + 1).toLowerCase()));

export function extractIndicators(text: string): Indicator[] {
  const out: Indicator[] = [];
  const seen = new Set<string>();
  const add = (type: string, value: string): void => {
    const k = `${type}\0${value}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push({ type, value });
    }
  };
  const commands = commandsIn(text);
  for (const c of commands.slice(0, MAX_COMMANDS)) add('command', c);
  const tftp = TFTP_GET.exec(text);
  if (tftp) {
    add('url', `tftp://${tftp[1]}/${tftp[2]}`);
    if (!IPV4_TOKEN.test(tftp[1]) && isHostToken(tftp[1])) add('domain-name', tftp[1].toLowerCase());
  }
  for (const m of text.matchAll(URL)) {
    add('url', m[0]);
    const host = /^[a-z]+:\/\/(?:[^@/\s]*@)?([^/:?#\s]+)(?::(\d{1,5}))?/i.exec(m[0]);
    if (host && !IPV4_TOKEN.test(host[1]) && isHostToken(host[1])) add('domain-name', host[1].toLowerCase());
    if (host?.[2] !== undefined && Number(host[2]) <= 65_535) add('network-traffic', `${host[1].toLowerCase()}:${Number(host[2])}`);
  }
  for (const c of commands) for (const peer of peersIn(c)) add('network-traffic', peer);
  for (const m of text.matchAll(IPV4)) add('ipv4-addr', m[0]);
  for (const m of text.matchAll(NAME_RUN)) {
    const name = fileNameIn(m[0]);
    if (name) add('file-name', name);
  }
  return out;
}

/** `host:port` after a connecting command in one line (`nc -e cmd.exe 10.0.0.1 4444`, `echo open
 * ftp.example.org 21>o`): one pass over its whitespace tokens, options skipped. */
function peersIn(command: string): string[] {
  const tokens = command.split(/\s+/);
  const out: string[] = [];
  let armed = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i].replace(/^["']|["'>]+$/g, '');
    const word = t.toLowerCase().replace(/\.exe$/, '');
    if (CONNECTORS.has(word)) armed = true;
    else if (armed && isHostToken(t)) {
      const port = /^(\d{1,5})(?:>.*)?$/.exec(tokens[i + 1] ?? '');
      if (port && Number(port[1]) > 0 && Number(port[1]) <= 65_535) out.push(`${t.toLowerCase()}:${Number(port[1])}`);
    }
  }
  return out;
}

const isWordChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

/** The file name in one run of [\w.-] characters, as `\b[\w.-]+\.(exe|...)\b` found it: from the
 * first word character to the last known extension that ends at a non-word character. That regex
 * retried from every word boundary (every `.` or `-`) and was quadratic on `a.a.a.a...`; one backward
 * pass over the run gives the same match in linear time. */
function fileNameIn(run: string): string | undefined {
  let start = 0;
  while (start < run.length && !isWordChar(run.charCodeAt(start))) start++;
  for (let dot = run.length - 4; dot > start; dot--) {
    if (run.charCodeAt(dot) !== 0x2e) continue;
    if (dot + 4 < run.length && isWordChar(run.charCodeAt(dot + 4))) continue;
    if (FILE_EXTENSIONS.has(run.slice(dot + 1, dot + 4).toLowerCase())) return run.slice(start, dot + 4);
  }
  return undefined;
}
