// Remembered payload digests must always equal a fresh SHA-256 and hex prefix of the same bytes,
// whatever the mix of repeats, same-length payloads, prefix sizes and large payloads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { payloadDigest } from '../../src/sensor/payload-digest.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('digests of repeated, similar and large payloads equal fresh ones', () => {
  const base = Buffer.from('05000b0310000000480000000100000041414141', 'hex');
  const payloads: Buffer[] = [];
  for (let i = 0; i < 12; i++) {
    const p = Buffer.from(base);
    p[p.length - 1] = i; // same length, one byte apart
    payloads.push(p);
  }
  payloads.push(Buffer.alloc(5000, 0x42), Buffer.alloc(5000, 0x43), Buffer.alloc(1, 0));
  for (let round = 0; round < 3; round++) {
    for (const p of payloads) {
      for (const first of [0, 4, 64]) {
        const d = payloadDigest(Buffer.from(p), first);
        assert.equal(d.sha256, sha(p));
        assert.equal(d.firstBytesHex, p.subarray(0, first).toString('hex'));
      }
    }
  }
});
