// The hand-written ept_map request decoder (epm-map-fast.ts) against the generic NDR declaration
// decoder: same value, anomalies, completeness and trailing count (or the same exception) for
// valid, truncated, mutated and corpus stubs, both byte orders, default and tight limits. Seeded,
// so a failure reproduces.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { CORPUS_DIR, skipWithoutCorpus } from '../../../helpers/paths.js';
import { skipWithoutPeer } from '../../../helpers/peers.js';
import { EPM, OPNUM, decodeEptMapRequest, decodeEptMapRequestGeneric, encodeEptMapRequest, encodeTower, sameUuid, type TowerSpec } from '../../../../src/protocols/dcerpc/interfaces/index.js';
import { decodeEptMapRequestFast } from '../../../../src/protocols/dcerpc/interfaces/epm-map-fast.js';
import { resolveNdrLimits, type NdrLimits } from '../../../../src/protocols/dcerpc/ndr/index.js';
import { corpusCalls } from './corpus-calls.js';

const SEED = 20261126;

/** What a decode gives, exceptions included (none expected; a throw must at least be the same on both paths). */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { threw: e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e) };
  }
}

/** Checks one stub; returns whether the fast path took it. */
function same(stub: Uint8Array, le: boolean, limits?: NdrLimits): boolean {
  const generic = outcome(() => decodeEptMapRequestGeneric(stub, le, limits));
  assert.deepStrictEqual(outcome(() => decodeEptMapRequest(stub, le, limits)), generic);
  const fast = decodeEptMapRequestFast(stub, le, limits);
  if (fast === undefined) return false;
  assert.deepStrictEqual({ value: fast }, generic);
  return true;
}

interface Shape {
  le: boolean;
  objectId: number;
  object: Uint8Array;
  towerId: number;
  maxCount: number;
  towerLength: number;
  tower: Uint8Array;
  pad: Uint8Array;
  attributes: number;
  handle: Uint8Array;
  maxTowers: number;
  trailing: Uint8Array;
}

function build(s: Shape): Uint8Array {
  const out: number[] = [];
  const u32 = (v: number): void => {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
    out.push(...(s.le ? b : b.reverse()));
  };
  u32(s.objectId);
  if (s.objectId !== 0) out.push(...s.object);
  u32(s.towerId);
  if (s.towerId !== 0) {
    u32(s.maxCount);
    u32(s.towerLength);
    out.push(...s.tower);
    for (let i = 0; out.length % 4 !== 0; i++) out.push(s.pad[i]);
  }
  u32(s.attributes);
  out.push(...s.handle);
  u32(s.maxTowers);
  out.push(...s.trailing);
  return Uint8Array.from(out);
}

const PROTSEQS = ['ncacn_ip_tcp', 'ncadg_ip_udp', 'ncacn_np', 'ncalrpc', 'ncacn_http'] as const;
const realTower = fc
  .record({ uuid: fc.uuid(), versionMajor: fc.nat(0xffff), versionMinor: fc.nat(0xffff), protseq: fc.constantFrom(...PROTSEQS), port: fc.nat(0xffff), ip: fc.ipV4(), endpoint: fc.stringMatching(/^[A-Za-z\\]{0,12}$/) })
  .map(({ uuid, versionMajor, versionMinor, ...rest }) => encodeTower({ iface: { uuid, versionMajor, versionMinor }, ...rest } as TowerSpec));
const towerBytes = fc.oneof(
  realTower,
  fc.uint8Array({ maxLength: 48 }),
  // a real tower with a few bytes changed: floor counts and lengths that disagree
  fc.tuple(realTower, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 })).map(([t, edits]) => {
    const b = t.slice();
    for (const [at, v] of edits) b[at % b.length] = v;
    return b;
  }),
);
const id = fc.oneof(fc.constant(0), fc.constant(1), fc.constant(2), fc.constant(0x20000), fc.nat().map((n) => n >>> 0));

/** Mostly well-formed shapes, sometimes with counts that disagree or ids that repeat. */
const shape: fc.Arbitrary<Shape> = fc
  .record({
    le: fc.boolean(),
    objectId: id,
    object: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    towerId: id,
    tower: towerBytes,
    countSkew: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }),
    lengthSkew: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }),
    pad: fc.uint8Array({ minLength: 3, maxLength: 3 }),
    attributes: fc.oneof(fc.constant(0), fc.nat().map((n) => n >>> 0)),
    handle: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    maxTowers: fc.oneof(fc.constant(4), fc.nat().map((n) => n >>> 0)),
    trailing: fc.oneof({ weight: 4, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }) }),
  })
  .map(({ countSkew, lengthSkew, ...s }) => ({
    ...s,
    maxCount: Math.max(0, s.tower.length + countSkew),
    towerLength: Math.max(0, s.tower.length + lengthSkew) >>> 0,
  }));

