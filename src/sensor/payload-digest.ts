// SHA-256 (and first-bytes hex) of session payloads, remembered for the last few distinct small
// payloads: a worm, a scanner or a load test sends the same bytes on every connection, and hashing
// them afresh (a Hash object, a digest, a hex string) was a visible share of recording a session.

import { createHash } from 'node:crypto';

/** Payloads up to this size are remembered (comparing them costs far less than hashing them). */
const MAX_REMEMBERED_BYTES = 4096;
const REMEMBERED = 8;

interface Digest {
  readonly bytes: Buffer;
  readonly sha256: string;
  readonly firstBytes: number;
  readonly firstBytesHex: string;
}

const recent: Digest[] = [];
let next = 0;

function compute(payload: Buffer, firstBytes: number): Digest {
  return {
    bytes: payload,
    sha256: createHash('sha256').update(payload).digest('hex'),
    firstBytes,
    firstBytesHex: payload.subarray(0, firstBytes).toString('hex'),
  };
}

/** sha256 of `payload` and the hex of its first `firstBytes` bytes. `payload` must not change later. */
export function payloadDigest(payload: Buffer, firstBytes: number): { readonly sha256: string; readonly firstBytesHex: string } {
  if (payload.length > MAX_REMEMBERED_BYTES) return compute(payload, firstBytes);
  for (const d of recent) {
    if (d.bytes.length === payload.length && d.firstBytes === firstBytes && d.bytes.equals(payload)) return d;
  }
  const d = compute(payload, firstBytes);
  recent[next] = d;
  next = (next + 1) % REMEMBERED;
  return d;
}
