// What the scanner may touch: the scope (loopback unless a scope is given), exclusions that always
// win, and the target list checked against both before any socket opens (DESIGN.md "Safety": the
// scanner refuses any target outside an explicit scope; zmap's blocklist is likewise on by default).

import { readFileSync } from 'node:fs';
import { AppError } from '../core/errors.js';
import { covers, formatRange, normalize, parseRange, parseRangeOrThrow, subtract, type IpRange } from './ip-ranges.js';
import { TargetSpace } from './target-space.js';

/** Loopback only: the scope when none is given. */
export const DEFAULT_SCOPE_ENTRIES: readonly string[] = ['127.0.0.0/8', '::1'];

export class Scope {
  readonly allow: readonly IpRange[];
  readonly exclude: readonly IpRange[];

  private constructor(allow: IpRange[], exclude: IpRange[], readonly isDefault: boolean) {
    this.allow = normalize(allow);
    this.exclude = normalize(exclude);
  }

  /** `entries`: addresses, CIDRs, ranges (a scope file's lines); none given means loopback only. */
  static of(entries: readonly string[] | undefined, exclude: readonly string[] = []): Scope {
    const given = entries !== undefined && entries.length > 0;
    const allow = (given ? entries : DEFAULT_SCOPE_ENTRIES).map((e) => parseRangeOrThrow(e, 'scope entry'));
    return new Scope(allow, exclude.map((e) => parseRangeOrThrow(e, 'exclusion')), !given);
  }

  /** The scope as a short text for messages, e.g. `127.0.0.0/8, ::1`. */
  describe(max = 8): string {
    const parts = this.allow.slice(0, max).map(formatRange);
    const more = this.allow.length > max ? `, and ${this.allow.length - max} more` : '';
    return `${parts.join(', ')}${more}${this.isDefault ? ' (the default scope: loopback only)' : ''}`;
  }

  /** Refuse `r` unless it lies wholly inside the scope. Nothing has been sent when this throws. */
  check(r: IpRange, asWritten: string): void {
    if (covers(this.allow, r)) return;
    const outside = subtract([r], this.allow)[0];
    throw new AppError(
      'VIGIL_ERR_SCOPE',
      `target ${asWritten}${asWritten === formatRange(outside) ? '' : ` (${formatRange(outside)})`} is outside the scan scope ${this.describe()}; ` +
        'nothing was sent. Add it to a scope file given with --scope FILE to scan it.',
      { target: asWritten, scope: this.allow.map(formatRange) },
    );
  }
}

/** Resolves a host name to its addresses (dns.lookup with all: true in production; a table in tests). */
export type Resolver = (name: string) => Promise<string[]>;

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * The target space of `specs` (addresses, CIDRs, ranges, host names): every part checked against the
 * scope (a host name through each address it resolves to), exclusions removed. Throws the scope
 * error for the first target outside; `maxTargets` bounds the space (a /8 of IPv6 is not a scan).
 */
export async function resolveTargets(specs: readonly string[], scope: Scope, resolve: Resolver, maxTargets: number): Promise<TargetSpace> {
  const ranges: IpRange[] = [];
  for (const spec of specs) {
    const r = parseRange(spec);
    if (r) {
      scope.check(r, spec);
      ranges.push(r);
      continue;
    }
    if (!HOST_NAME.test(spec)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `target ${JSON.stringify(spec)}: expected an address, CIDR prefix, range a-b or host name`);
    let addrs: string[];
    try {
      addrs = await resolve(spec);
    } catch (e) {
      throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `target ${spec}: the name does not resolve (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    for (const a of addrs) {
      const one = parseRange(a);
      if (!one) continue;
      scope.check(one, `${spec} (${a})`);
      ranges.push(one);
    }
  }
  const space = subtract(normalize(ranges), scope.exclude);
  return TargetSpace.of(space, maxTargets);
}

/** The entries of a scope file: one address, CIDR or range per line, `#` comments. */
export function scopeFileEntries(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const lines = text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  if (lines.length === 0) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${file} lists no addresses`);
  return lines;
}
