// The Windows persona on 135, driven over loopback with the project's own codec as the client and
// the interface codecs (written independently from the persona's encoders) reading the replies.

import { test, before, after } from 'node:test';
import * as net from 'node:net';
import assert from 'node:assert/strict';
import { encodeEptLookupRequest, decodeEptLookupResponse, encodeEptMapRequest, decodeEptMapResponse, decodeInqIfIdsResponse, decodeServerAlive2Response, encodeRemoteActivationRequest, encodeTower, towerBinding } from '../../src/protocols/dcerpc/interfaces/index.js';
import { TRANSFER_SYNTAX, encodeBind, type BindAckPdu, type FaultPdu } from '../../src/protocols/dcerpc/index.js';
import { startSensor, waitFor, openClient, readAll, type Harness } from './sensor-harness.js';
import { RpcTestClient, ctx } from './rpc-client.js';
import { lookupEntries } from '../../src/sensor/persona/rpc-dispatch.js';
import { DEFAULT_PERSONA } from '../../src/sensor/sensor-types.js';
import { SERVED_ON_135 } from '../../src/sensor/persona/persona-interfaces.js';
import { windowsBindNak } from '../../src/sensor/responders/rpc-responder.js';
import { toHex } from '../../src/core/hex.js';
import type { CallEvent } from '../../src/model/event.js';
import { interfaceName } from '../../src/kb/dcerpc-names.js';

const EPM = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';
const MGMT = 'afa8bd80-7d8a-11c9-bef4-08002b102989';
const OXID = '99fcfec4-5260-101b-bbcb-00aa0021347a';
const REMACT = '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57';
const SAMR = '12345778-1234-abcd-ef00-0123456789ac';
const BTFN = { uuid: '6cb71c2c-9812-4540-0300-000000000000', versionMajor: 1, versionMinor: 0 };
const persona = { hostname: 'TESTHOST', addresses: ['10.1.2.3'] };

let h: Harness;
before(async () => {
  h = await startSensor({ persona });
});
after(async () => {
  await h.stop();
});

async function boundClient(uuid: string, major: number): Promise<RpcTestClient> {
  const c = await RpcTestClient.connect(h.port(135));
  const ack = (await c.bind([ctx(0, uuid, major)])) as BindAckPdu;
  assert.equal(ack.results[0].result, 0);
  return c;
}

test('bind: NDR accepted, NDR64 refused (reason 2), BTFN negotiate_ack with bits, secondary address 135, 5840', async () => {
  const c = await RpcTestClient.connect(h.port(135));
  const ack = await c.bind([ctx(0, EPM, 3), ctx(1, EPM, 3, TRANSFER_SYNTAX.NDR64), ctx(2, EPM, 3, BTFN)], 7);
  assert.equal(ack.type, 'bind_ack');
  const a = ack as BindAckPdu;
  assert.equal(a.header.callId, 7);
  assert.equal(a.secondaryAddress, '135');
  assert.equal(a.maxXmitFrag, 5840);
  assert.equal(a.maxRecvFrag, 5840);
  assert.ok(a.assocGroupId > 0);
  assert.deepEqual(a.results.map((r) => [r.result, r.reason]), [[0, 0], [2, 2], [3, 3]]);
  assert.equal(a.results[0].transferSyntax.uuid, TRANSFER_SYNTAX.NDR.uuid);
  c.close();
});

test('bind to an interface RPCSS does not serve: provider rejection, abstract syntax not supported', async () => {
  const c = await RpcTestClient.connect(h.port(135));
  const a = (await c.bind([ctx(0, SAMR, 1)])) as BindAckPdu;
  assert.deepEqual(a.results.map((r) => [r.result, r.reason]), [[2, 1]]);
  c.close();
});

test('ept_lookup pages through the whole endpoint list with the entry handle, both byte orders', async () => {
  for (const littleEndian of [true, false]) {
    const c = await boundClient(EPM, 3);
    const expected = lookupEntries({ ...DEFAULT_PERSONA, ...persona }, '127.0.0.1').length;
    let handle = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' };
    const bindings: string[] = [];
    for (let page = 0; page < 20; page++) {
      const stub = encodeEptLookupRequest({ inquiryType: 0, object: null, ifId: null, versOption: 1, entryHandle: handle, maxEnts: 4 }, littleEndian);
      const { stub: out } = await c.call(2, stub, { callId: 10 + page, littleEndian });
      const d = decodeEptLookupResponse(out, true);
      assert.deepEqual(d.anomalies, []);
      assert.equal(d.value.status, 0);
      assert.ok((d.value.entries ?? []).length <= 4);
      for (const e of d.value.entries ?? []) bindings.push(e.tower ? towerBinding(e.tower) : 'null');
      handle = d.value.entryHandle!;
      if (handle.uuid === '00000000-0000-0000-0000-000000000000') break;
    }
    assert.equal(bindings.length, expected);
    assert.ok(bindings.includes('ncacn_ip_tcp:10.1.2.3[135]'), bindings.join(' '));
    assert.ok(bindings.includes('ncacn_http:10.1.2.3[593]'));
    assert.ok(bindings.some((b) => b.startsWith('ncacn_np:') && b.includes('epmapper')));
    c.close();
  }
});

