// Starter data written by us: the other worm-era and modern network cases of the corpus (Code Red,
// Slammer, Sasser, Conficker, EternalBlue/WannaCry, BlueKeep, Log4Shell), each fact with its source URL.

import type { VulnFragment } from '../../model/kb-records.js';
import { nvdCvss } from './nvd-cvss.js';

const bulletin = (year: number, id: string): string => `https://learn.microsoft.com/en-us/security-updates/securitybulletins/${year}/${id.toLowerCase()}`;
const cert = (id: string): string => `https://www.cert.org/historical/advisories/${id}.cfm`;
const msrc = (cve: string): string => `https://msrc.microsoft.com/update-guide/vulnerability/${cve}`;
const LOG4J = 'https://logging.apache.org/log4j/2.x/security.html';

const os = (...names: string[]): string[] => names.map((n) => `cpe:2.3:o:microsoft:${n}:*:*:*:*:*:*:*:*`);
const config = (cpes: string[]): VulnFragment['configurations'] => [{ nodes: [{ operator: 'OR', cpeMatch: cpes.map((criteria) => ({ vulnerable: true, criteria })) }] }];

export const WORM_CASES: Record<string, VulnFragment> = {
  'CVE-2001-0500': {
    aliases: ['MS01-033'],
    title: 'Buffer overflow in the IIS Index Server ISAPI extension idq.dll (MS01-033), exploited by Code Red',
    published: '2001-06-18',
    cvss: nvdCvss('AV:N/AC:L/Au:N/C:C/I:C/A:C'),
    ports: [80],
    references: [bulletin(2001, 'MS01-033'), cert('CA-2001-13'), cert('CA-2001-19')],
    remedies: [{ category: 'vendor_fix', id: 'MS01-033', url: bulletin(2001, 'MS01-033') }],
    configurations: config(['cpe:2.3:a:microsoft:internet_information_server:4.0:*:*:*:*:*:*:*', 'cpe:2.3:a:microsoft:internet_information_server:5.0:*:*:*:*:*:*:*']),
    exploitation: 'active',
    timeline: [
      { kind: 'disclosed', date: '2001-06-18', note: 'MS01-033 published with patch', source: bulletin(2001, 'MS01-033') },
      { kind: 'patch_available', date: '2001-06-18', source: bulletin(2001, 'MS01-033') },
      { kind: 'worm', date: '2001-07-19', note: 'Code Red worm spreads via HTTP GET /default.ida on 80/tcp', source: cert('CA-2001-19') },
    ],
  },
  'CVE-2002-0649': {
    aliases: ['MS02-039'],
    title: 'Buffer overflows in the SQL Server 2000 Resolution Service (MS02-039), exploited by Slammer',
    published: '2002-07-24',
    cvss: nvdCvss('AV:N/AC:L/Au:N/C:P/I:P/A:P'),
    ports: [1434],
    references: [bulletin(2002, 'MS02-039'), cert('CA-2003-04')],
    remedies: [
      { category: 'vendor_fix', id: 'MS02-039', url: bulletin(2002, 'MS02-039') },
      { category: 'workaround', details: 'Block UDP 1434 at the perimeter.', url: cert('CA-2003-04') },
    ],
    configurations: config(['cpe:2.3:a:microsoft:sql_server:2000:*:*:*:*:*:*:*', 'cpe:2.3:a:microsoft:data_engine:2000:*:*:*:*:*:*:*']),
    exploitation: 'active',
    timeline: [
      { kind: 'disclosed', date: '2002-07-24', note: 'MS02-039 published with patch', source: bulletin(2002, 'MS02-039') },
      { kind: 'worm', date: '2003-01-25', note: 'SQL Slammer/Sapphire: one 376-byte UDP datagram to 1434/udp', source: cert('CA-2003-04') },
    ],
  },
  'CVE-2003-0533': {
    aliases: ['MS04-011'],
    title: 'Buffer overflow in the Windows LSASS service (MS04-011), exploited by Sasser',
    description: 'Detected by decoding: dssetup DsRolerUpgradeDownlevelServer with an argument longer than detect.exploit.maxDsRoleStringChars raises exploit rule ms04_011_lsass_dsrole (src/detect/worm-call-rules.ts).',
    published: '2004-04-13',
    cvss: nvdCvss('AV:N/AC:L/Au:N/C:P/I:P/A:P'),
    ports: [139, 445],
    references: [bulletin(2004, 'MS04-011')],
    remedies: [{ category: 'vendor_fix', id: 'KB835732', url: bulletin(2004, 'MS04-011') }],
    configurations: config(os('windows_2000', 'windows_xp', 'windows_server_2003')),
    exploitation: 'active',
    timeline: [
      { kind: 'disclosed', date: '2004-04-13', note: 'MS04-011 published with patch KB835732', source: bulletin(2004, 'MS04-011') },
      { kind: 'worm', date: '2004-05-01', note: 'Sasser worm spreads via 445/tcp (first reports 30 April - 1 May 2004)', source: bulletin(2004, 'MS04-011') },
    ],
  },
  'CVE-2008-4250': {
    aliases: ['MS08-067'],
    title: 'Windows Server service RPC request handling (NetprPathCanonicalize) overflow (MS08-067), exploited by Conficker',
    description: 'Detected by decoding: srvsvc NetprPathCanonicalize / NetprPathCompare with a path that climbs above its root raises exploit rule ms08_067_path_canonicalize (src/detect/worm-call-rules.ts).',
    published: '2008-10-23',
    cvss: nvdCvss('AV:N/AC:L/Au:N/C:C/I:C/A:C'),
    ports: [139, 445],
    references: [bulletin(2008, 'MS08-067')],
    remedies: [{ category: 'vendor_fix', id: 'KB958644', url: bulletin(2008, 'MS08-067'), details: 'Out-of-band update' }],
    configurations: config(os('windows_2000', 'windows_xp', 'windows_server_2003', 'windows_vista', 'windows_server_2008')),
    exploitation: 'active',
    timeline: [
      { kind: 'disclosed', date: '2008-10-23', note: 'MS08-067 out-of-band bulletin with patch KB958644', source: bulletin(2008, 'MS08-067') },
      { kind: 'worm', date: '2008-11-21', note: 'Conficker.A spreads via the Server service on 445/tcp', source: bulletin(2008, 'MS08-067') },
    ],
  },
  'CVE-2017-0144': {
    aliases: ['MS17-010', 'EternalBlue'],
    title: 'Windows SMBv1 server remote code execution (MS17-010, EternalBlue), exploited by WannaCry',
    description: 'Detected by decoding SMBv1 transactions: FEA list size mismatch (ms17_010_fea_list), a secondary of another kind than its primary (ms17_010_transaction_confusion), the DoublePulsar Trans2 SESSION_SETUP probe (ms17_010_doublepulsar_probe); src/detect/worm-call-rules.ts.',
    published: '2017-03-14',
    cvss: nvdCvss('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 'AV:N/AC:M/Au:N/C:C/I:C/A:C'),
    ports: [139, 445],
    references: [bulletin(2017, 'MS17-010'), msrc('CVE-2017-0144')],
    remedies: [
      { category: 'vendor_fix', id: 'KB4013389', url: bulletin(2017, 'MS17-010') },
      { category: 'mitigation', details: 'Disable SMBv1; block 445/tcp at the perimeter.', url: bulletin(2017, 'MS17-010') },
    ],
    exploitation: 'active',
    timeline: [
      { kind: 'disclosed', date: '2017-03-14', note: 'MS17-010 published with patches', source: bulletin(2017, 'MS17-010') },
      { kind: 'exploit_public', date: '2017-04-14', note: 'EternalBlue exploit leaked publicly (Shadow Brokers)', source: msrc('CVE-2017-0144') },
      { kind: 'worm', date: '2017-05-12', note: 'WannaCry ransomware worm spreads via SMBv1 on 445/tcp', source: msrc('CVE-2017-0144') },
    ],
  },
  'CVE-2020-1472': {
    aliases: ['Zerologon'],
    title: 'Netlogon elevation of privilege (Zerologon): an all-zero ClientCredential authenticates for 1 in 256 session keys',
    description: 'Detected by decoding: NetrServerAuthenticate/2/3 with an all-zero client credential raises exploit rule zerologon_zero_credential (src/detect/worm-call-rules.ts), over TCP or the \\netlogon pipe.',
    published: '2020-08-11',
    cvss: nvdCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 'AV:N/AC:M/Au:N/C:C/I:C/A:C'),
    ports: [135, 139, 445],
    references: [msrc('CVE-2020-1472'), 'https://www.secura.com/uploads/whitepapers/Zerologon.pdf'],
    remedies: [{ category: 'vendor_fix', url: msrc('CVE-2020-1472'), details: 'August 2020 updates; enforcement of secure RPC for Netlogon from February 2021' }],
    configurations: config(os('windows_server_2008', 'windows_server_2012', 'windows_server_2016', 'windows_server_2019')),
    exploitation: 'active',
    timeline: [
      { kind: 'disclosed', date: '2020-08-11', note: 'Security update published', source: msrc('CVE-2020-1472') },
      { kind: 'exploit_public', date: '2020-09-11', note: 'Secura whitepaper and public exploit code', source: 'https://www.secura.com/uploads/whitepapers/Zerologon.pdf' },
    ],
  },
  'CVE-2019-0708': {
    aliases: ['BlueKeep'],
    title: 'Remote Desktop Services pre-authentication remote code execution (BlueKeep)',
    published: '2019-05-14',
    cvss: nvdCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV:N/AC:L/Au:N/C:C/I:C/A:C'),
    ports: [3389],
    references: [msrc('CVE-2019-0708')],
    remedies: [
      { category: 'vendor_fix', url: msrc('CVE-2019-0708'), details: 'May 2019 security updates, also for out-of-support Windows XP and Server 2003' },
      { category: 'mitigation', details: 'Enable Network Level Authentication; block 3389/tcp at the perimeter.', url: msrc('CVE-2019-0708') },
    ],
    timeline: [{ kind: 'disclosed', date: '2019-05-14', note: 'Security update published', source: msrc('CVE-2019-0708') }],
  },
  'CVE-2021-44228': {
    aliases: ['Log4Shell'],
    title: 'Apache Log4j2 JNDI lookup remote code execution (Log4Shell)',
    published: '2021-12-10',
    cvss: nvdCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 'AV:N/AC:M/Au:N/C:C/I:C/A:C'),
    references: [LOG4J],
    remedies: [{ category: 'vendor_fix', id: 'log4j-2.17.1', url: LOG4J, details: 'Upgrade Log4j 2 (2.15.0 first fix; 2.17.1 for the follow-up CVEs)' }],
    exploitation: 'active',
    timeline: [{ kind: 'disclosed', date: '2021-12-10', note: 'Apache security advisory and Log4j 2.15.0', source: LOG4J }],
  },
};
