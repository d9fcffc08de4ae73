// Parsing what a TAXII 2.1 client sends: the query parameters of section 3.4 (added_after, limit,
// next, match[...]) and the objects of a POSTed envelope (section 5.5), each bounded by TAXII_LIMITS.

import type { ResolvedLimits } from '../../core/limits.js';
import { parseTaxiiTime, type StixLike, type TaxiiFilter } from './taxii-collection.js';
import type { TAXII_LIMITS } from './taxii-limits.js';

/** An error a TAXII route answers with an error message resource (section 3.6.1). */
export class TaxiiError extends Error {
  constructor(readonly httpStatus: number, readonly title: string, readonly description?: string) {
    super(`${httpStatus} ${title}${description ? `: ${description}` : ''}`);
  }
}

export type TaxiiLimits = ResolvedLimits<typeof TAXII_LIMITS>;

export interface PageRequest {
  readonly filter: TaxiiFilter;
  readonly limit: number;
  readonly afterUs?: number;
}

const STIX_TYPE = /^[a-z][a-z0-9-]{1,248}[a-z0-9]$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const VERSION_WORDS = new Set(['last', 'first', 'all']);

/** A query parameter as one string (a repeated one joined by commas, as match[...] lists are). */
function param(q: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.map(String).join(',') : String(v);
}

function list(q: Readonly<Record<string, unknown>>, name: string, limits: TaxiiLimits, check: (s: string) => boolean): string[] | undefined {
  const raw = param(q, name);
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (values.length > limits.maxMatchValues) throw new TaxiiError(400, 'Too many filter values', `${name} takes at most ${limits.maxMatchValues} values`);
  const bad = values.find((v) => !check(v));
  if (bad !== undefined) throw new TaxiiError(400, 'Bad filter value', `${name}: ${JSON.stringify(bad.slice(0, 80))} is not valid`);
  return values;
}

export function isStixId(s: string): boolean {
  const i = s.indexOf('--');
  return i > 0 && STIX_TYPE.test(s.slice(0, i)) && UUID.test(s.slice(i + 2));
}

/** The filter, page size and cursor of a GET on objects, manifest or versions. */
export function parsePageRequest(q: Readonly<Record<string, unknown>>, limits: TaxiiLimits, queryChars: number): PageRequest {
  if (queryChars > limits.maxQueryChars) throw new TaxiiError(400, 'Query string too long', `at most ${limits.maxQueryChars} characters`);
  const addedAfter = param(q, 'added_after');
  const addedAfterUs = addedAfter === undefined ? undefined : parseTaxiiTime(addedAfter);
  if (addedAfter !== undefined && addedAfterUs === undefined) throw new TaxiiError(400, 'Bad added_after', 'expected an RFC 3339 UTC timestamp such as 2016-02-01T00:00:01.000Z');
  const rawLimit = param(q, 'limit');
  let limit = limits.defaultPageSize;
  if (rawLimit !== undefined) {
    if (!/^\d{1,9}$/.test(rawLimit) || Number(rawLimit) < 1) throw new TaxiiError(400, 'Bad limit', 'expected a positive integer');
    limit = Math.min(Number(rawLimit), limits.maxPageSize);
  }
  const next = param(q, 'next');
  if (next !== undefined && !/^\d{1,17}$/.test(next)) throw new TaxiiError(400, 'Bad next', 'not a value this server gave');
  const ids = list(q, 'match[id]', limits, isStixId);
  const types = list(q, 'match[type]', limits, (s) => STIX_TYPE.test(s));
  const versions = list(q, 'match[version]', limits, (s) => VERSION_WORDS.has(s) || parseTaxiiTime(s) !== undefined);
  const specVersions = list(q, 'match[spec_version]', limits, (s) => /^2\.[01]$/.test(s));
  return {
    filter: { ...(addedAfterUs !== undefined ? { addedAfterUs } : {}), ...(ids ? { ids } : {}), ...(types ? { types } : {}), ...(versions ? { versions } : {}), ...(specVersions ? { specVersions } : {}) },
    limit,
    ...(next !== undefined ? { afterUs: Number(next) } : {}),
  };
}

/** The objects of an envelope, or a TaxiiError for a body that is not one at all. */
export function envelopeObjects(body: unknown, limits: TaxiiLimits): unknown[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TaxiiError(400, 'Not an envelope', 'expected a JSON object with an "objects" array');
  const objects = (body as { objects?: unknown }).objects;
  if (objects === undefined) return [];
  if (!Array.isArray(objects)) throw new TaxiiError(400, 'Not an envelope', '"objects" must be an array');
  if (objects.length > limits.maxObjectsPerEnvelope) throw new TaxiiError(413, 'Too many objects', `an envelope carries at most ${limits.maxObjectsPerEnvelope} objects`);
  return objects;
}

/** Why one posted object cannot be stored, or undefined when it can. Depth is checked iteratively
 * before anything recursive (JSON.stringify) touches the object. */
export function objectProblem(o: unknown, limits: TaxiiLimits): string | undefined {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return 'not a JSON object';
  const s = o as Record<string, unknown>;
  if (typeof s.type !== 'string' || !STIX_TYPE.test(s.type)) return 'type missing or not a STIX type name';
  if (typeof s.id !== 'string' || !isStixId(s.id) || !s.id.startsWith(`${s.type}--`)) return 'id missing or not <type>--<UUID>';
  if (s.spec_version !== undefined && s.spec_version !== '2.1' && s.spec_version !== '2.0') return 'spec_version must be 2.1';
  for (const k of ['created', 'modified'] as const) {
    if (s[k] !== undefined && (typeof s[k] !== 'string' || parseTaxiiTime(s[k]) === undefined)) return `${k} is not an RFC 3339 UTC timestamp`;
  }
  if (depthOver(o, limits.maxObjectDepth)) return `nested deeper than ${limits.maxObjectDepth} levels`;
  if (Buffer.byteLength(JSON.stringify(o)) > limits.maxObjectBytes) return `larger than ${limits.maxObjectBytes} bytes`;
  return undefined;
}

function depthOver(root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return false;
}

export type { StixLike };
