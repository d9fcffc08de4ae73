// Named limits of the TAXII 2.1 server and client: everything a peer sends (envelopes, objects,
// query strings, pages) is bounded here; defaults follow medallion's and the spec's examples.

import type { LimitTable } from '../../core/limits.js';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

export const TAXII_LIMITS = {
  maxContentBytes: { default: 10 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024, unit: 'bytes', doc: 'largest POST body (envelope) accepted; reported as max_content_length of the API root (TAXII 2.1 section 4.2)' },
  maxObjectBytes: { default: 1024 * 1024, min: 256, max: 64 * 1024 * 1024, unit: 'bytes', doc: 'largest single STIX object in an envelope; a bigger one fails alone (its status says why)' },
  maxObjectDepth: { default: 32, min: 4, max: 256, unit: 'levels', doc: 'deepest nesting of arrays and objects inside one STIX object (hostile nesting is refused before any recursion)' },
  maxObjectsPerEnvelope: { default: 10_000, min: 1, max: 1_000_000, unit: 'objects', doc: 'objects in one POSTed envelope' },
  maxObjectsPerCollection: { default: 1_000_000, min: 1, max: 100_000_000, unit: 'object versions', doc: 'object versions one collection holds; a POST beyond it fails those objects (collection full)' },
  defaultPageSize: { default: 100, min: 1, max: 10_000, unit: 'objects', doc: 'objects per page when the client gives no limit' },
  maxPageSize: { default: 1000, min: 1, max: 100_000, unit: 'objects', doc: 'largest `limit` honoured; a larger one is lowered to it (TAXII 2.1 section 3.4)' },
  maxMatchValues: { default: 100, min: 1, max: 10_000, unit: 'values', doc: 'comma-separated values in one match[...] filter' },
  maxQueryChars: { default: 8192, min: 256, max: 1_000_000, unit: 'characters', doc: 'longest query string of a TAXII request' },
  maxStatuses: { default: 10_000, min: 1, max: 10_000_000, unit: 'status resources', doc: 'status resources remembered; the oldest is forgotten first' },
} as const satisfies LimitTable;
