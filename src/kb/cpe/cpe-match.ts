// CPE name matching: attribute-wise comparison of a source WFN (a pattern, e.g. NVD match criteria)
// against a target WFN (a concrete product). Follows NISTIR 7696 sections 6.1-6.2 (compare_wfns).

import { ANY, NA, WFN_ATTRIBUTES, type Wfn, type WfnValue } from './cpe-binding.js';

export type Relation = 'SUPERSET' | 'SUBSET' | 'EQUAL' | 'DISJOINT' | 'UNDEFINED';

const lower = (v: WfnValue): WfnValue => (typeof v === 'string' ? v.toLowerCase() : v);

/** Splits a WFN string into tokens, keeping each "\x" quoted pair as one token. */
function tokens(v: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) out.push(v[i] === '\\' ? v[i] + v[++i] : v[i]);
  return out;
}

const hasWildcard = (toks: readonly string[]): boolean => toks.some((t) => t === '*' || t === '?');

/** NISTIR 7696 6.1.2 compare: the relation of one source attribute value to one target value. */
export function compareValues(sourceIn: WfnValue, targetIn: WfnValue): Relation {
  const source = lower(sourceIn);
  const target = lower(targetIn);
  // A target with wildcards is not a name but a pattern; the spec leaves such comparisons undefined.
  if (typeof target === 'string' && hasWildcard(tokens(target))) return 'UNDEFINED';
  if (source === target) return 'EQUAL';
  if (source === ANY) return 'SUPERSET';
  if (target === ANY) return 'SUBSET';
  if (source === NA || target === NA) return 'DISJOINT';
  return compareStrings(source as string, target as string);
}

/** NISTIR 7696 compareStrings: does the (possibly wildcarded) source match the whole target?
 * Works on tokens so that quoted characters count as one, which is what the spec's escape counting does. */
function compareStrings(source: string, target: string): Relation {
  const s = tokens(source);
  const t = tokens(target);
  if (!hasWildcard(s)) return s.join('') === t.join('') ? 'EQUAL' : 'DISJOINT';
  let lead = 0;
  let leadStar = false;
  while (lead < s.length && (s[lead] === '?' || s[lead] === '*')) { if (s[lead] === '*') leadStar = true; lead++; }
  let trail = 0;
  let trailStar = false;
  while (trail < s.length - lead && (s[s.length - 1 - trail] === '?' || s[s.length - 1 - trail] === '*')) {
    if (s[s.length - 1 - trail] === '*') trailStar = true;
    trail++;
  }
  const core = s.slice(lead, s.length - trail);
  // "?" matches exactly one character, "*" any number: the core must sit at an offset allowed by the
  // leading run and leave a remainder allowed by the trailing run.
  for (let at = 0; at + core.length <= t.length; at++) {
    const before = at;
    const after = t.length - at - core.length;
    if (leadStar ? before < lead - 1 : before !== lead) continue;
    if (trailStar ? after < trail - 1 : after !== trail) continue;
    if (core.every((tok, k) => tok === t[at + k])) return 'SUPERSET';
  }
  return 'DISJOINT';
}

export type WfnComparison = Record<(typeof WFN_ATTRIBUTES)[number], Relation>;

export function compareWfns(source: Wfn, target: Wfn): WfnComparison {
  const out = {} as Record<(typeof WFN_ATTRIBUTES)[number], Relation>;
  for (const a of WFN_ATTRIBUTES) out[a] = compareValues(source[a], target[a]);
  return out;
}

/** NISTIR 7696 6.2 CPE_SUPERSET: the source names every product the target names (or more). */
export function isSuperset(source: Wfn, target: Wfn): boolean {
  return Object.values(compareWfns(source, target)).every((r) => r === 'SUPERSET' || r === 'EQUAL');
}

export function isEqual(source: Wfn, target: Wfn): boolean {
  return Object.values(compareWfns(source, target)).every((r) => r === 'EQUAL');
}

/** NISTIR 7696 CPE_DISJOINT: no product can be named by both. */
export function isDisjoint(source: Wfn, target: Wfn): boolean {
  return Object.values(compareWfns(source, target)).some((r) => r === 'DISJOINT');
}

/** CPE_SUBSET. */
export function isSubset(source: Wfn, target: Wfn): boolean {
  return Object.values(compareWfns(source, target)).every((r) => r === 'SUBSET' || r === 'EQUAL');
}
