// Exploit rules for the worms after Blaster, read from decoded calls and SMB anomalies (never from
// bytes): MS04-011 / Sasser (eEye AD20040413C), MS08-067 / Conficker (Microsoft SRD "MS08-067 and
// the SDL"; the canonicalization underflow), MS17-010 / EternalBlue (Check Point and RiskSense
// write-ups: NT Transact FEA list continued by Trans2 secondaries; Countercept's DoublePulsar
// Trans2 SESSION_SETUP ping) and CVE-2020-1472 Zerologon (Secura whitepaper, Tervoort 2020).

import type { Severity } from '../model/anomaly.js';
import type { CallRecord } from '../model/call.js';

export const CVE_MS04_011 = ['CVE-2003-0533'] as const;
export const CVE_MS08_067 = ['CVE-2008-4250'] as const;
export const CVE_MS17_010 = ['CVE-2017-0143', 'CVE-2017-0144', 'CVE-2017-0145', 'CVE-2017-0146', 'CVE-2017-0148'] as const;
export const CVE_ZEROLOGON = ['CVE-2020-1472'] as const;

export const WORM_LIMITS = {
  maxDsRoleStringChars: { default: 256, min: 16, max: 65_535, unit: 'chars', doc: 'longest string a DsRolerUpgradeDownlevelServer argument may carry (DNS names end at 255; Sasser sent thousands)' },
} as const;

export interface RuleHit {
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  readonly cves: readonly string[];
  readonly evidence: Record<string, unknown>;
}

/** The rule a decoded call breaks, if any. */
export function wormCallRule(call: CallRecord, limits: { maxDsRoleStringChars: number }): RuleHit | undefined {
  const a = call.args;
  if (a === undefined) return undefined;
  switch (a['method']) {
    case 'NetprPathCanonicalize':
    case 'NetprPathCompare':
      if (typeof a['underflow'] !== 'number' || a['underflow'] <= 0) return undefined;
      return {
        rule: 'ms08_067_path_canonicalize',
        severity: 'critical',
        title: `MS08-067 Server service overflow attempt: ${a['method']} path climbs ${a['underflow']} level(s) above its root`,
        cves: CVE_MS08_067,
        evidence: { method: a['method'], underflow: a['underflow'], pathLength: a['pathLength'], pathPrefix: printable(String(a['path'] ?? '').slice(0, 48)), transport: call.transport, pipe: call.pipe },
      };
    case 'DsRolerUpgradeDownlevelServer': {
      const longest = Number(a['longestString'] ?? 0);
      if (longest <= limits.maxDsRoleStringChars) return undefined;
      return {
        rule: 'ms04_011_lsass_dsrole',
        severity: 'critical',
        title: `MS04-011 LSASS overflow attempt: DsRolerUpgradeDownlevelServer with a ${longest}-character argument`,
        cves: CVE_MS04_011,
        evidence: { method: a['method'], longestString: longest, limit: limits.maxDsRoleStringChars, strings: a['strings'], transport: call.transport, pipe: call.pipe },
      };
    }
    case 'NetrServerAuthenticate':
    case 'NetrServerAuthenticate2':
    case 'NetrServerAuthenticate3':
      if (a['clientCredentialZero'] !== true) return undefined;
      return {
        rule: 'zerologon_zero_credential',
        severity: 'critical',
        title: `Zerologon (CVE-2020-1472) attempt: ${a['method']} for ${printable(String(a['computerName'] ?? '?'))} with an all-zero client credential`,
        cves: CVE_ZEROLOGON,
        evidence: { method: a['method'], accountName: a['accountName'], computerName: a['computerName'], secureChannelType: a['secureChannelType'], negotiateFlags: a['negotiateFlags'] },
      };
    default:
      return undefined;
  }
}

/** SMB1 anomalies that are MS17-010 exploitation (or its implant's check), not just oddities. */
const SMB_RULES: Readonly<Record<string, { rule: string; title: string }>> = {
  smb1_ea_list_size_mismatch: { rule: 'ms17_010_fea_list', title: 'MS17-010 EternalBlue attempt: SMBv1 FEA list whose declared size disagrees with its entries' },
  transaction_secondary_without_primary: { rule: 'ms17_010_transaction_confusion', title: 'MS17-010 attempt: SMBv1 transaction secondary that does not continue its primary' },
  trans2_session_setup: { rule: 'ms17_010_doublepulsar_probe', title: 'DoublePulsar implant probe (MS17-010 follow-up): SMBv1 Trans2 SESSION_SETUP' },
};

export function smbAnomalyRule(proto: string, name: string, detail: string | undefined): RuleHit | undefined {
  if (proto !== 'smb') return undefined;
  const r = SMB_RULES[name];
  if (r === undefined) return undefined;
  // a secondary with no primary at all is a lost packet; one of another kind is the exploit's shape
  if (name === 'transaction_secondary_without_primary' && !(detail ?? '').includes('continues a')) return undefined;
  return { rule: r.rule, severity: 'critical', title: r.title, cves: CVE_MS17_010, evidence: { anomaly: name, detail } };
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
