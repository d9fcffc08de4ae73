// Vigil's typed indicators (model Indicator: ipv4-addr, url, file-name, command, ...) as STIX 2.1
// patterns (STIX 2.1 section 9, Patterning) and as the cyber-observables they name (section 6).

import type { Indicator } from '../../model/alert.js';
import { scoId } from './stix-id.js';

/** Longest indicator value put in a pattern; longer ones are not shared (a command line is the usual culprit). */
export const MAX_PATTERN_VALUE_CHARS = 1024;

/** Section 9.3: a string literal in single quotes, with `\` and `'` escaped by a backslash. */
export function patternString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function addressType(value: string): 'ipv4-addr' | 'ipv6-addr' {
  return value.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
}

/** The STIX pattern for one indicator, or undefined for a type with no observable form. */
export function indicatorPattern(i: Indicator): string | undefined {
  if (i.value.length === 0 || i.value.length > MAX_PATTERN_VALUE_CHARS) return undefined;
  switch (i.type) {
    case 'ipv4-addr':
    case 'ipv6-addr':
    case 'url':
    case 'domain-name':
      return `[${i.type}:value = ${patternString(i.value)}]`;
    case 'file-name':
    case 'file':
      return `[file:name = ${patternString(i.value)}]`;
    case 'command':
      return `[process:command_line = ${patternString(i.value)}]`;
    case 'network-traffic': {
      const m = /^(.+):(\d{1,5})$/.exec(i.value);
      if (!m || Number(m[2]) > 65_535) return undefined;
      return `[network-traffic:dst_ref.value = ${patternString(m[1]!)} AND network-traffic:dst_port = ${Number(m[2])}]`;
    }
    default:
      return undefined;
  }
}

export interface ScoObject {
  readonly type: string;
  readonly id: string;
  readonly spec_version: '2.1';
  readonly [k: string]: unknown;
}

/** An address SCO (its id contributing property is `value`, section 6.4/6.5). */
export function addressSco(value: string): ScoObject {
  const type = addressType(value);
  return { type, spec_version: '2.1', id: scoId(type, { value }), value };
}

/** A network-traffic SCO from a source to a destination port (contributing properties per section 6.12). */
export function trafficSco(src: ScoObject, dport: number | undefined, protocol: 'tcp' | 'udp' = 'tcp'): ScoObject {
  const props = { src_ref: src.id, ...(dport !== undefined ? { dst_port: dport } : {}), protocols: [src.type === 'ipv6-addr' ? 'ipv6' : 'ipv4', protocol] };
  return { type: 'network-traffic', spec_version: '2.1', id: scoId('network-traffic', props), ...props };
}
