// CVSS base scores from vector strings for v2.0, v3.0, v3.1 and v4.0, computed by ae-cvss-calculator.
// Vectors are validated first against the metric tables of the FIRST specifications (v2 guide section 2.4,
// v3.1 spec section 6, v4.0 spec section 7) because the calculator silently accepts invalid ones.

import * as aeCvss from 'ae-cvss-calculator';
import type { CvssScore } from '../model/vulnerability.js';
import { err, ok, type Result } from '../core/result.js';

type Version = CvssScore['version'];
type MetricTable = Readonly<Record<string, readonly string[]>>;

const V2_BASE: MetricTable = { AV: ['L', 'A', 'N'], AC: ['H', 'M', 'L'], Au: ['M', 'S', 'N'], C: ['N', 'P', 'C'], I: ['N', 'P', 'C'], A: ['N', 'P', 'C'] };
const V2_MORE: MetricTable = {
  E: ['U', 'POC', 'F', 'H', 'ND'], RL: ['OF', 'TF', 'W', 'U', 'ND'], RC: ['UC', 'UR', 'C', 'ND'],
  CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'], TD: ['N', 'L', 'M', 'H', 'ND'], CR: ['L', 'M', 'H', 'ND'], IR: ['L', 'M', 'H', 'ND'], AR: ['L', 'M', 'H', 'ND'],
};
const V3_BASE: MetricTable = {
  AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], PR: ['N', 'L', 'H'], UI: ['N', 'R'], S: ['U', 'C'], C: ['H', 'L', 'N'], I: ['H', 'L', 'N'], A: ['H', 'L', 'N'],
};
const X = (...v: string[]): string[] => ['X', ...v];
const V3_MORE: MetricTable = {
  E: X('U', 'P', 'F', 'H'), RL: X('O', 'T', 'W', 'U'), RC: X('U', 'R', 'C'), CR: X('L', 'M', 'H'), IR: X('L', 'M', 'H'), AR: X('L', 'M', 'H'),
  MAV: X('N', 'A', 'L', 'P'), MAC: X('L', 'H'), MPR: X('N', 'L', 'H'), MUI: X('N', 'R'), MS: X('U', 'C'), MC: X('N', 'L', 'H'), MI: X('N', 'L', 'H'), MA: X('N', 'L', 'H'),
};
const V4_BASE: MetricTable = {
  AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], AT: ['N', 'P'], PR: ['N', 'L', 'H'], UI: ['N', 'P', 'A'],
  VC: ['H', 'L', 'N'], VI: ['H', 'L', 'N'], VA: ['H', 'L', 'N'], SC: ['H', 'L', 'N'], SI: ['H', 'L', 'N'], SA: ['H', 'L', 'N'],
};
const V4_MORE: MetricTable = {
  E: X('A', 'P', 'U'), CR: X('H', 'M', 'L'), IR: X('H', 'M', 'L'), AR: X('H', 'M', 'L'),
  MAV: X('N', 'A', 'L', 'P'), MAC: X('L', 'H'), MAT: X('N', 'P'), MPR: X('N', 'L', 'H'), MUI: X('N', 'P', 'A'),
  MVC: X('H', 'L', 'N'), MVI: X('H', 'L', 'N'), MVA: X('H', 'L', 'N'), MSC: X('H', 'L', 'N'), MSI: X('S', 'H', 'L', 'N'), MSA: X('S', 'H', 'L', 'N'),
  S: X('N', 'P'), AU: X('N', 'Y'), R: X('A', 'U', 'I'), V: X('D', 'C'), RE: X('L', 'M', 'H'), U: X('Clear', 'Green', 'Amber', 'Red'),
};

