// Address ranges for scopes and targets: an address, a CIDR prefix or an a-b range (IPv4 or IPv6,
// parsed by ipaddr.js) as an inclusive [lo, hi] interval of integers, and the interval arithmetic
// (merge, subtract, contains) that scope checks and exclusions need. Written here: ipaddr.js
// matches one address against a prefix but has no interval sets.

import ipaddr from 'ipaddr.js';
import { AppError } from '../core/errors.js';

export type Family = 4 | 6;

export interface IpRange {
  readonly family: Family;
  /** First and last address, inclusive. */
  readonly lo: bigint;
  readonly hi: bigint;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address: one socket reaches both. */
function parseAddr(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!ipaddr.isValid(text) || text.includes('%')) return undefined;
  const a = ipaddr.parse(text);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) return (a as ipaddr.IPv6).toIPv4Address();
  // ipaddr.js also accepts '10', '0x0a.1' and other legacy IPv4 forms: only the dotted quad is an address here
  if (a.kind() === 'ipv4' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return undefined;
  return a;
}

function toBig(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function addressToBig(text: string): { family: Family; value: bigint } | undefined {
  const a = parseAddr(text);
  return a && { family: a.kind() === 'ipv4' ? 4 : 6, value: toBig(a.toByteArray()) };
}

export function bigToAddress(family: Family, v: bigint): string {
  const n = family === 4 ? 4 : 16;
  const bytes = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** A literal target or scope entry: `a.b.c.d`, `a.b.c.d/len`, `a.b.c.d-w.x.y.z` (also `a.b.c.d-z`
 * for the last octet) and the IPv6 equivalents. Undefined when `text` is none of these (a name?). */
export function parseRange(text: string): IpRange | undefined {
  const t = text.trim();
  const slash = t.indexOf('/');
  if (slash > 0) {
    const base = addressToBig(t.slice(0, slash));
    const len = Number(t.slice(slash + 1));
    const bits = base?.family === 4 ? 32 : 128;
    if (!base || !/^\d{1,3}$/.test(t.slice(slash + 1)) || len > bits) return undefined;
    const host = (1n << BigInt(bits - len)) - 1n;
    const lo = base.value & ~host & ((1n << BigInt(bits)) - 1n);
    return { family: base.family, lo, hi: lo | host };
  }
  const dash = t.indexOf('-');
  if (dash > 0) {
    const a = addressToBig(t.slice(0, dash));
    let bText = t.slice(dash + 1);
    // 10.0.0.1-20: the last octet of the same /24, as nmap writes it
    if (a?.family === 4 && /^\d{1,3}$/.test(bText)) bText = `${t.slice(0, t.lastIndexOf('.', dash))}.${bText}`;
    const b = addressToBig(bText);
    if (!a || !b || a.family !== b.family || b.value < a.value) return undefined;
    return { family: a.family, lo: a.value, hi: b.value };
  }
  const one = addressToBig(t);
  return one && { family: one.family, lo: one.value, hi: one.value };
}

export function parseRangeOrThrow(text: string, what: string): IpRange {
  const r = parseRange(text);
  if (!r) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${what}: expected an address, CIDR prefix or range a-b, got ${JSON.stringify(text)}`);
  return r;
}

/** Sorted, merged (adjacent and overlapping ranges joined). */
export function normalize(ranges: readonly IpRange[]): IpRange[] {
  const sorted = [...ranges].sort((x, y) => x.family - y.family || (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : 0));
  const out: IpRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === r.family && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) out[out.length - 1] = { ...last, hi: r.hi };
    } else out.push(r);
  }
  return out;
}

/** `ranges` minus `minus` (both normalized). */
export function subtract(ranges: readonly IpRange[], minus: readonly IpRange[]): IpRange[] {
  let cur = [...ranges];
  for (const m of minus) {
    const next: IpRange[] = [];
    for (const r of cur) {
      if (r.family !== m.family || m.hi < r.lo || m.lo > r.hi) {
        next.push(r);
        continue;
      }
      if (m.lo > r.lo) next.push({ family: r.family, lo: r.lo, hi: m.lo - 1n });
      if (m.hi < r.hi) next.push({ family: r.family, lo: m.hi + 1n, hi: r.hi });
    }
    cur = next;
  }
  return cur;
}

/** Whether `r` lies wholly inside the union of `within` (normalized). */
export function covers(within: readonly IpRange[], r: IpRange): boolean {
  return subtract([r], within).length === 0;
}

export function containsAddress(ranges: readonly IpRange[], family: Family, v: bigint): boolean {
  return ranges.some((r) => r.family === family && r.lo <= v && v <= r.hi);
}

export function rangeSize(r: IpRange): bigint {
  return r.hi - r.lo + 1n;
}

export function formatRange(r: IpRange): string {
  if (r.lo === r.hi) return bigToAddress(r.family, r.lo);
  const bits = r.family === 4 ? 32 : 128;
  const size = rangeSize(r);
  // a power-of-two block aligned on its size prints as CIDR
  if ((size & (size - 1n)) === 0n && (r.lo & (size - 1n)) === 0n) {
    return `${bigToAddress(r.family, r.lo)}/${bits - (size.toString(2).length - 1)}`;
  }
  return `${bigToAddress(r.family, r.lo)}-${bigToAddress(r.family, r.hi)}`;
}
