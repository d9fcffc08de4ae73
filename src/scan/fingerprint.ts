// OS family and version from what the probes saw, with a confidence and the evidence, in the manner
// of nmap's service/OS matches: each observation adds what it proves, and the confidence is that of
// the strongest one. COM versions per MS-DCOM 1.7 and 2.2.11 (5.1 NT 4.0 SP3+, 5.6 Windows 2000 and
// XP before SP2, 5.7 XP SP2 and Server 2003 and later).

import type { CheckObservation, OsFingerprint, PortObservation } from '../model/scan.js';

export interface FingerprintInput {
  readonly ports: readonly PortObservation[];
  readonly endpointCount?: number;
  readonly interfaceCount?: number;
  readonly comVersion?: { major: number; minor: number };
  readonly checks?: readonly CheckObservation[];
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
  if (confidence === 0) return undefined;
  return { family: 'Windows', ...(version ? { version } : {}), confidence, evidence };
}