test('ept_map answers the dynamic port for a registered interface and ept_s_not_registered otherwise', async () => {
  const c = await boundClient(EPM, 3);
  const want = encodeTower({ iface: { uuid: SAMR, versionMajor: 1, versionMinor: 0 }, protseq: 'ncacn_ip_tcp', port: 0, ip: '0.0.0.0' });
  const { stub } = await c.call(3, encodeEptMapRequest({ tower: want, maxTowers: 4 }));
  const d = decodeEptMapResponse(stub, true);
  assert.equal(d.value.status, 0);
  assert.equal(d.value.towers?.length, 1);
  assert.equal(towerBinding(d.value.towers![0]!), 'ncacn_ip_tcp:10.1.2.3[1025]');
  const unknown = encodeTower({ iface: { uuid: '11111111-2222-3333-4444-555555555555', versionMajor: 1, versionMinor: 0 }, protseq: 'ncacn_ip_tcp', port: 0, ip: '0.0.0.0' });
  const r2 = await c.call(3, encodeEptMapRequest({ tower: unknown, maxTowers: 4 }), { callId: 3 });
  assert.equal(decodeEptMapResponse(r2.stub, true).value.status, 0x16c9a0d6);
  c.close();
});

test('mgmt inq_if_ids lists the interfaces served on 135', async () => {
  const c = await boundClient(MGMT, 1);
  const { stub } = await c.call(0, new Uint8Array(0));
  const d = decodeInqIfIdsResponse(stub, true);
  assert.deepEqual(d.value.ifIds?.map((i) => i?.uuid).sort(), SERVED_ON_135.map((i) => i.uuid).sort());
  c.close();
});

test('ServerAlive2 returns the persona host name and addresses as string bindings', async () => {
  const c = await boundClient(OXID, 0);
  const { stub } = await c.call(5, new Uint8Array(0));
  const d = decodeServerAlive2Response(stub, true);
  assert.deepEqual(d.anomalies, []);
  assert.deepEqual(d.value.bindings?.stringBindings.map((b) => b.networkAddr), ['TESTHOST', '10.1.2.3']);
  assert.ok((d.value.bindings?.securityBindings.length ?? 0) > 0);
  c.close();
});

test('RemoteActivation with an over-long UNC name (inert filler) is recorded in full and faulted, never executed', async () => {
  const c = await boundClient(REMACT, 0);
  const name = `\\\\${'A'.repeat(300)}\\file`;
  const stub = encodeRemoteActivationRequest({ clsid: '00000000-0000-0000-0000-000000000000', objectName: name, iids: ['00000000-0000-0000-c000-000000000046'], protseqs: [7] });
  const { pdus } = await c.call(0, stub, { callId: 9 });
  const f = pdus[0] as FaultPdu;
  assert.equal(f.type, 'fault');
  assert.equal(f.status, 5);
  c.close();
  const call = await waitFor('activation call event', () => h.sink.events.find((e): e is CallEvent => e.type === 'call' && e.call.ifaceUuid === REMACT));
  assert.equal(call.call.endpoint, interfaceName(REMACT), 'named as the knowledge base names it');
  assert.equal(call.call.endpoint, 'IActivation', 'Zeek\'s name, as dce_rpc.log and vigil pcap/replay say it');
  assert.equal(call.call.operation, 'RemoteActivation');
  assert.equal(call.call.faultStatus, 5);
  assert.equal(call.call.reqStubLen, stub.length);
  assert.equal(call.call.activation?.uncServerLength, 300);
  const session = await waitFor('session', () => h.sink.sessions.find((s) => s.id === call.session));
  assert.equal(session.calls.length, 1);
});

test('unknown opnum: fault nca_op_rng_error with DID_NOT_EXECUTE; request on an unbound context: nca_unk_if', async () => {
  const c = await boundClient(EPM, 3);
  const { pdus } = await c.call(42, new Uint8Array(8));
  const f = pdus[0] as FaultPdu;
  assert.equal(f.status, 0x1c010002);
  assert.equal(f.header.flags & 0x20, 0x20);
  const r2 = await c.call(2, new Uint8Array(8), { ctxId: 5, callId: 3 });
  assert.equal((r2.pdus[0] as FaultPdu).status, 0x1c010003);
  c.close();
});

test('junk gets the 24-byte bind_nak Windows sends (reason 4, version 5.0, bytes 12-15 echoed as call_id)', async () => {
  const s = await openClient(h.port(135));
  s.write('GET / HTTP/1.0\r\n\r\n');
  const { data, closed } = await readAll(s);
  assert.equal(closed, true);
  assert.equal(data.length, 24);
  const callId = Buffer.from('GET / HTTP/1.0\r\n\r\n', 'latin1').readUInt32LE(12);
  assert.equal(toHex(data), toHex(windowsBindNak(callId)));
  assert.match(toHex(data), /^05000d031000000018000000.{8}0400010500000000$/);
});

