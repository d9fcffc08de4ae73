// The dispatcher's memoised answers (ept_lookup by request bytes, ServerAlive2 by local address,
// inq_if_ids): a repeat gets the same answer, and no answer leaks to another address, byte order,
// page or persona.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEptLookupResponse, decodeServerAlive2Response, encodeEptLookupRequest, towerBinding } from '../../src/protocols/dcerpc/interfaces/index.js';
import { BadStubError, dispatch, lookupEntries, type DispatchResult } from '../../src/sensor/persona/rpc-dispatch.js';
import { EPMAPPER, IOXID_RESOLVER, MGMT } from '../../src/sensor/persona/persona-interfaces.js';
import { DEFAULT_PERSONA, type PersonaConfig } from '../../src/sensor/sensor-types.js';
import { toHex } from '../../src/core/hex.js';

const NIL = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' };
const lookup = (maxEnts: number, littleEndian = true, entryHandle = NIL): Uint8Array =>
  encodeEptLookupRequest({ inquiryType: 0, object: null, ifId: null, versOption: 1, entryHandle, maxEnts }, littleEndian);
const stubOf = (r: DispatchResult): Uint8Array => {
  assert.equal(r.kind, 'response');
  return (r as { stub: Uint8Array }).stub;
};

test('ept_lookup: a repeated request gets the same bytes; addresses, byte orders and personas stay apart', () => {
  const persona: PersonaConfig = { ...DEFAULT_PERSONA };
  const other: PersonaConfig = { ...DEFAULT_PERSONA, hostname: 'OTHERHOST' };
  const call = (p: PersonaConfig, localAddress: string, littleEndian: boolean): Uint8Array =>
    stubOf(dispatch({ iface: EPMAPPER, opnum: 2, stub: lookup(500, littleEndian), littleEndian, localAddress }, p));
  for (const local of ['10.0.0.1', '10.0.0.2', '10.0.0.1']) {
    for (const le of [true, false]) {
      const first = toHex(call(persona, local, le));
      assert.equal(toHex(call(persona, local, le)), first);
      const d = decodeEptLookupResponse(call(persona, local, le), true);
      const bindings = (d.value.entries ?? []).map((e) => (e.tower ? towerBinding(e.tower) : ''));
      assert.equal(bindings.length, lookupEntries(persona, local).length);
      assert.ok(bindings.some((b) => b.includes(local)), `${local}: ${bindings.join(' ')}`);
      assert.ok(!bindings.some((b) => b.includes(local === '10.0.0.1' ? '10.0.0.2' : '10.0.0.1')));
      const np = (e: string): boolean => e.includes('ncacn_np');
      const o = decodeEptLookupResponse(call(other, local, le), true);
      assert.ok((o.value.entries ?? []).some((e) => e.tower && np(towerBinding(e.tower)) && towerBinding(e.tower).includes('OTHERHOST')));
    }
  }
});

test('ept_lookup paging: each entry handle gets its own page, repeats included', () => {
  const persona: PersonaConfig = { ...DEFAULT_PERSONA };
  const seen: string[] = [];
  for (let round = 0; round < 2; round++) {
    let handle = NIL;
    const pages: string[] = [];
    for (let i = 0; i < 20; i++) {
      const out = stubOf(dispatch({ iface: EPMAPPER, opnum: 2, stub: lookup(3, true, handle), littleEndian: true, localAddress: '10.9.9.9' }, persona));
      const d = decodeEptLookupResponse(out, true);
      pages.push(toHex(out));
      handle = d.value.entryHandle!;
      if (handle.uuid === NIL.uuid) break;
    }
    assert.equal(new Set(pages).size, pages.length, 'every page differs');
    assert.equal(pages.length, Math.ceil(lookupEntries(persona, '10.9.9.9').length / 3));
    if (round === 0) seen.push(...pages);
    else assert.deepEqual(pages, seen);
  }
});

test('a short ept_lookup stub faults every time (never memoised as an answer)', () => {
  const short = lookup(500).subarray(0, 10);
  for (let i = 0; i < 2; i++) {
    assert.throws(() => dispatch({ iface: EPMAPPER, opnum: 2, stub: short, littleEndian: true, localAddress: '10.0.0.1' }, DEFAULT_PERSONA), BadStubError);
  }
});

test('ServerAlive2 answers carry the address the peer reached; inq_if_ids is the same every time', () => {
  const persona: PersonaConfig = { ...DEFAULT_PERSONA };
  for (const local of ['10.0.0.7', '10.0.0.8', '10.0.0.7']) {
    const d = decodeServerAlive2Response(stubOf(dispatch({ iface: IOXID_RESOLVER, opnum: 5, stub: new Uint8Array(0), littleEndian: true, localAddress: local }, persona)), true);
    assert.deepEqual(d.value.bindings?.stringBindings.map((b) => b.networkAddr), [persona.hostname, local]);
  }
  const a = stubOf(dispatch({ iface: MGMT, opnum: 0, stub: new Uint8Array(0), littleEndian: true, localAddress: '10.0.0.7' }, persona));
  const b = stubOf(dispatch({ iface: MGMT, opnum: 0, stub: new Uint8Array(0), littleEndian: true, localAddress: '10.0.0.8' }, persona));
  assert.equal(toHex(a), toHex(b));
});
