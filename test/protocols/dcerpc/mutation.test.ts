// Seeded mutation loop over real and encoded PDUs: every input is either decoded or rejected with a
// named anomaly (decoded + rejected = total), nothing throws, and what decodes re-encodes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DCERPC_ANOMALIES, DcerpcConnection, decodePdu, encodePdu } from '../../../src/protocols/dcerpc/index.js';
import { mutate, prng, seedPdus } from './vectors/mutate.js';

const KNOWN = new Set<string>(DCERPC_ANOMALIES);

test('5,000 mutated PDUs: decoded + rejected = total, names from the closed set, decoded ones re-encode', () => {
  const seeds = seedPdus();
  const rnd = prng(0x5eed);
  let decoded = 0;
  let rejected = 0;
  const total = 5000;
  for (let i = 0; i < total; i++) {
    const input = mutate(seeds[i % seeds.length], rnd);
    const r = decodePdu(input);
    if (!r.ok) {
      rejected++;
      assert.ok(KNOWN.has(r.anomaly.name), r.anomaly.name);
      continue;
    }
    decoded++;
    assert.ok(r.pdu.header.fragLength <= input.length);
    for (const a of r.anomalies) assert.ok(KNOWN.has(a.name), a.name);
    const again = decodePdu(encodePdu(r.pdu));
    assert.ok(again.ok, `re-encoded ${r.pdu.type} (input ${i}) decodes`);
    assert.equal(again.pdu.type, r.pdu.type);
  }
  assert.equal(decoded + rejected, total);
  assert.ok(decoded > total / 10 && rejected > total / 10, `both outcomes exercised: ${decoded} decoded, ${rejected} rejected`);
});

test('300 mutated sessions through the framer and connection: no exception escapes, state stays bounded', () => {
  const seeds = seedPdus();
  const rnd = prng(42);
  for (let s = 0; s < 300; s++) {
    const names: string[] = [];
    const conn = new DcerpcConnection({ onAnomaly: (a) => (names.push(a.name), assert.doesNotMatch(a.detail ?? '', /exception/, 'no decoder exception escaped')), onRequest: () => undefined, limits: { maxOpenCalls: 16 } });
    for (let k = 0; k < 20; k++) {
      const bytes = mutate(seeds[Math.floor(rnd() * seeds.length)], rnd);
      const cut = Math.floor(rnd() * (bytes.length + 1));
      const dir = rnd() < 0.6 ? 'to_server' : 'to_client';
      conn.feed(dir, bytes.subarray(0, cut), k);
      conn.feed(dir, bytes.subarray(cut), k);
    }
    assert.ok(conn.openCalls <= 16);
    conn.close(99);
    assert.equal(conn.openCalls, 0);
    for (const n of names) assert.ok(KNOWN.has(n), n);
  }
});
