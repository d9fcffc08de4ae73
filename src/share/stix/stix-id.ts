// Deterministic STIX 2.1 identifiers: UUIDv5 (RFC 9562 section 5.5) over a canonical JSON name, so
// that exporting the same alerts twice yields the same ids (STIX 2.1 section 2.9; SCOs per 2.9's rules).
// UUIDv5 is written here by hand (node:crypto has v4 only; 15 lines do not justify a dependency).

import { createHash } from 'node:crypto';

/** STIX 2.1 section 2.9: the namespace every producer uses for deterministic SCO ids. */
export const SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';
/** Vigil's own namespace for SDO/SRO ids (a fixed v4 UUID; changing it would re-identify every object). */
export const VIGIL_NAMESPACE = 'a3a8f3d2-5b0e-4f53-9d1c-7f0e6c2b8e41';

export function uuidv5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** JSON with object keys sorted (RFC 8785 for the strings and integers STIX ids are made of). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** An SDO/SRO id from a stable key (e.g. the alert id and the indicator pattern). The keys are
 * literals written in this module, so their property order is fixed and JSON.stringify is stable
 * (canonicalJson, which sorts, is needed only for SCOs, whose ids every producer must agree on). */
export function stixId(type: string, key: unknown): string {
  return `${type}--${uuidv5(`${type}\0${JSON.stringify(key)}`, VIGIL_NAMESPACE)}`;
}

/** An SCO id from its ID-contributing properties, as section 2.9 prescribes (same object, same id, any producer). */
export function scoId(type: string, contributing: Record<string, unknown>): string {
  return `${type}--${uuidv5(canonicalJson(contributing), SCO_NAMESPACE)}`;
}

/** STIX timestamps: RFC 3339 UTC with millisecond precision. */
export function stixTime(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}
