// A scanner's HostScanResult (src/model/scan.ts, the contract with src/scan) as asset facts and as
// check observations for findings: "vulnerable" and "patched" verdicts are direct evidence.

import type { HostScanResult } from '../model/scan.js';
import { ObservationBuilder, type AssetObservation } from './asset-observation.js';
import type { ImportLimits } from './exposure-limits.js';
import type { Observation } from './finding-engine.js';
import { windowsCpe } from './os-cpe.js';

export interface ScanObservation {
  readonly asset: AssetObservation;
  /** CVE id -> what the scan's checks say. A CVE checked over several transports (135 and the
   * \PIPE\epmapper pipe) takes the decisive answer: "vulnerable" over "patched" over "unknown"
   * (one RPCSS answers both, so they agree; a refused pipe must not hide what 135 showed). */
  readonly checks: ReadonlyMap<string, Observation>;
}

const RANK: Readonly<Record<Observation['says'], number>> = { vulnerable: 2, fixed: 1, unknown: 0 };

export function scanObservation(r: HostScanResult, limits: ImportLimits, origin = 'scan'): ScanObservation | undefined {
  const where = `scan result for ${r.address}`;
  const b = new ObservationBuilder(limits, 'scan');
  b.add('address', r.address, where);
  for (const a of r.addresses ?? []) b.add('address', a, where, { from: 'ServerAlive2' });
  for (const n of [r.hostname, r.netbiosName, r.dnsName]) b.add('name', n, where);
  if (r.domain !== undefined) b.add('tag', `domain:${r.domain}`, where);
  // A scan reports the ports it probed; those it did not list open are not open now.
  b.completeKind('service');
  for (const p of r.ports) if (p.state === 'open') b.add('service', `${p.proto}/${p.port}`, where, p.service ? { name: p.service } : undefined);
  if (r.os) {
    b.add('os', r.os.version ?? r.os.family, where, { confidence: r.os.confidence, evidence: r.os.evidence.join('; ') });
    b.add('cpe', r.os.cpe ?? windowsCpe(r.os.version ?? r.os.family), where, { from: 'fingerprint' });
  }
  const asset = b.build(r.scannedAt, origin);
  if (!asset) return undefined;
  const checks = new Map<string, Observation>();
  for (const c of r.checks ?? []) {
    const detail = `${c.check} on ${r.address}:${c.port}: ${c.verdict} (${c.reason})${c.evidenceHex ? ` evidence ${c.evidenceHex.slice(0, 512)}` : ''}`;
    const key = c.cve.toUpperCase();
    const says: Observation['says'] = c.verdict === 'vulnerable' ? 'vulnerable' : c.verdict === 'patched' ? 'fixed' : 'unknown';
    const had = checks.get(key);
    if (had && RANK[had.says] > RANK[says]) continue;
    checks.set(key, {
      at: r.scannedAt, kind: 'check', source: 'scan', strength: 'strong', detail,
      says,
    });
  }
  return { asset, checks };
}
