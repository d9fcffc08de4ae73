// What the persona's SMB server says about itself, per Windows flavour: dialects, NativeOS and
// NativeLanMan strings, the NTLMSSP VERSION and flags, buffer sizes (values as those systems send
// them: MS-CIFS 2.2.4.52.2, MS-SMB 2.2.4.5.2, MS-NLMP 2.2.2.10, and nmap smb-os-discovery output).
// MaxMpxCount, MaxBufferSize and the capabilities follow the SMBProgNeg matches of nmap's
// nmap-service-probes ("Microsoft Windows XP / 2000 / 2003 / 7 - 10 microsoft-ds"), so that -sV
// names the same Windows the persona claims.

import type { NtlmVersion } from '../../protocols/ntlm/ntlmssp.js';
import type { OsFlavour } from '../sensor-types.js';

export interface SmbPersonaFacts {
  /** Highest SMB2 dialect offered (0x0210 = SMB 2.1); undefined: SMB1 only (everything before Vista). */
  readonly smb2Dialect?: number;
  readonly nativeOs: string;
  readonly nativeLanMan: string;
  readonly version: NtlmVersion;
  /** MsvAvTimestamp in the challenge's target info: sent from Vista / 2008 on. */
  readonly avTimestamp: boolean;
  readonly maxBufferSize: number;
  readonly maxMpxCount: number;
  readonly capabilities: number;
}

/** Extended security, large read/write, NT find, status32, Unicode, ... and DFS (0x1000): servers. */
const SMB1_CAPS_SERVER = 0x8000f3fd;
/** The same without DFS: what workstations (XP) send. */
const SMB1_CAPS_XP = 0x8000e3fd;

const FACTS: Record<OsFlavour, SmbPersonaFacts> = {
  'windows-nt4-sp6': { nativeOs: 'Windows NT 4.0', nativeLanMan: 'NT LAN Manager 4.0', version: { major: 4, minor: 0, build: 1381, revision: 15 }, avTimestamp: false, maxBufferSize: 4356, maxMpxCount: 50, capabilities: 0x800043fd },
  'windows-2000-sp4': { nativeOs: 'Windows 5.0', nativeLanMan: 'Windows 2000 LAN Manager', version: { major: 5, minor: 0, build: 2195, revision: 15 }, avTimestamp: false, maxBufferSize: 16644, maxMpxCount: 50, capabilities: SMB1_CAPS_SERVER },
  'windows-xp-sp1': { nativeOs: 'Windows 5.1', nativeLanMan: 'Windows 2000 LAN Manager', version: { major: 5, minor: 1, build: 2600, revision: 15 }, avTimestamp: false, maxBufferSize: 4356, maxMpxCount: 10, capabilities: SMB1_CAPS_XP },
  'windows-xp-sp2': { nativeOs: 'Windows 5.1', nativeLanMan: 'Windows 2000 LAN Manager', version: { major: 5, minor: 1, build: 2600, revision: 15 }, avTimestamp: false, maxBufferSize: 4356, maxMpxCount: 10, capabilities: SMB1_CAPS_XP },
  'windows-2003': { nativeOs: 'Windows Server 2003 3790', nativeLanMan: 'Windows Server 2003 5.2', version: { major: 5, minor: 2, build: 3790, revision: 15 }, avTimestamp: false, maxBufferSize: 16644, maxMpxCount: 50, capabilities: SMB1_CAPS_SERVER | 0x00010000 /* CAP_LWIO */ },
  'windows-7-sp1': { smb2Dialect: 0x0210, nativeOs: 'Windows 7 Professional 7601 Service Pack 1', nativeLanMan: 'Windows 7 Professional 6.1', version: { major: 6, minor: 1, build: 7601, revision: 15 }, avTimestamp: true, maxBufferSize: 4356, maxMpxCount: 50, capabilities: 0x8001e3fc },
};

export function smbFacts(os: OsFlavour): SmbPersonaFacts {
  return FACTS[os];
}
