// Decode-from-hex tests of the connection-oriented PDU decoder on real PDUs (Windows, Samba-era
// captures from the corpus, extracted as hex vectors), in both byte orders, plus must-fail tables.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex } from '../../../src/core/hex.js';
import { decodeHeader, decodePdu, encodeRequest, PFC, type Pdu } from '../../../src/protocols/dcerpc/index.js';
import { vector } from './vectors/load-vectors.js';

function ok(bytes: Uint8Array): Pdu {
  const r = decodePdu(bytes);
  if (!r.ok) assert.fail(`rejected: ${r.anomaly.name} ${r.anomaly.detail}`);
  assert.deepEqual(r.anomalies, []);
  return r.pdu;
}

test('decodes the common header in little- and big-endian data representation', () => {
  const le = decodeHeader(vector('k135-request'));
  assert.deepEqual(le, {
    rpcVers: 5, rpcVersMinor: 0, ptype: 0, flags: 3, drep: [0x10, 0, 0, 0], littleEndian: true,
    fragLength: 824, authLength: 0, callId: 8,
  });
  const be = decodeHeader(vector('be-request'));
  assert.equal(be?.littleEndian, false);
  assert.equal(be?.fragLength, 44);
  assert.equal(be?.callId, 1);
  assert.equal(decodeHeader(new Uint8Array(15)), undefined);
  assert.equal(decodeHeader(vector('be-request'), 30), undefined, 'fewer than 16 bytes after the offset');
});

test('bind with two presentation contexts (NDR, bind-time feature negotiation) and a Kerberos verifier', () => {
  const p = ok(vector('k135-bind'));
  assert.equal(p.type, 'bind');
  if (p.type !== 'bind') return;
  assert.equal(p.header.fragLength, 1972);
  assert.equal(p.maxXmitFrag, 5840);
  assert.deepEqual(p.contexts.map((c) => [c.ctxId, c.abstractSyntax.uuid, c.transferSyntaxes.map((t) => `${t.uuid} v${t.versionMajor}`)]), [
    [0, '000001a0-0000-0000-c000-000000000046', ['8a885d04-1ceb-11c9-9fe8-08002b104860 v2']],
    [1, '000001a0-0000-0000-c000-000000000046', ['6cb71c2c-9812-4540-0300-000000000000 v1']],
  ]);
  assert.equal(p.auth?.authType, 9);
  assert.equal(p.auth?.authLevel, 2);
  assert.equal(p.auth?.trailerOffset, 1972 - 1848 - 8);
  assert.equal(p.auth?.authValue.length, 1848);
});

test('bind_ack: secondary address "135", 4-byte alignment from the PDU start, negotiate_ack result', () => {
  const p = ok(vector('k135-bind-ack'));
  assert.equal(p.type, 'bind_ack');
  if (p.type !== 'bind_ack') return;
  assert.equal(p.secondaryAddress, '135');
  assert.equal(p.assocGroupId, 0x26c1);
  assert.deepEqual(p.results.map((r) => [r.result, r.reason, r.transferSyntax.uuid]), [
    [0, 0, '8a885d04-1ceb-11c9-9fe8-08002b104860'],
    [3, 3, '00000000-0000-0000-0000-000000000000'],
  ]);
});

test('alter_context_resp with an empty port_spec and junk padding still reads its result list', () => {
  const p = ok(vector('k135-alter-context-resp'));
  assert.equal(p.type, 'alter_context_resp');
  if (p.type !== 'alter_context_resp') return;
  assert.equal(p.secondaryAddress, '');
  assert.equal(p.results.length, 1);
  assert.equal(p.results[0].result, 0);
});

test('request with PFC_OBJECT_UUID: object UUID read, stub excludes the 8 bytes of auth padding', () => {
  const p = ok(vector('ctxids-request-object'));
  assert.equal(p.type, 'request');
  if (p.type !== 'request') return;
  assert.equal(p.header.flags, PFC.FIRST_FRAG | PFC.LAST_FRAG | PFC.OBJECT_UUID);
  assert.equal(p.objectUuid, '0000f800-0668-04ec-225c-99ce1c620266');
  assert.equal(p.opnum, 3);
  assert.equal(p.allocHint, 136);
  assert.equal(p.stub.length, 136, 'tshark: complete stub data 136 bytes');
  assert.equal(p.auth?.authPadLength, 8);
  assert.equal(p.auth?.authValue.length, 16);
});

test('request and response of RemoteCreateInstance keep their stubs whole', () => {
  const req = ok(vector('k135-request'));
  assert.ok(req.type === 'request' && req.opnum === 4 && req.ctxId === 0 && req.stub.length === 800);
  assert.equal(req.objectUuid, undefined);
  // MEOW signature of the OBJREF_CUSTOM activation blob sits at a fixed place in the stub
  assert.equal(Buffer.from(req.stub.subarray(48, 52)).toString('latin1'), 'MEOW');
  const resp = ok(vector('k135-response'));
  assert.ok(resp.type === 'response' && resp.stub.length === 928 && resp.allocHint === 928);
});

