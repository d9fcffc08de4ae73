// OS family and version from what the probes saw, with a confidence and the evidence, in the manner
// of nmap's service/OS matches: each observation adds what it proves, and the confidence is that of
// the strongest one. COM versions per MS-DCOM 1.7 and 2.2.11 (5.1 NT 4.0 SP3+, 5.6 Windows 2000 and
// XP before SP2, 5.7 XP SP2 and Server 2003 and later). From SMB: the SMB1 NativeOS string (what
// nmap's smb-os-discovery prints), the NTLMSSP VERSION (MS-NLMP 2.2.2.10: the NT version and build,
// what nmap's smb2 and ntlm-info scripts read), and Samba's "Samba x.y.z" NativeLanMan.

import type { CheckObservation, OsFingerprint, PortObservation, SmbObservation } from '../model/scan.js';

export interface FingerprintInput {
  readonly ports: readonly PortObservation[];
  readonly endpointCount?: number;
  readonly interfaceCount?: number;
  readonly comVersion?: { major: number; minor: number };
  readonly checks?: readonly CheckObservation[];
  readonly smb?: SmbObservation;
}

/** NT versions whose build names one product (the 2003-era systems); later ones are shared by a
 * client and a server release (6.1.7601: Windows 7 and Server 2008 R2), and keep the NT form. */
const NT_PRODUCTS: Readonly<Record<string, string>> = {
  '4.0': 'Windows NT 4.0',
  '5.0': 'Windows 2000',
  '5.1': 'Windows XP',
  '5.2': 'Windows Server 2003',
};
const NT_CANDIDATES: Readonly<Record<string, string>> = {
  '6.0': 'Vista or Server 2008',
  '6.1': '7 or Server 2008 R2',
  '6.2': '8 or Server 2012',
  '6.3': '8.1 or Server 2012 R2',
  '10.0': '10, 11 or Server 2016 and later',
};

interface Guess {
  readonly family: string;
  readonly version?: string;
  readonly confidence: number;
}

/** What the SMB probe's strings and NTLMSSP version say, with evidence lines. */
function smbGuess(smb: SmbObservation, evidence: string[]): Guess | undefined {
  let best: Guess | undefined;
  const take = (g: Guess): void => void ((!best || g.confidence > best.confidence) && (best = g));
  evidence.push(`SMB on ${smb.port}: dialects ${smb.dialects.join(', ') || 'none'}; signing ${smb.signing.required ? 'required' : smb.signing.enabled ? 'enabled, not required' : 'disabled'}`);
  const lanman = smb.nativeLanMan ?? '';
  if (/samba/i.test(lanman) || /samba/i.test(smb.nativeOs ?? '')) {
    evidence.push(`SMB1 NativeOS ${JSON.stringify(smb.nativeOs ?? '')}, NativeLanMan ${JSON.stringify(lanman)}: Samba`);
    take({ family: 'Unix', version: /samba/i.test(lanman) ? lanman : smb.nativeOs!, confidence: 0.9 });
  } else if (smb.nativeOs && /^windows/i.test(smb.nativeOs)) {
    const nt = /^Windows (\d+\.\d+)$/i.exec(smb.nativeOs);
    const product = nt ? NT_PRODUCTS[nt[1]] : smb.nativeOs;
    evidence.push(`SMB1 NativeOS ${JSON.stringify(smb.nativeOs)}${lanman ? `, NativeLanMan ${JSON.stringify(lanman)}` : ''}`);
    take({ family: 'Windows', ...(product ? { version: product } : {}), confidence: product ? 0.9 : 0.7 });
  }
  if (smb.ntlmVersion) {
    const [major, minor, build] = smb.ntlmVersion.split('.');
    const key = `${major}.${minor}`;
    if (build === '0') {
      // no Windows release has build 0; Samba announces a fixed 6.1.0
      evidence.push(`NTLMSSP version ${smb.ntlmVersion}: build 0 is no Windows build (Samba announces 6.1.0)`);
      take({ family: 'Unix', version: 'Samba', confidence: 0.6 });
    } else if (NT_PRODUCTS[key]) {
      evidence.push(`NTLMSSP version ${smb.ntlmVersion}: ${NT_PRODUCTS[key]}`);
      take({ family: 'Windows', version: NT_PRODUCTS[key], confidence: 0.85 });
    } else {
      const names = NT_CANDIDATES[key];
      evidence.push(`NTLMSSP version ${smb.ntlmVersion}${names ? `: Windows ${names}` : ''}`);
      take({ family: 'Windows', version: `Windows NT ${key} build ${build}`, confidence: names ? 0.8 : 0.6 });
    }
  }
  return best;
}

const COM_VERSIONS: Record<string, { version: string; confidence: number }> = {
  '5.1': { version: 'Windows NT 4.0', confidence: 0.7 },
  '5.2': { version: 'Windows NT 4.0', confidence: 0.6 },
  '5.3': { version: 'Windows NT 4.0', confidence: 0.6 },
  '5.4': { version: 'Windows NT 4.0', confidence: 0.6 },
  '5.5': { version: 'Windows 2000', confidence: 0.6 },
  '5.6': { version: 'Windows 2000 or XP (before SP2)', confidence: 0.75 },
  '5.7': { version: 'Windows XP SP2, Server 2003 or later', confidence: 0.75 },
};

export function fingerprint(f: FingerprintInput): OsFingerprint | undefined {
  const open = new Set(f.ports.filter((p) => p.state === 'open').map((p) => p.port));
  const evidence: string[] = [];
  let confidence = 0;
  let version: string | undefined;
  if (open.has(135) || open.has(593)) {
    confidence = 0.3;
    evidence.push(`RPC ports open: ${[135, 139, 445, 593].filter((p) => open.has(p)).join(', ')}`);
  } else if (open.has(139) || open.has(445)) {
    confidence = 0.2;
    evidence.push(`SMB ports open: ${[139, 445].filter((p) => open.has(p)).join(', ')}`);
  }
  if ((f.endpointCount ?? 0) > 0) {
    confidence = Math.max(confidence, 0.5);
    evidence.push(`endpoint mapper listed ${f.endpointCount} endpoints`);
  }
  if (f.comVersion) {
    const key = `${f.comVersion.major}.${f.comVersion.minor}`;
    const known = COM_VERSIONS[key];
    evidence.push(`ServerAlive2 COM version ${key} (DCOM object exporter answers: Windows)`);
    confidence = Math.max(confidence, known?.confidence ?? 0.6);
    version = known?.version;
  }
  const ms03 = f.checks?.find((c) => c.check === 'ms03-026');
  if (ms03?.verdict === 'vulnerable') {
    evidence.push('RemoteActivation answers as an RPCSS without KB823980: Windows NT 4.0, 2000, XP or Server 2003');
    confidence = Math.max(confidence, 0.8);
  }
  const smb = f.smb ? smbGuess(f.smb, evidence) : undefined;
  // SMB names the product when it can: its guess wins over the RPC one it is at least as sure of
  if (smb && smb.confidence >= confidence) return { family: smb.family, ...(smb.version ? { version: smb.version } : version ? { version } : {}), confidence: smb.confidence, evidence };
  if (confidence === 0) return undefined;
  return { family: 'Windows', ...(version ? { version } : {}), confidence, evidence };
}
