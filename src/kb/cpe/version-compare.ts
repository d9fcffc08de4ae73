// A tolerant version comparator for CPE version attributes and NVD version ranges: dotted numbers,
// letter suffixes (4.0 < 4.0d < 4.0e), build numbers (10.0.19041 > 10.0.9200), service packs (sp1 < sp2),
// pre-release markers (1.0rc1 < 1.0). No spec defines CPE version order; rules follow NVD's observed use.

type Token = { readonly num: bigint } | { readonly word: string };

/** Words that mark a version before the release it names (semver-style pre-release). Single letters
 * are not among them: in CPE versions "4.0d" is a patch letter after 4.0, not a beta. */
const PRE_RELEASE: Readonly<Record<string, number>> = { dev: 0, pre: 1, alpha: 2, beta: 3, rc: 4, cr: 4 };

/** Digits and letter runs; ".", "-", "_", "+", ":" and "~" only separate. A leading "v" is dropped and
 * A missing component counts as 0, so that "1", "1.0" and "1.0.0" are the same version. */
export function tokenizeVersion(v: string): Token[] {
  const s = v.trim().toLowerCase().replace(/^v(?=\d)/, '');
  const out: Token[] = [];
  for (const m of s.matchAll(/(\d+)|([a-z]+)/g)) {
    out.push(m[1] !== undefined ? { num: BigInt(m[1]) } : { word: m[2] });
  }
  return out;
}

// The order is lexicographic over tokens, with the end of a version as a virtual token. Ranks:
// pre-release word < end < other word < number. So 1.0rc1 < 1.0 < 1.0d < 1.0.1, and because every
// token has a fixed place in one total order the comparison is a total preorder (transitive).
const RANK_PRE = 0;
const RANK_END = 1;
const RANK_WORD = 2;
const RANK_NUM = 3;

function rank(t: Token | undefined): number {
  if (t === undefined) return RANK_END;
  if ('num' in t) return RANK_NUM;
  return PRE_RELEASE[t.word] !== undefined ? RANK_PRE : RANK_WORD;
}

function compareTokens(a: Token | undefined, b: Token | undefined): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (a === undefined || b === undefined) return 0;
  if ('num' in a && 'num' in b) return a.num < b.num ? -1 : a.num > b.num ? 1 : 0;
  const wa = (a as { word: string }).word;
  const wb = (b as { word: string }).word;
  if (ra === RANK_PRE && PRE_RELEASE[wa] !== PRE_RELEASE[wb]) return Math.sign(PRE_RELEASE[wa] - PRE_RELEASE[wb]);
  return wa < wb ? -1 : wa > wb ? 1 : 0;
}

const ZERO: Token = { num: 0n };
/** A missing component facing a number is a 0 ("1" vs "1.0.1"); facing a word it is the end. */
const ZERO_IF_NUM = (other: Token | undefined): Token | undefined => (other !== undefined && 'num' in other ? ZERO : undefined);

/** Negative if a < b, positive if a > b, 0 if the same version for matching ("13.02" equals "13.2"). */
export function compareVersions(a: string, b: string): number {
  const ta = tokenizeVersion(a);
  const tb = tokenizeVersion(b);
  const n = Math.max(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i] ?? ZERO_IF_NUM(tb[i]);
    const y = tb[i] ?? ZERO_IF_NUM(ta[i]);
    const c = compareTokens(x, y);
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}

export interface VersionRange {
  readonly versionStartIncluding?: string;
  readonly versionStartExcluding?: string;
  readonly versionEndIncluding?: string;
  readonly versionEndExcluding?: string;
}

export const hasRange = (r: VersionRange): boolean =>
  r.versionStartIncluding !== undefined || r.versionStartExcluding !== undefined ||
  r.versionEndIncluding !== undefined || r.versionEndExcluding !== undefined;

/** NVD CVE API 2.0 cpeMatch range semantics: all given bounds must hold. */
export function inRange(version: string, r: VersionRange): boolean {
  if (r.versionStartIncluding !== undefined && compareVersions(version, r.versionStartIncluding) < 0) return false;
  if (r.versionStartExcluding !== undefined && compareVersions(version, r.versionStartExcluding) <= 0) return false;
  if (r.versionEndIncluding !== undefined && compareVersions(version, r.versionEndIncluding) > 0) return false;
  if (r.versionEndExcluding !== undefined && compareVersions(version, r.versionEndExcluding) >= 0) return false;
  return true;
}