test('big-endian bind, bind_ack, bind_nak, request and response (tshark reads them the same way)', () => {
  const bind = ok(vector('be-bind'));
  assert.ok(bind.type === 'bind');
  assert.equal(bind.maxXmitFrag, 4280);
  // wire bytes 00 01 00 00: if_version u32 = 0x00010000, so major 0 minor 1 (tshark: "V0.1")
  assert.deepEqual(bind.contexts[0].abstractSyntax, { uuid: '12345678-1234-abcd-ef00-01234567cffb', versionMajor: 0, versionMinor: 1 });
  const ack = ok(vector('be-bind-ack'));
  assert.ok(ack.type === 'bind_ack' && ack.assocGroupId === 1 && ack.results.length === 0, 'tshark: Num results: 0');
  const nak = ok(vector('be-bind-nak'));
  assert.ok(nak.type === 'bind_nak' && nak.rejectReason === 0 && nak.versions.length === 0);
  assert.equal(nak.signature, undefined, '5 trailing bytes are too few for a signature');
  const req = ok(vector('be-request'));
  assert.ok(req.type === 'request' && req.opnum === 8 && req.allocHint === 100 && req.stub.length === 20);
  const resp = ok(vector('be-response'));
  assert.ok(resp.type === 'response' && resp.allocHint === 50);
});

test('fault with DID_NOT_EXECUTE and nca_op_rng_error; bind without FIRST/LAST flags still decodes', () => {
  const f = ok(vector('nofrag-fault'));
  assert.ok(f.type === 'fault');
  assert.equal(f.status, 0x1c010002);
  assert.equal(f.header.flags & PFC.DID_NOT_EXECUTE, PFC.DID_NOT_EXECUTE);
  const b = ok(vector('nofrag-bind'));
  assert.ok(b.type === 'bind' && b.header.flags === 0 && b.contexts[0].abstractSyntax.versionMajor === 3);
});

test('auth3 carries only its verifier (NTLM)', () => {
  const p = ok(vector('ctxids-auth3'));
  assert.ok(p.type === 'auth3');
  assert.equal(p.auth?.authType, 10);
  assert.equal(p.auth?.trailerOffset, 20);
});

test('extra bytes after frag_length are ignored', () => {
  const one = vector('be-request');
  const two = new Uint8Array(one.length + 7);
  two.set(one);
  two.fill(0x41, one.length);
  const p = ok(two);
  assert.equal(p.header.fragLength, one.length);
});

// Must-fail table: input -> anomaly name. Each row breaks one rule of C706 12.6.
const REQ = encodeRequest({ opnum: 1, stub: new Uint8Array(8) }); // 32 bytes
const patched = (b: Uint8Array, at: number, bytes: number[]): Uint8Array => {
  const c = b.slice();
  c.set(bytes, at);
  return c;
};
const MUST_FAIL: [string, Uint8Array, string][] = [
  ['empty', new Uint8Array(0), 'truncated_pdu'],
  ['15 bytes', REQ.subarray(0, 15), 'truncated_pdu'],
  ['rpc_vers 4 (connectionless on a stream)', patched(REQ, 0, [4]), 'bad_version'],
  ['rpc_vers 6', patched(REQ, 0, [6]), 'bad_version'],
  ['ptype 1 (ping, connectionless only)', patched(REQ, 2, [1]), 'unknown_ptype'],
  ['ptype 21', patched(REQ, 2, [21]), 'unknown_ptype'],
  ['frag_length 15', patched(REQ, 8, [15, 0]), 'frag_length_too_small'],
  ['request frag_length 20 < 24', patched(REQ, 8, [20, 0]), 'frag_length_too_small'],
  ['frag_length beyond the buffer', patched(REQ, 8, [33, 0]), 'truncated_pdu'],
  ['auth_length larger than the body', patched(REQ, 10, [8, 0]), 'auth_length_exceeds_frag'],
  ['object UUID flag without room for the UUID', patched(REQ, 3, [0x83]), 'truncated_pdu'],
  ['bind claiming 2 contexts with room for none', fromHex('05000b03 10000000 1c00 0000 01000000 d016d016 00000000 02000000'), 'truncated_pdu'],
  ['bind_ack secondary address longer than the PDU', fromHex('05000c03 10000000 1c00 0000 01000000 d016d016 00000000 ff00 0000'), 'truncated_pdu'],
  ['bind_nak with 3 versions and room for 1', fromHex('05000d03 10000000 1500 0000 01000000 0000 03 0500'), 'truncated_pdu'],
];

test('must-fail table: each malformed PDU is rejected with its anomaly name, never thrown', () => {
  for (const [what, bytes, name] of MUST_FAIL) {
    const r = decodePdu(bytes);
    assert.equal(r.ok, false, what);
    if (!r.ok) assert.equal(r.anomaly.name, name, what);
  }
  const big = decodePdu(vector('k135-bind'), { maxFragLength: 1024 });
  assert.ok(!big.ok && big.anomaly.name === 'frag_length_exceeds_limit');
});