test('a bind delivered one byte at a time gets the same bind_ack', async () => {
  const c = await RpcTestClient.connect(h.port(135));
  const { encodeBind } = await import('../../src/protocols/dcerpc/index.js');
  const bytes = encodeBind({ callId: 1, contexts: [ctx(0, EPM, 3)] });
  for (const b of bytes) {
    c.send(new Uint8Array([b]));
    await new Promise((r) => setImmediate(r));
  }
  const a = (await c.next()) as BindAckPdu;
  assert.equal(a.type, 'bind_ack');
  assert.deepEqual(a.results.map((r) => r.result), [0]);
  c.close();
});

test('a call over the DCE/RPC stub limit is recorded truncated, flagged as a limit hit, and the node answers on', async () => {
  const small = await startSensor({ dcerpcLimits: { maxStubBytesPerCall: 1024 } });
  try {
    const c = await RpcTestClient.connect(small.port(135));
    const ack = (await c.bind([ctx(0, REMACT, 0)])) as BindAckPdu;
    assert.equal(ack.results[0].result, 0);
    const { fragmentRequest } = await import('../../src/protocols/dcerpc/index.js');
    // 4 KiB of inert filler in 1 KiB fragments: over the 1 KiB per-call stub limit.
    for (const f of fragmentRequest({ callId: 5, opnum: 0, ctxId: 0, stub: Buffer.alloc(4096, 0x41), maxFragStub: 1024 })) c.send(f);
    const reply = await c.next();
    assert.equal(reply.type, 'fault');
    c.close();
    const s = await waitFor('session', () => small.sink.sessions.find((x) => x.calls.length > 0));
    assert.ok(s.limitsHit.includes('dcerpc_too_much_fragment_data'), JSON.stringify(s.limitsHit));
    assert.ok(s.calls[0].anomalies.some((a) => a.name === 'too_much_fragment_data'));
    assert.equal(s.anomalies.filter((a) => a.name === 'too_much_fragment_data').length, 0, 'counted once, on the call');
  } finally {
    await small.stop();
  }
});

test('IPv6: the sensor listens on ::1 and records the peer as an IPv6 address', async (t) => {
  const v6 = await startSensor({ hosts: ['::1'] });
  try {
    const port = v6.sensor.portFor(135);
    if (port === undefined) {
      t.skip('no IPv6 loopback on this host (the sensor fell back to IPv4 only)');
      return;
    }
    const c = await new Promise<RpcTestClient>((resolve, reject) => {
      const s = net.connect({ port, host: '::1' }, () => resolve(RpcTestClient.wrap(s)));
      s.once('error', reject);
    });
    const ack = (await c.bind([ctx(0, EPM, 3)])) as BindAckPdu;
    assert.equal(ack.results[0].result, 0);
    c.close();
    const s = await waitFor('v6 session', () => v6.sink.sessions[0]);
    assert.equal(s.src, '::1');
    assert.equal(s.dst, '::1');
  } finally {
    await v6.stop();
  }
});

test('593 (ncacn_http): the RPC-over-HTTP greeting, then the same persona with secondary address 593', async () => {
  const h593 = await startSensor({ ports: [593] });
  try {
    const s = await openClient(h593.port(593));
    const greeting = await new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    assert.equal(greeting, 'ncacn_http/1.0');
    const c = RpcTestClient.wrap(s);
    const a = (await c.bind([ctx(0, EPM, 3)])) as BindAckPdu;
    assert.equal(a.secondaryAddress, '593');
    assert.equal(a.results[0].result, 0);
    c.close();
    const session = await waitFor('593 session', () => h593.sink.sessions[0]);
    assert.equal(session.service, 'ncacn_http');
    assert.equal(session.dport, 593);
  } finally {
    await h593.stop();
  }
});

test('assoc group: one per connection in [0x1000, 0x10000), the same on a second bind; a group the client names is echoed', async () => {
  for (let i = 0; i < 3; i++) {
    const c = await RpcTestClient.connect(h.port(135));
    const first = (await c.bind([ctx(0, EPM, 3)], 1)) as BindAckPdu;
    const again = (await c.bind([ctx(1, MGMT, 1)], 2)) as BindAckPdu;
    assert.ok(first.assocGroupId >= 0x1000 && first.assocGroupId < 0x10000, `0x${first.assocGroupId.toString(16)}`);
    assert.equal(again.assocGroupId, first.assocGroupId);
    c.close();
  }
  const c = await RpcTestClient.connect(h.port(135));
  c.send(encodeBind({ callId: 3, assocGroupId: 0x4242, contexts: [ctx(0, EPM, 3)] }));
  assert.equal(((await c.next()) as BindAckPdu).assocGroupId, 0x4242);
  c.close();
});

test('a connection to 135 that sends nothing is a session with no calls or anomalies', async () => {
  const c = await openClient(h.port(135));
  const sport = c.localPort;
  c.end();
  await readAll(c);
  const s = await waitFor('silent session', () => h.sink.sessions.find((x) => x.sport === sport && x.dport === 135));
  assert.equal(s.bytesIn, 0);
  assert.equal(s.closeReason, 'peer_closed');
  assert.deepEqual([s.calls, s.anomalies, s.limitsHit], [[], [], []]);
});
