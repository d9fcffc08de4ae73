// Endpoint mapper codec tests: tower floors to/from hex, ept_lookup and ept_map requests and
// responses round-tripped in both byte orders, paging, and hostile towers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/core/hex.js';
import type { Anomaly } from '../../../../src/model/anomaly.js';
import {
  EPM, EPT_STATUS, IOXID_RESOLVER, decodeEptLookupRequest, decodeEptLookupResponse, decodeEptMapRequest, decodeEptMapResponse,
  decodeTower, encodeEptLookupRequest, encodeEptLookupResponse, encodeEptMapRequest, encodeEptMapResponse, encodeTower,
  eptLookupPage, towerBinding,
} from '../../../../src/protocols/dcerpc/interfaces/index.js';

// ncacn_ip_tcp tower for the endpoint mapper itself on 10.0.0.1:135 (C706 appendix L layout).
const EPM_TOWER_HEX =
  '0500' +
  '1300 0d 0883afe11f5dc91191a408002b14a0fa 0300  0200 0000' + // floor 1: interface v3.0
  '1300 0d 045d888aeb1cc9119fe808002b104860 0200  0200 0000' + // floor 2: NDR v2.0
  '0100 0b  0200 0000' + // floor 3: connection-oriented RPC
  '0100 07  0200 0087' + // floor 4: TCP port 135, big-endian
  '0100 09  0400 0a000001'; // floor 5: IP 10.0.0.1

test('a TCP tower encodes to the C706 floor layout and decodes back', () => {
  const bytes = encodeTower({ iface: EPM, protseq: 'ncacn_ip_tcp', port: 135, ip: '10.0.0.1' });
  assert.equal(toHex(bytes), toHex(fromHex(EPM_TOWER_HEX)));
  const t = decodeTower(bytes);
  assert.deepEqual(t.iface, EPM);
  assert.equal(t.transferSyntax?.uuid, '8a885d04-1ceb-11c9-9fe8-08002b104860');
  assert.equal(towerBinding(t), 'ncacn_ip_tcp:10.0.0.1[135]');
});

test('named pipe, ncalrpc and HTTP towers carry their endpoints', () => {
  const np = decodeTower(encodeTower({ iface: EPM, protseq: 'ncacn_np', endpoint: '\\PIPE\\epmapper', host: '\\\\WIN2003' }));
  assert.equal(towerBinding(np), 'ncacn_np:\\\\\\\\WIN2003[\\PIPE\\epmapper]');
  const lrpc = decodeTower(encodeTower({ iface: EPM, protseq: 'ncalrpc', endpoint: 'epmapper' }));
  assert.deepEqual([lrpc.protseq, lrpc.endpoint], ['ncalrpc', 'epmapper']);
  const http = decodeTower(encodeTower({ iface: EPM, protseq: 'ncacn_http', port: 593, ip: '192.0.2.7' }));
  assert.equal(towerBinding(http), 'ncacn_http:192.0.2.7[593]');
});

test('a tower whose floor runs past its end keeps the whole floors and reports the mismatch', () => {
  const bytes = fromHex(EPM_TOWER_HEX).subarray(0, 56); // cut inside floor 3
  const anomalies: Anomaly[] = [];
  const t = decodeTower(bytes, anomalies);
  assert.equal(t.floors.length, 2);
  assert.equal(anomalies[0].name, 'declared_size_mismatch');
  assert.match(anomalies[0].detail ?? '', /floor 3/);
});

