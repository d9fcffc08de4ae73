// Starter data written by us: the 2003 Windows DCOM RPC story (MS03-026 / CVE-2003-0352 and MS03-039 /
// CVE-2003-0528, -0605, -0715) from bulletin to Blaster, every fact with the public source it rests on.

import type { VulnFragment } from '../../model/kb-records.js';
import { nvdCvss } from './nvd-cvss.js';

const MS03_026 = 'https://learn.microsoft.com/en-us/security-updates/securitybulletins/2003/ms03-026';
const MS03_039 = 'https://learn.microsoft.com/en-us/security-updates/securitybulletins/2003/ms03-039';
const DHS_0724 = 'http://www.iwar.org.uk/infocon/advisories/2003/Potential72403.htm';
const CERT_VU = 'https://www.kb.cert.org/vuls/id/568148';
const CA_2003_16 = 'https://www.cert.org/historical/advisories/CA-2003-16.cfm';
const CA_2003_19 = 'https://www.cert.org/historical/advisories/CA-2003-19.cfm';
const CA_2003_20 = 'https://www.cert.org/historical/advisories/CA-2003-20.cfm';
const MS_WHITEPAPER = 'https://learn.microsoft.com/en-us/previous-versions/tn-archive/dd632946(v=technet.10)';

/** Windows versions the 2003 RPC flaws affect (bulletins' "Affected Software"), as CPE 2.3 criteria. */
const WINDOWS_2003_ERA = [
  'cpe:2.3:o:microsoft:windows_nt:4.0:*:*:*:*:*:*:*',
  'cpe:2.3:o:microsoft:windows_2000:*:*:*:*:*:*:*:*',
  'cpe:2.3:o:microsoft:windows_xp:*:*:*:*:*:*:*:*',
  'cpe:2.3:o:microsoft:windows_server_2003:*:*:*:*:*:*:*:*',
];

const windowsConfig: VulnFragment['configurations'] = [
  { nodes: [{ operator: 'OR', cpeMatch: WINDOWS_2003_ERA.map((criteria) => ({ vulnerable: true, criteria })) }] },
];

const windowsAffected = (fixedBy: string): VulnFragment['affected'] => [
  {
    vendor: 'Microsoft', product: 'Windows', defaultStatus: 'unaffected', cpes: WINDOWS_2003_ERA,
    versions: ['NT 4.0', 'NT 4.0 Terminal Server Edition', '2000', 'XP', 'Server 2003'].map((version) => ({ version, status: 'affected' as const })),
    platforms: [`unpatched by ${fixedBy}`],
  },
];

/** RPC endpoints reachable by the flaws: the endpoint mapper (135), NetBIOS session (139), SMB (445), RPC over HTTP (593). */
const RPC_PORTS = [135, 139, 445, 593];

const blockPorts = (bulletin: string): NonNullable<VulnFragment['remedies']>[number] => ({
  category: 'workaround',
  details: 'Block TCP/UDP 135, 137, 138, 139, 445 and TCP 593 at the perimeter; disable DCOM where not needed.',
  url: bulletin,
});

