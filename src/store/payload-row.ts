// A payload sample as every backend stores it: content-addressed by the sha256 of the whole
// payload, the first `cap` bytes kept (the Store contract's putPayload).

import { createHash } from 'node:crypto';
import type { PayloadSamplesTable } from './core-tables.js';

/** A payload sample row: sha256 of the whole payload, the first `cap` bytes kept. */
export function payloadRow(data: Uint8Array, ts: number, cap: number): PayloadSamplesTable {
  const sha256 = createHash('sha256').update(data).digest('hex');
  const kept = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, cap));
  return { sha256, size: data.length, truncated: data.length > cap ? 1 : 0, data: kept, first_seen: ts, last_seen: ts };
}
