// Canned cmd.exe answers for the 4444 persona (dir, ver, whoami, ipconfig, exit), as text built
// from the persona configuration. Nothing is looked up, executed, fetched or connected.

import { createHash } from 'node:crypto';
import type { OsFlavour, PersonaConfig } from '../sensor-types.js';

interface OsText {
  readonly ver: string;
  readonly systemDir: string;
  /** File date of the system32 listing (the service pack's build date, as a fresh install shows). */
  readonly date: string;
  /** whoami.exe ships with Windows Server 2003 only (XP and 2000 have it in the Support Tools), so
   * the other flavours answer as their cmd.exe did: a persona that knows whoami is a tell too. */
  readonly whoami: boolean;
}

const OS_TEXT: Record<OsFlavour, OsText> = {
  'windows-nt4-sp6': { ver: 'Windows NT Version 4.0  ', systemDir: 'C:\\WINNT\\system32', date: '10/13/1996  01:38a', whoami: false },
  'windows-2000-sp4': { ver: 'Microsoft Windows 2000 [Version 5.00.2195]', systemDir: 'C:\\WINNT\\system32', date: '06/19/2003  12:05p', whoami: false },
  'windows-xp-sp1': { ver: 'Microsoft Windows XP [Version 5.1.2600]', systemDir: 'C:\\WINDOWS\\system32', date: '08/29/2002  07:00 AM', whoami: false },
  'windows-xp-sp2': { ver: 'Microsoft Windows XP [Version 5.1.2600]', systemDir: 'C:\\WINDOWS\\system32', date: '08/04/2004  07:00 AM', whoami: false },
  'windows-2003': { ver: 'Microsoft Windows [Version 5.2.3790]', systemDir: 'C:\\WINDOWS\\system32', date: '03/25/2003  07:00 AM', whoami: true },
  'windows-7-sp1': { ver: 'Microsoft Windows [Version 6.1.7601]', systemDir: 'C:\\Windows\\system32', date: '11/20/2010  10:24 PM', whoami: true },
};

const FILES: readonly [string, number][] = [
  ['cmd.exe', 388_608], ['ftp.exe', 42_496], ['ipconfig.exe', 48_128], ['net.exe', 42_496],
  ['netstat.exe', 33_280], ['notepad.exe', 66_048], ['ping.exe', 15_360], ['tftp.exe', 14_848],
];

const group = (n: number): string => n.toLocaleString('en-US');

function notRecognized(cmd: string): string {
  return `\r\n'${cmd}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`;
}

function dir(os: OsText, hostname: string): string {
  // A serial per host name: stable across restarts, different between deployments.
  const h = createHash('sha256').update(hostname).digest('hex').toUpperCase();
  const rows = FILES.map(([name, size]) => `${os.date}    ${group(size).padStart(18)} ${name}`);
  const total = FILES.reduce((n, [, size]) => n + size, 0);
  return [
    '', ' Volume in drive C has no label.', ` Volume Serial Number is ${h.slice(0, 4)}-${h.slice(4, 8)}`, '',
    ` Directory of ${os.systemDir}`, '',
    `${os.date}    <DIR>          .`, `${os.date}    <DIR>          ..`, ...rows,
    `${String(FILES.length).padStart(16)} File(s) ${group(total).padStart(14)} bytes`,
    `${'2'.padStart(16)} Dir(s)  ${group(4_831_838_208).padStart(14)} bytes free`, '',
  ].join('\r\n');
}

function ipconfig(persona: PersonaConfig, localAddress: string): string {
  const configured = persona.addresses.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
  const ip = configured ?? localAddress.replace(/^::ffff:/i, '');
  const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? ip : '192.168.0.10';
  const gateway = v4.replace(/\.\d+$/, '.1');
  const suffix = persona.domain.toUpperCase() === 'WORKGROUP' ? '' : persona.domain.toLowerCase();
  return [
    '', 'Windows IP Configuration', '', '', 'Ethernet adapter Local Area Connection:', '',
    `        Connection-specific DNS Suffix  . : ${suffix}`,
    `        IP Address. . . . . . . . . . . . : ${v4}`,
    '        Subnet Mask . . . . . . . . . . . : 255.255.255.0',
    `        Default Gateway . . . . . . . . . : ${gateway}`, '',
  ].join('\r\n');
}

/**
 * What cmd.exe prints for one typed line, before its next prompt ('' for anything we do not
 * imitate, as if the command ran silently), or 'exit' when the shell should close. `line` is the
 * peer's line as latin1 text; it is only compared, never echoed, so no peer byte reaches the reply.
 */
export function shellAnswer(line: string, persona: PersonaConfig, localAddress: string): string | 'exit' {
  const word = /^\s*([A-Za-z.]+)(?=\s|$)/.exec(line)?.[1]?.toLowerCase().replace(/\.exe$/, '');
  const os = OS_TEXT[persona.os];
  switch (word) {
    case 'exit':
      return 'exit';
    case 'ver':
      return `\r\n${os.ver}\r\n`;
    case 'dir':
      return dir(os, persona.hostname);
    case 'whoami':
      return os.whoami ? '\r\nnt authority\\system\r\n' : notRecognized('whoami');
    case 'ipconfig':
      return ipconfig(persona, localAddress);
    case 'hostname':
      return `\r\n${persona.hostname}\r\n`;
    default:
      return '';
  }
}
