// Framer with reuseCarry: PDUs that span chunks come out of pooled buffers, which must give exactly
// the PDUs, offsets and anomalies of a framer that allocates, with several framers sharing the pool.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../../src/core/hex.js';
import type { Anomaly } from '../../../src/model/anomaly.js';
import { DcerpcFramer, encodeRequest, encodeResponse, encodeShutdown } from '../../../src/protocols/dcerpc/index.js';

/** PDUs above the pooling threshold (256 bytes) and below it, inert filler stubs. */
function stream(le: boolean, seed: number): Uint8Array[] {
  const o = { littleEndian: le };
  return [
    encodeRequest({ ...o, callId: seed, opnum: 4, stub: new Uint8Array(700).fill(0x41 + (seed % 8)) }),
    encodeShutdown(o),
    encodeResponse({ ...o, callId: seed, stub: new Uint8Array(300).fill(0x61 + (seed % 8)) }),
    encodeRequest({ ...o, callId: seed + 1, opnum: 0, stub: new Uint8Array(2000).fill(0x30 + (seed % 8)) }),
  ];
}
const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

interface Framed {
  pdus: string[];
  offsets: number[];
  anomalies: Anomaly[];
}

/** Two streams framed side by side, their chunks interleaved (both framers draw on the one pool). */
function frameTwo(a: Uint8Array[], b: Uint8Array[], reuseCarry: boolean): [Framed, Framed] {
  const out: [Framed, Framed] = [
    { pdus: [], offsets: [], anomalies: [] },
    { pdus: [], offsets: [], anomalies: [] },
  ];
  const framers = out.map((o) => new DcerpcFramer({ reuseCarry, onAnomaly: (x) => o.anomalies.push(x) }));
  const sinks = out.map((o) => (p: Uint8Array, off: number) => (o.pdus.push(toHex(p)), o.offsets.push(off)));
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) framers[0].push(a[i], sinks[0]);
    if (i < b.length) framers[1].push(b[i], sinks[1]);
  }
  framers.forEach((f) => f.flush());
  return out;
}

const cutEvery = (all: Uint8Array, step: number, phase: number): Uint8Array[] => {
  const chunks: Uint8Array[] = [all.subarray(0, phase)];
  for (let at = phase; at < all.length; at += step) chunks.push(all.subarray(at, Math.min(all.length, at + step)));
  return chunks;
};

test('reuseCarry: the same PDUs and offsets as fresh buffers, whatever the chunking, two framers sharing the pool', () => {
  for (const le of [true, false]) {
    const a = concat([...stream(le, 1), ...stream(le, 3)]);
    const b = concat(stream(!le, 5));
    for (const step of [1, 7, 100, 301, 1000]) {
      for (const phase of [0, 3, 17, 250]) {
        const ca = cutEvery(a, step, phase);
        const cb = cutEvery(b, step + 2, phase);
        const want = frameTwo(ca, cb, false);
        assert.deepEqual(frameTwo(ca, cb, true), want, `le=${le} step=${step} phase=${phase}`);
        assert.equal(want[0].pdus.length, 8);
      }
    }
  }
});

test('reuseCarry: garbage after a carried prefix, and a stream ending mid-PDU, report as without it', () => {
  const pdu = concat(stream(true, 2));
  const garbage = new Uint8Array(40).fill(0x99);
  const a = [pdu.subarray(0, 500), garbage, pdu.subarray(0, 20), garbage, pdu, pdu.subarray(0, 600)];
  const b = [pdu.subarray(0, 9), pdu.subarray(9, 800), pdu.subarray(800)];
  const want = frameTwo(a, b, false);
  assert.ok(want[0].anomalies.some((x) => x.name === 'truncated_pdu'));
  assert.deepEqual(frameTwo(a, b, true), want);
});

test('reuseCarry: a spanning PDU is delivered from a buffer that a later spanning PDU reuses', () => {
  const p = stream(true, 4)[0];
  const framer = new DcerpcFramer({ reuseCarry: true });
  const seen: Uint8Array[] = [];
  const sink = (v: Uint8Array): void => void seen.push(v);
  for (let i = 0; i < 2; i++) {
    framer.push(p.subarray(0, 100), sink);
    framer.push(p.subarray(100), sink);
  }
  assert.equal(seen.length, 2);
  assert.equal(seen[0].buffer, seen[1].buffer);
  assert.equal(seen[0].length, p.length);
  // the default framer hands over a buffer of its own each time
  const plain = new DcerpcFramer();
  const fresh: Uint8Array[] = [];
  for (let i = 0; i < 2; i++) {
    plain.push(p.subarray(0, 100), (v) => void fresh.push(v));
    plain.push(p.subarray(100), (v) => void fresh.push(v));
  }
  assert.notEqual(fresh[0].buffer, fresh[1].buffer);
  assert.equal(toHex(fresh[1]), toHex(p));
});