const TABLES: Record<Version, { base: MetricTable; more: MetricTable; prefix?: string }> = {
  '2.0': { base: V2_BASE, more: V2_MORE },
  '3.0': { base: V3_BASE, more: V3_MORE, prefix: 'CVSS:3.0' },
  '3.1': { base: V3_BASE, more: V3_MORE, prefix: 'CVSS:3.1' },
  '4.0': { base: V4_BASE, more: V4_MORE, prefix: 'CVSS:4.0' },
};

/** The version a vector declares ("CVSS:3.1/..."); a vector with no prefix is v2. */
export function vectorVersion(vector: string): Version | undefined {
  const m = /^CVSS:(\d\.\d)\//.exec(vector);
  if (!m) return /^\(?AV:/.test(vector) ? '2.0' : undefined;
  return (['3.0', '3.1', '4.0'] as const).find((v) => v === m[1]);
}

/** Checks a vector against its version's metric table: known metrics, allowed values, no
 * duplicates, every base metric present. Returns the reason on failure. */
export function validateVector(vector: string): Result<Version, string> {
  const version = vectorVersion(vector);
  if (!version) return err(`unknown CVSS version in "${vector}"`);
  const t = TABLES[version];
  const body = version === '2.0' ? vector.replace(/^\((.*)\)$/, '$1') : vector.slice((t.prefix as string).length + 1);
  const seen = new Set<string>();
  for (const part of body.split('/')) {
    const [k, v, extra] = part.split(':');
    if (v === undefined || extra !== undefined) return err(`malformed metric "${part}" in "${vector}"`);
    const allowed = t.base[k] ?? t.more[k];
    if (!allowed) return err(`unknown metric "${k}" for CVSS ${version} in "${vector}"`);
    if (!allowed.includes(v)) return err(`metric ${k} has value "${v}", expected one of ${allowed.join(', ')}`);
    if (seen.has(k)) return err(`metric ${k} appears twice in "${vector}"`);
    seen.add(k);
  }
  const missing = Object.keys(t.base).filter((k) => !seen.has(k));
  if (missing.length) return err(`base metric(s) ${missing.join(', ')} missing in "${vector}"`);
  return ok(version);
}

/** Qualitative severity: v3.x/v4.0 scale (spec table 14) or the v2 NVD scale. */
export function severityOf(version: Version, score: number): string {
  if (version === '2.0') return score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
  if (score === 0) return 'NONE';
  return score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
}

interface CalcInstance { calculateScores(): { base?: number; overall?: number } }
type CalcClass = new (vector: string) => CalcInstance;
// The package is CommonJS with a webpack default export: under Node's ESM loader the classes are on
// `default`, under a bundler or tsx they may be on the namespace itself.
const lib = ((aeCvss as unknown as { default?: unknown }).default ?? aeCvss) as Record<string, CalcClass>;
const CALCULATORS: Record<Version, CalcClass> = { '2.0': lib.Cvss2, '3.0': lib.Cvss3P0, '3.1': lib.Cvss3P1, '4.0': lib.Cvss4P0 };

// Vectors repeat across records (a few hundred distinct ones cover most of NVD), so results are memoised.
const memo = new Map<string, Result<CvssScore, string>>();
const MEMO_LIMIT = 10_000;

/** Validates and scores a vector. */
export function scoreVector(vector: string, source?: string): Result<CvssScore, string> {
  let r = memo.get(vector);
  if (!r) {
    r = scoreUncached(vector);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(vector, r);
  }
  if (!r.ok || source === undefined) return r;
  return ok({ ...r.value, source });
}

function scoreUncached(vector: string): Result<CvssScore, string> {
  const v = validateVector(vector.trim());
  if (!v.ok) return v;
  const version = v.value;
  const scores = new CALCULATORS[version](vector.trim().replace(/^\((.*)\)$/, '$1')).calculateScores();
  const base = scores.base ?? scores.overall;
  if (typeof base !== 'number' || !Number.isFinite(base)) return err(`calculator produced no base score for "${vector}"`);
  return ok({ version, vector: vector.trim(), baseScore: base, severity: severityOf(version, base) });
}