const plain = (s: Shape): boolean => (s.towerId === 0 || s.towerId !== s.objectId) && s.maxCount === s.tower.length && s.towerLength === s.tower.length;

test('ept_map fast path: generated stubs, both byte orders, equal to the generic decoder (and taken for every plain one)', () => {
  let taken = 0;
  fc.assert(
    fc.property(shape, (s) => {
      const stub = build(s);
      const took = same(stub, s.le);
      if (plain(s)) assert.ok(took, 'a plain stub must take the fast path');
      if (took) taken++;
    }),
    { seed: SEED, numRuns: 3000 },
  );
  assert.ok(taken > 1500, `fast path taken ${taken} times`);
});

test('ept_map fast path: every truncation of generated stubs', () => {
  fc.assert(
    fc.property(shape, (s) => {
      const stub = build(s);
      for (let n = 0; n < stub.length; n++) same(stub.subarray(0, n), s.le);
    }),
    { seed: SEED + 1, numRuns: 300 },
  );
});

test('ept_map fast path: mutated stubs (bytes set at random offsets, counts included)', () => {
  fc.assert(
    fc.property(shape, fc.array(fc.tuple(fc.nat(), fc.oneof(fc.nat(255), fc.constantFrom(0, 1, 2, 0xff))), { minLength: 1, maxLength: 6 }), (s, edits) => {
      const stub = build(s);
      if (stub.length === 0) return;
      for (const [at, v] of edits) stub[at % stub.length] = v;
      same(stub, s.le);
      same(stub, !s.le);
    }),
    { seed: SEED + 2, numRuns: 3000 },
  );
});

test('ept_map fast path: tight limits (referents, array elements) give the generic decoder\'s anomaly', () => {
  fc.assert(
    fc.property(shape, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 64 }), (s, maxReferents, maxArrayElements) => {
      same(build(s), s.le, resolveNdrLimits({ maxReferents, maxArrayElements }));
    }),
    { seed: SEED + 3, numRuns: 1000 },
  );
});

test('ept_map fast path: hand-picked edge cases', () => {
  const tower = encodeTower({ iface: EPM, protseq: 'ncacn_ip_tcp', port: 135, ip: '10.0.0.1' });
  for (const le of [true, false]) {
    assert.ok(same(encodeEptMapRequest({ tower, maxTowers: 4 }, le), le));
    assert.ok(same(encodeEptMapRequest({ object: null, tower, maxTowers: 1 }, le), le));
    // tower pointer repeating the object's full pointer id: the generic decoder's case, not ours
    const alias = encodeEptMapRequest({ tower }, le);
    alias.set(alias.subarray(0, 4), 20);
    assert.equal(decodeEptMapRequestFast(alias, le), undefined);
    same(alias, le);
    // ... which refuses the alias (a UUID referent is no tower) as an anomaly instead of throwing
    const aliased = decodeEptMapRequestGeneric(alias, le);
    assert.equal(aliased.value.tower, null);
    assert.ok(aliased.anomalies.some((a) => a.name === 'protocol_violation' && /aliases a referent of another type/.test(a.detail ?? '')), JSON.stringify(aliased.anomalies));
    // null tower pointer, no padding needed
    const nullTower = build({ le, objectId: 1, object: new Uint8Array(16), towerId: 0, maxCount: 0, towerLength: 0, tower: new Uint8Array(0), pad: new Uint8Array(3), attributes: 0, handle: new Uint8Array(16), maxTowers: 4, trailing: new Uint8Array(0) });
    assert.ok(same(nullTower, le));
    // a tower of length 1 needs 3 bytes of padding before the handle: cut inside it
    const odd = build({ le, objectId: 1, object: new Uint8Array(16), towerId: 2, maxCount: 1, towerLength: 1, tower: new Uint8Array([0]), pad: new Uint8Array(3), attributes: 0, handle: new Uint8Array(16), maxTowers: 4, trailing: new Uint8Array(0) });
    assert.ok(same(odd, le));
    for (let n = 0; n < odd.length; n++) assert.equal(same(odd.subarray(0, n), le), false);
  }
});

const corpusSkip = skipWithoutCorpus('dcerpc') || skipWithoutPeer('tshark');

test('ept_map fast path: every ept_map request of the corpus takes it and equals the generic decoder', { skip: corpusSkip }, () => {
  let n = 0;
  for (const f of readdirSync(`${CORPUS_DIR}/dcerpc`).filter((x) => /\.pcap(ng)?$/.test(x))) {
    for (const c of corpusCalls(`${CORPUS_DIR}/dcerpc/${f}`)) {
      if (c.opnum !== OPNUM.eptMap || !sameUuid(c.ifaceUuid, EPM.uuid)) continue;
      assert.ok(same(c.request, c.littleEndian), `${f} call ${c.callId}`);
      same(c.request, !c.littleEndian); // the same bytes read in the other order: still equal, taken or not
      n++;
    }
  }
  assert.ok(n > 0, 'the corpus has ept_map requests');
});