for (const le of [true, false]) {
  const order = le ? 'little-endian' : 'big-endian';

  test(`ept_lookup request round trip (${order})`, () => {
    const req = { inquiryType: 0, object: null, ifId: IOXID_RESOLVER, versOption: 1, entryHandle: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' }, maxEnts: 500 };
    const d = decodeEptLookupRequest(encodeEptLookupRequest(req, le), le);
    assert.equal(d.complete, true);
    assert.equal(d.trailing, 0);
    assert.deepEqual(d.value, req);
  });

  test(`ept_lookup response with entries, annotation and handle round trip (${order})`, () => {
    const handle = { attributes: 0, uuid: '5f5e4d3c-2b1a-4099-8877-665544332211' };
    const entries = [
      { object: '00000000-0000-0000-0000-000000000000', tower: encodeTower({ iface: IOXID_RESOLVER, protseq: 'ncacn_ip_tcp', port: 135, ip: '192.0.2.1' }), annotation: '' },
      { object: '00000000-0000-0000-0000-000000000000', tower: encodeTower({ iface: EPM, protseq: 'ncacn_np', endpoint: '\\pipe\\epmapper', host: '\\\\HOST' }), annotation: 'Impl friendly name' },
    ];
    const stub = encodeEptLookupResponse({ entryHandle: handle, maxEnts: 500, entries, status: 0 }, le);
    const d = decodeEptLookupResponse(stub, le);
    assert.deepEqual(d.anomalies, []);
    assert.equal(d.value.maxEnts, 500);
    assert.deepEqual(d.value.entryHandle, handle);
    assert.deepEqual(d.value.entries?.map((e) => [e.annotation, e.tower && towerBinding(e.tower)]), [
      ['', 'ncacn_ip_tcp:192.0.2.1[135]'],
      ['Impl friendly name', 'ncacn_np:\\\\\\\\HOST[\\pipe\\epmapper]'],
    ]);
    assert.equal(d.value.status, 0);
  });

  test(`ept_map request and response round trip (${order})`, () => {
    const tower = encodeTower({ iface: EPM, protseq: 'ncacn_ip_tcp', port: 0, ip: '0.0.0.0' });
    const rq = decodeEptMapRequest(encodeEptMapRequest({ tower, maxTowers: 4 }, le), le);
    assert.equal(rq.value.tower?.iface?.uuid, EPM.uuid);
    assert.equal(rq.value.maxTowers, 4);
    const answer = encodeTower({ iface: EPM, protseq: 'ncacn_ip_tcp', port: 49668, ip: '172.16.5.58' });
    const rs = decodeEptMapResponse(encodeEptMapResponse({ entryHandle: rq.value.entryHandle!, maxTowers: 4, towers: [answer, answer], status: 0 }, le), le);
    assert.deepEqual(rs.anomalies, []);
    assert.deepEqual(rs.value.towers?.map((t) => t && towerBinding(t)), ['ncacn_ip_tcp:172.16.5.58[49668]', 'ncacn_ip_tcp:172.16.5.58[49668]']);
  });
}

test('an empty ept_lookup answer carries EPT_S_NOT_REGISTERED', () => {
  const stub = encodeEptLookupResponse({ entryHandle: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' }, maxEnts: 1, entries: [], status: EPT_STATUS.NOT_REGISTERED });
  assert.equal(toHex(stub), '00'.repeat(20) + '00000000' + '01000000' + '00000000' + '00000000' + 'd6a0c916');
  assert.equal(decodeEptLookupResponse(stub, true).value.status, 0x16c9a0d6);
});

test('paging walks every entry in max_ents pieces and ends with no cursor', () => {
  const all = Array.from({ length: 7 }, (_, i) => i);
  const pages: number[][] = [];
  let cursor: number | undefined = 0;
  while (cursor !== undefined) {
    const { page, next }: { page: number[]; next: number | undefined } = eptLookupPage(all, cursor, 3);
    pages.push(page);
    cursor = next;
  }
  assert.deepEqual(pages, [[0, 1, 2], [3, 4, 5], [6]]);
});

test('must-fail table: hostile ept stubs become anomalies, never exceptions', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty lookup request', '', /needs 4 more/],
    ['tower_length lies', '00000000' + '00000200' + '40000000' + '05000000' + '0102030405', /needs|tower_length/],
    ['huge array count', '00'.repeat(20) + '01000000' + 'ffffff7f' + '00000000' + 'ffffff7f', /maxArrayElements|needs/],
  ];
  for (const [what, hex, re] of cases) {
    const d = what.includes('request') ? decodeEptLookupRequest(fromHex(hex), true) : what.includes('tower') ? decodeEptMapRequest(fromHex(hex), true) : decodeEptMapResponse(fromHex(hex), true);
    assert.equal(d.complete, false, what);
    assert.ok(d.anomalies.some((a) => re.test(a.detail ?? '')), `${what}: ${JSON.stringify(d.anomalies)}`);
  }
});