test('non-fatal violations decode with anomalies: minor version 7, auth padding longer than the stub', () => {
  const minor = decodePdu(patched(REQ, 1, [7]));
  assert.ok(minor.ok);
  assert.deepEqual(minor.anomalies.map((a) => a.name), ['bad_version']);
  const auth = encodeRequest({ opnum: 1, stub: new Uint8Array(4), auth: { authType: 10, authLevel: 6, authValue: new Uint8Array(16) } });
  const r = decodePdu(patched(auth, 30, [200])); // auth_pad_length byte of the sec_trailer at 28
  assert.ok(r.ok);
  assert.deepEqual(r.anomalies.map((a) => a.name), ['auth_pad_exceeds_stub']);
  assert.ok(r.pdu.type === 'request' && r.pdu.stub.length === 0);
});

test('rts (RPC over HTTP, MS-RPCH 2.2.3.6) is recognised: flags and command count, commands left opaque', () => {
  const p = ok(fromHex('05001403 10000000 1c00 0000 00000000 0200 0100 00000000 00000000'));
  assert.ok(p.type === 'rts');
  assert.equal(p.rtsFlags, 2);
  assert.equal(p.numberOfCommands, 1);
});

// Hand-assembled PDUs (annotated hex) for the types and byte orders the corpus vectors lack.
const HAND: [string, string, Record<string, unknown>][] = [
  ['BE shutdown', '05001103 00000000 0010 0000 00000009', { type: 'shutdown', callId: 9 }],
  ['BE co_cancel', '05001203 00000000 0010 0000 0000000a', { type: 'co_cancel', callId: 10 }],
  ['BE orphaned', '05001303 00000000 0010 0000 0000000b', { type: 'orphaned', callId: 11 }],
  ['LE orphaned', '05001303 10000000 1000 0000 0b000000', { type: 'orphaned', callId: 11 }],
  ['BE fault', '05000323 00000000 0020 0000 00000003  00000000 0001 00 00  1c010003 00000000', { type: 'fault', callId: 3, ctxId: 1, status: 0x1c010003 }],
  ['BE alter_context', `05000e03 00000000 0048 0000 00000004  10b8 10b8 00000000  01 000000  0000 01 00
    000001a0 0000 0000 c000000000000046 00000000  8a885d04 1ceb 11c9 9fe808002b104860 00000002`,
  { type: 'alter_context', callId: 4, maxXmitFrag: 4280, abstract: '000001a0-0000-0000-c000-000000000046', transfer: '8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0' }],
  ['BE alter_context_resp', `05000f03 00000000 0038 0000 00000004  10b8 10b8 00001234  0000 0000  01 000000
    0000 0000 8a885d04 1ceb 11c9 9fe808002b104860 00000002`, { type: 'alter_context_resp', callId: 4, assocGroupId: 0x1234, secondaryAddress: '', transfer: '8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0' }],
  ['BE auth3', '05001003 00000000 0024 0008 00000005  00000000  0a 06 00 00 00000007  4141414141414141', { type: 'auth3', callId: 5, authType: 10, authLevel: 6, authContextId: 7, authValue: 8 }],
  ['BE bind_nak with signature', '05000d03 00000000 0025 0000 00000007  0004 01 0500  90a7a8b6 0d47 4c05 b69f2a0b2c35e4fa', { type: 'bind_nak', callId: 7, rejectReason: 4, signature: '90a7a8b6-0d47-4c05-b69f-2a0b2c35e4fa' }],
  ['LE bind_nak without signature', '05000d03 10000000 1500 0000 07000000  0400 01 0500', { type: 'bind_nak', callId: 7, rejectReason: 4, signature: undefined }],
  ['BE request with object UUID', '05000083 00000000 0030 0000 00000002  00000008 0001 0004  11111111 2222 3333 4444555555555555  4141414141414141',
    { type: 'request', callId: 2, ctxId: 1, opnum: 4, allocHint: 8, objectUuid: '11111111-2222-3333-4444-555555555555', stub: 8 }],
];

test('decode-from-hex of hand-assembled PDUs of the remaining types and byte orders', () => {
  for (const [what, hex, want] of HAND) {
    const p = ok(fromHex(hex));
    const got: Record<string, unknown> = { type: p.type, callId: p.header.callId };
    for (const k of Object.keys(want)) {
      if (k in got) continue;
      if (k === 'abstract' && (p.type === 'bind' || p.type === 'alter_context')) got[k] = p.contexts[0].abstractSyntax.uuid;
      else if (k === 'transfer') {
        const t = p.type === 'alter_context' ? p.contexts[0].transferSyntaxes[0] : p.type === 'alter_context_resp' ? p.results[0].transferSyntax : undefined;
        got[k] = t && `${t.uuid} v${t.versionMajor}.${t.versionMinor}`;
      } else if (k.startsWith('auth')) got[k] = k === 'authValue' ? p.auth?.authValue.length : p.auth?.[k as 'authType'];
      else if (k === 'stub') got[k] = (p as { stub?: Uint8Array }).stub?.length;
      else got[k] = (p as unknown as Record<string, unknown>)[k];
    }
    assert.deepEqual(got, want, what);
  }
});