export const DCOM_2003: Record<string, VulnFragment> = {
  'CVE-2003-0352': {
    aliases: ['MS03-026', 'VU#568148', 'CA-2003-16'],
    title: 'Buffer overrun in the Windows RPC DCOM interface (MS03-026), exploited by Blaster',
    published: '2003-07-16',
    cvss: nvdCvss('AV:N/AC:L/Au:N/C:P/I:P/A:P'),
    ports: RPC_PORTS,
    references: [MS03_026, CERT_VU, CA_2003_16, DHS_0724, CA_2003_19, CA_2003_20],
    remedies: [
      { category: 'vendor_fix', id: 'KB823980', url: MS03_026, details: 'Security patch 823980; superseded by 824146 (MS03-039) on 2003-09-10.' },
      { category: 'vendor_fix', id: 'KB824146', url: MS03_039, details: 'MS03-039 cumulative RPCSS patch, also fixes CVE-2003-0352.' },
      blockPorts(MS03_026),
    ],
    affected: windowsAffected('KB823980 or KB824146'),
    configurations: windowsConfig,
    exploitation: 'active',
    timeline: [
      { kind: 'disclosed', date: '2003-07-16', note: 'Microsoft Security Bulletin MS03-026 published', source: MS03_026 },
      { kind: 'patch_available', date: '2003-07-16', note: 'Security patch KB823980 released with the bulletin', source: MS03_026 },
      { kind: 'advisory', date: '2003-07-17', note: 'CERT/CC advisory CA-2003-16 (VU#568148)', source: CA_2003_16 },
      { kind: 'advisory', date: '2003-07-24', note: 'DHS/NCSD advisory: exploits expected, potential for a worm like Code Red or Slammer', source: DHS_0724 },
      { kind: 'exploit_public', date: '2003-07-25', note: 'Working exploit code published (xfocus); dcom.c variants followed on 2003-07-26', source: CA_2003_19 },
      { kind: 'exploitation_observed', date: '2003-07-31', note: 'CERT/CC CA-2003-19: active exploitation and increased scanning of 135/tcp', source: CA_2003_19 },
      { kind: 'worm', date: '2003-08-11', note: 'W32/Blaster worm (msblast.exe) spreads via 135/tcp, TFTP 69/udp, shell on 4444/tcp', source: CA_2003_20 },
      { kind: 'patch_available', date: '2003-09-10', note: 'MS03-039 (KB824146) supersedes the MS03-026 patch', source: MS_WHITEPAPER },
    ],
  },
  'CVE-2003-0528': {
    aliases: ['MS03-039'],
    title: 'Heap overflow in the Windows RPCSS service DCOM activation (MS03-039)',
    published: '2003-09-10',
    cvss: nvdCvss('AV:N/AC:L/Au:N/C:C/I:C/A:C'),
    ports: RPC_PORTS,
    references: [MS03_039, MS_WHITEPAPER],
    remedies: [{ category: 'vendor_fix', id: 'KB824146', url: MS03_039 }, blockPorts(MS03_039)],
    affected: windowsAffected('KB824146'),
    configurations: windowsConfig,
    timeline: [
      { kind: 'disclosed', date: '2003-09-10', note: 'Microsoft Security Bulletin MS03-039 published', source: MS03_039 },
      { kind: 'patch_available', date: '2003-09-10', note: 'Security patch KB824146', source: MS03_039 },
    ],
  },
  'CVE-2003-0605': {
    aliases: ['MS03-039'],
    title: 'Denial of service in the Windows RPC DCOM interface (MS03-039)',
    published: '2003-09-10',
    cvss: nvdCvss('AV:N/AC:L/Au:N/C:P/I:P/A:P'),
    ports: RPC_PORTS,
    references: [MS03_039],
    remedies: [{ category: 'vendor_fix', id: 'KB824146', url: MS03_039 }, blockPorts(MS03_039)],
    affected: windowsAffected('KB824146'),
    configurations: windowsConfig,
    timeline: [{ kind: 'disclosed', date: '2003-09-10', note: 'Fixed in MS03-039', source: MS03_039 }],
  },
  'CVE-2003-0715': {
    aliases: ['MS03-039'],
    title: 'Heap overflow in DCOM activation request handling (MS03-039)',
    published: '2003-09-10',
    cvss: nvdCvss('AV:N/AC:L/Au:N/C:C/I:C/A:C'),
    ports: RPC_PORTS,
    references: [MS03_039],
    remedies: [{ category: 'vendor_fix', id: 'KB824146', url: MS03_039 }, blockPorts(MS03_039)],
    affected: windowsAffected('KB824146'),
    configurations: windowsConfig,
    timeline: [
      { kind: 'disclosed', date: '2003-09-10', note: 'Microsoft Security Bulletin MS03-039 published', source: MS03_039 },
      { kind: 'patch_available', date: '2003-09-10', note: 'Security patch KB824146', source: MS03_039 },
    ],
  },
};
