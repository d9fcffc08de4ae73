// IOXIDResolver ServerAlive2 and mgmt inq_if_ids codec tests: hex layout, round trips in both byte
// orders, and DUALSTRINGARRAY counts that disagree with the array.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/core/hex.js';
import {
  EPM, IOXID_RESOLVER, ISYSTEM_ACTIVATOR, TOWER_ID, decodeInqIfIdsResponse, decodeServerAlive2Request, decodeServerAlive2Response,
  encodeInqIfIdsResponse, encodeServerAlive2Response,
} from '../../../../src/protocols/dcerpc/interfaces/index.js';

const persona = {
  stringBindings: [
    { towerId: TOWER_ID.NCACN_IP_TCP, networkAddr: 'WIN2003' },
    { towerId: TOWER_ID.NCACN_IP_TCP, networkAddr: '192.0.2.10' },
  ],
  securityBindings: [
    { authnSvc: 0x0a, authzSvc: 0xffff, principal: '' },
    { authnSvc: 0x09, authzSvc: 0xffff, principal: '' },
  ],
};

test('ServerAlive2 response encodes COMVERSION, a DUALSTRINGARRAY and the error code', () => {
  const stub = encodeServerAlive2Response({ bindings: { stringBindings: [{ towerId: 7, networkAddr: 'H' }], securityBindings: [{ authnSvc: 10, authzSvc: 0xffff, principal: '' }] } });
  // 0500 0700 | ptr (response referent ids start at 0x00030000) | max_count 8 | wNumEntries 8 | wSecurityOffset 4 | 0700 4800 0000 0000 | 0a00 ffff 0000 0000 | pad | reserved | status
  assert.equal(toHex(stub), '05000700' + '00000300' + '08000000' + '0800' + '0400' + '0700480000000000' + '0a00ffff00000000' + '00000000' + '00000000');
});

for (const le of [true, false]) {
  test(`ServerAlive2 response round trip (${le ? 'little' : 'big'}-endian)`, () => {
    const d = decodeServerAlive2Response(encodeServerAlive2Response({ bindings: persona }, le), le);
    assert.deepEqual(d.anomalies, []);
    assert.deepEqual(d.value.comVersion, { major: 5, minor: 7 });
    assert.deepEqual(d.value.bindings, persona);
    assert.equal(d.value.errorCode, 0);
  });

  test(`inq_if_ids response round trip (${le ? 'little' : 'big'}-endian)`, () => {
    const ids = [EPM, IOXID_RESOLVER, ISYSTEM_ACTIVATOR];
    const d = decodeInqIfIdsResponse(encodeInqIfIdsResponse({ ifIds: ids }, le), le);
    assert.deepEqual(d.anomalies, []);
    assert.deepEqual(d.value.ifIds, ids);
    assert.equal(d.value.status, 0);
  });
}

test('inq_if_ids layout: vector pointer, conformant count, pointers, then the ids', () => {
  const stub = encodeInqIfIdsResponse({ ifIds: [EPM] });
  assert.equal(toHex(stub), '00000300' + '01000000' + '01000000' + '04000300' + '0883afe11f5dc91191a408002b14a0fa' + '0300' + '0000' + '00000000');
});

test('a ServerAlive2 request has no arguments; stray bytes are reported', () => {
  assert.deepEqual(decodeServerAlive2Request(new Uint8Array()).anomalies, []);
  assert.equal(decodeServerAlive2Request(new Uint8Array(8)).anomalies[0].name, 'declared_size_mismatch');
});

test('DUALSTRINGARRAY counts that disagree with the array are declared_size_mismatch', () => {
  // wNumEntries 9 against max_count 8; wSecurityOffset 20 past the end.
  const stub = fromHex('05000700' + '00000200' + '08000000' + '0900' + '1400' + '0700480000000000' + '0a00ffff00000000' + '00000000' + '00000000');
  const d = decodeServerAlive2Response(stub, true);
  const details = d.anomalies.map((a) => a.detail);
  assert.ok(details.some((x) => /wNumEntries 9 but max_count 8/.test(x ?? '')));
  assert.ok(details.some((x) => /wSecurityOffset 20 past 8/.test(x ?? '')));
  assert.deepEqual(d.value.bindings?.stringBindings, [{ towerId: 7, networkAddr: 'H' }]);
});

test('the largest DUALSTRINGARRAY (65,535 entries) round-trips; a larger one is refused', () => {
  const long = { stringBindings: [{ towerId: 7, networkAddr: 'A'.repeat(65_531) }], securityBindings: [] };
  const d = decodeServerAlive2Response(encodeServerAlive2Response({ bindings: long }), true);
  assert.deepEqual(d.anomalies, []);
  assert.equal(d.value.bindings?.stringBindings[0].networkAddr.length, 65_531);
  const tooLong = { stringBindings: [{ towerId: 7, networkAddr: 'A'.repeat(65_532) }], securityBindings: [] };
  assert.throws(() => encodeServerAlive2Response({ bindings: tooLong }), { code: 'VIGIL_ERR_BAD_ARGUMENT' });
});
