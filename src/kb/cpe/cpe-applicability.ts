// Applicability of a vulnerability to a host described by its CPE names: NVD CVE API 2.0
// configurations (AND / OR nodes, negate, running-on/with via vulnerable=false) with version ranges.
// Name matching per NISTIR 7696; configuration semantics per the NVD API 2.0 "configurations" object.

import { ANY, WFN_ATTRIBUTES, isLogical, parseCpe, unquote, type Wfn } from './cpe-binding.js';
import { compareValues, type Relation } from './cpe-match.js';
import { hasRange, inRange, type VersionRange } from './version-compare.js';

export interface CpeMatch extends VersionRange {
  readonly vulnerable: boolean;
  readonly criteria: string;
  readonly matchCriteriaId?: string;
}
export interface ConfigNode {
  readonly operator: 'AND' | 'OR';
  readonly negate?: boolean;
  readonly cpeMatch: readonly CpeMatch[];
}
export interface Configuration {
  readonly operator?: 'AND' | 'OR';
  readonly negate?: boolean;
  readonly nodes: readonly ConfigNode[];
}

export interface MatchOptions {
  /** Also count a host name that is less specific than the criteria (e.g. nmap's
   * "cpe:/o:microsoft:windows_7" with no version) as a match: "possibly affected". Default false. */
  readonly lenient?: boolean;
}

/** One criteria against one host CPE. With a range, the criteria's version must be ANY and the
 * host's version is compared with the tolerant comparator; without one, NISTIR 7696 decides. */
export function criteriaMatches(m: CpeMatch, host: Wfn, opts: MatchOptions = {}, parsed?: Wfn): boolean {
  const crit = parsed ?? parseCpe(m.criteria);
  const ranged = hasRange(m);
  for (const a of WFN_ATTRIBUTES) {
    if (ranged && a === 'version') continue;
    if (!acceptable(compareValues(crit[a], host[a]), opts)) return false;
  }
  if (!ranged) return true;
  if (isLogical(host.version)) return host.version === ANY && opts.lenient === true;
  return inRange(unquote(host.version) ?? '', m);
}

function acceptable(r: Relation, opts: MatchOptions): boolean {
  if (r === 'EQUAL' || r === 'SUPERSET') return true;
  return opts.lenient === true && r === 'SUBSET';
}

export interface NodeResult {
  readonly value: boolean;
  /** Host CPEs matched by criteria flagged vulnerable=true (the affected product, not the platform). */
  readonly vulnerable: readonly string[];
}

/** A cache of parsed criteria so that evaluating many hosts does not re-parse. */
const parsedCache = new Map<string, Wfn>();
function parsedCriteria(c: string): Wfn {
  let w = parsedCache.get(c);
  if (!w) {
    w = parseCpe(c);
    if (parsedCache.size > 50_000) parsedCache.clear();
    parsedCache.set(c, w);
  }
  return w;
}

export function evaluateNode(node: ConfigNode, hosts: readonly { name: string; wfn: Wfn }[], opts: MatchOptions = {}): NodeResult {
  const vulnerable: string[] = [];
  const hits = node.cpeMatch.map((m) => {
    const matched = hosts.filter((h) => criteriaMatches(m, h.wfn, opts, parsedCriteria(m.criteria)));
    if (m.vulnerable) vulnerable.push(...matched.map((h) => h.name));
    return matched.length > 0;
  });
  let value = node.operator === 'AND' ? hits.every(Boolean) : hits.some(Boolean);
  if (node.negate) value = !value;
  return { value, vulnerable: node.negate ? [] : vulnerable };
}

export interface Applicability {
  readonly affected: boolean;
  /** Host CPE names that are the vulnerable products. */
  readonly vulnerableCpes: readonly string[];
  /** Index of the first configuration that applied. */
  readonly configuration?: number;
}

/** Does any configuration apply to a host with these CPE names (either binding)? A configuration
 * applies when its nodes combine to true AND it names a vulnerable product the host has: a host that
 * only has the platform of a running-on/with configuration is not affected. */
export function evaluateConfigurations(
  configs: readonly Configuration[],
  hostCpes: readonly string[],
  opts: MatchOptions = {},
): Applicability {
  const hosts = hostCpes.map((name) => ({ name, wfn: parseCpe(name) }));
  for (let i = 0; i < configs.length; i++) {
    const c = configs[i];
    const results = c.nodes.map((n) => evaluateNode(n, hosts, opts));
    let value = c.operator === 'AND' ? results.every((r) => r.value) : results.some((r) => r.value);
    if (c.negate) value = !value;
    const vulnerableCpes = [...new Set(results.filter((r) => r.value).flatMap((r) => r.vulnerable))];
    if (value && vulnerableCpes.length > 0) return { affected: true, vulnerableCpes, configuration: i };
  }
  return { affected: false, vulnerableCpes: [] };
}
