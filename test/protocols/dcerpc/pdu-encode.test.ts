// Encode-to-hex and round-trip tests of the PDU encoder: our encoder must reproduce real PDUs byte
// for byte from their fields, and every type must survive encode -> decode in both byte orders.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../src/core/hex.js';
import {
  decodePdu,
  encodeAlterContext,
  encodeAlterContextResp,
  encodeAuth3,
  encodeBind,
  encodeBindAck,
  encodeBindNak,
  encodeCoCancel,
  encodeFault,
  encodeOrphaned,
  encodePdu,
  encodeRequest,
  encodeResponse,
  encodeShutdown,
  fragmentRequest,
  fragmentResponse,
  PFC,
  TRANSFER_SYNTAX,
  type AuthSpec,
  type Pdu,
} from '../../../src/protocols/dcerpc/index.js';
import { allVectors, vector } from './vectors/load-vectors.js';

const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
const ISYSTEMACTIVATOR = { uuid: '000001a0-0000-0000-c000-000000000046', versionMajor: 0, versionMinor: 0 };
const BTFN = { uuid: '6cb71c2c-9812-4540-0300-000000000000', versionMajor: 1, versionMinor: 0 };
const NULL_SYNTAX = { uuid: '00000000-0000-0000-0000-000000000000', versionMajor: 0, versionMinor: 0 };

test('encode-to-hex: bind without FIRST/LAST reproduces the Windows Server 2022 capture byte for byte', () => {
  const b = encodeBind({ flags: 0, callId: 1, maxXmitFrag: 4280, maxRecvFrag: 4280, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }] });
  assert.equal(toHex(b), toHex(vector('nofrag-bind')));
});

test('encode-to-hex: fault with DID_NOT_EXECUTE reproduces the captured nca_op_rng_error', () => {
  const f = encodeFault({ flags: PFC.FIRST_FRAG | PFC.LAST_FRAG | PFC.DID_NOT_EXECUTE, callId: 1, allocHint: 32, status: 0x1c010002 });
  assert.equal(toHex(f), toHex(vector('nofrag-fault')));
});

test('encode-to-hex: bind_ack with "135" and a negotiate_ack, and its Kerberos verifier', () => {
  const real = vector('k135-bind-ack');
  const auth: AuthSpec = { authType: 9, authLevel: 2, authValue: real.subarray(92) };
  const b = encodeBindAck({
    callId: 8, assocGroupId: 0x26c1, secondaryAddress: '135', auth,
    results: [{ result: 0, reason: 0, transferSyntax: TRANSFER_SYNTAX.NDR }, { result: 3, reason: 3, transferSyntax: NULL_SYNTAX }],
  });
  assert.equal(toHex(b), toHex(real));
});

test('encode-to-hex: big-endian request and the hand-checked layout of a request with object UUID', () => {
  const be = vector('be-request');
  assert.equal(toHex(encodeRequest({ littleEndian: false, callId: 1, opnum: 8, allocHint: 100, stub: be.subarray(24) })), toHex(be));
  const obj = encodeRequest({ callId: 0x11223344, ctxId: 1, opnum: 4, objectUuid: ISYSTEMACTIVATOR.uuid, stub: fromHex('41414141') });
  assert.equal(toHex(obj), [
    '05000083', '10000000', '2c00', '0000', '44332211', // header: flags FIRST|LAST|OBJECT_UUID, frag 44
    '04000000', '0100', '0400', // alloc_hint 4, ctx 1, opnum 4
    'a001000000000000c000000000000046', '41414141',
  ].join(''));
});

test('encode-to-hex: bind_nak with signature, auth verifier padding aligned to 4 from the PDU start', () => {
  const nak = encodeBindNak({ callId: 3, rejectReason: 4, signature: '90a7a8b6-0d47-4c05-b69f-2a0b2c35e4fa' });
  assert.equal(toHex(nak), '05000d03100000002500000003000000' + '0400' + '01' + '0500' + 'b6a8a790470d054cb69f2a0b2c35e4fa');
  const r = encodeRequest({ opnum: 0, stub: fromHex('010203'), auth: { authType: 10, authLevel: 6, authContextId: 7, authValue: fromHex('aabb') } });
  // stub ends at 27; one pad byte; sec_trailer at 28 with auth_pad_length 1
  assert.equal(toHex(r.subarray(24)), '010203' + '00' + '0a060100' + '07000000' + 'aabb');
  assert.equal(r[8], 38);
  assert.equal(r[10], 2);
});

test('round trip: every real vector decodes, re-encodes and decodes to the same PDU', () => {
  for (const { name, bytes } of allVectors()) {
    const first = decodePdu(bytes);
    assert.ok(first.ok, name);
    const again = decodePdu(encodePdu(first.pdu));
    assert.ok(again.ok, name);
    assert.deepEqual(strip(again.pdu), strip(first.pdu), name);
  }
});

test('round trip is byte-exact for vectors that carry no junk padding', () => {
  for (const name of ['k135-bind', 'k135-bind-ack', 'k135-alter-context', 'k135-request', 'k135-response', 'be-bind', 'be-request', 'be-response', 'nofrag-bind', 'nofrag-fault', 'ctxids-request-object']) {
    const bytes = vector(name);
    const r = decodePdu(bytes);
    assert.ok(r.ok, name);
    const out = encodePdu(r.pdu);
    // auth padding bytes are not kept by the decoder; compare with them zeroed
    const expect = bytes.slice();
    if (r.pdu.auth) expect.fill(0, r.pdu.auth.trailerOffset - r.pdu.auth.authPadLength, r.pdu.auth.trailerOffset);
    assert.equal(toHex(out), toHex(expect), name);
  }
});

/** A decoded PDU as plain data, without the lengths and offsets that junk padding changes. */
function strip(p: Pdu): unknown {
  return JSON.parse(JSON.stringify(p, (k, v: unknown) => (k === 'fragLength' || k === 'trailerOffset' ? undefined : v instanceof Uint8Array ? toHex(v) : v)));
}

function everyType(le: boolean): Uint8Array[] {
  const auth: AuthSpec = { authType: 10, authLevel: 6, authContextId: 1, authValue: new Uint8Array(16).fill(0x41) };
  const o = { littleEndian: le, callId: 77, auth };
  const contexts = [
    { ctxId: 0, abstractSyntax: ISYSTEMACTIVATOR, transferSyntaxes: [TRANSFER_SYNTAX.NDR, TRANSFER_SYNTAX.NDR64] },
    { ctxId: 1, abstractSyntax: ISYSTEMACTIVATOR, transferSyntaxes: [BTFN] },
  ];
  const results = [{ result: 0, reason: 0, transferSyntax: TRANSFER_SYNTAX.NDR }, { result: 3, reason: 3, transferSyntax: NULL_SYNTAX }];
  return [
    encodeBind({ ...o, contexts }),
    encodeBindAck({ ...o, secondaryAddress: '135', results }),
    encodeAlterContext({ ...o, contexts: contexts.slice(0, 1) }),
    encodeAlterContextResp({ ...o, results: results.slice(0, 1) }),
    encodeBindNak({ ...o, rejectReason: 8, versions: [{ major: 5, minor: 0 }, { major: 5, minor: 1 }], signature: EPM.uuid }),
    encodeAuth3(o),
    encodeRequest({ ...o, ctxId: 1, opnum: 4, objectUuid: EPM.uuid, stub: new Uint8Array(13).fill(0x41) }),
    encodeResponse({ ...o, ctxId: 1, stub: new Uint8Array(9).fill(0x42) }),
    encodeFault({ ...o, status: 0x1c010003 }),
    encodeShutdown(o),
    encodeCoCancel(o),
    encodeOrphaned(o),
  ];
}

test('round trip of every PDU type in both byte orders, with auth verifiers', () => {
  const types = ['bind', 'bind_ack', 'alter_context', 'alter_context_resp', 'bind_nak', 'auth3', 'request', 'response', 'fault', 'shutdown', 'co_cancel', 'orphaned'];
  for (const le of [true, false]) {
    const pdus = everyType(le);
    pdus.forEach((bytes, i) => {
      const r = decodePdu(bytes);
      assert.ok(r.ok, `${types[i]} le=${le}`);
      assert.equal(r.pdu.type, types[i]);
      assert.equal(r.pdu.header.littleEndian, le);
      assert.equal(r.pdu.header.callId, 77);
      assert.equal(r.pdu.auth?.authContextId, 1);
      assert.equal((r.pdu.auth?.trailerOffset ?? 0) % 4, 0, 'sec_trailer 4-aligned');
      assert.equal(toHex(encodePdu(r.pdu)), toHex(bytes), `${types[i]} le=${le} re-encodes identically`);
    });
  }
  // the same fields give different bytes in the two orders, and identical decoded values
  const [leBind, beBind] = [everyType(true)[0], everyType(false)[0]];
  assert.notEqual(toHex(leBind), toHex(beBind));
  const a = decodePdu(leBind);
  const b = decodePdu(beBind);
  assert.ok(a.ok && b.ok && a.pdu.type === 'bind' && b.pdu.type === 'bind');
  assert.deepEqual(a.pdu.contexts, b.pdu.contexts);
});

test('fragmentRequest / fragmentResponse: FIRST and LAST placement, alloc_hint remaining, auth on every fragment', () => {
  const stub = Uint8Array.from({ length: 100 }, (_, i) => i);
  const frags = fragmentRequest({ opnum: 4, ctxId: 1, objectUuid: EPM.uuid, stub, maxFragStub: 30, auth: { authType: 10, authLevel: 6, authValue: new Uint8Array(16) } });
  assert.equal(frags.length, 4);
  const decoded = frags.map((f) => decodePdu(f));
  const joined: number[] = [];
  decoded.forEach((r, i) => {
    assert.ok(r.ok && r.pdu.type === 'request');
    const flags = r.pdu.header.flags;
    assert.equal(flags & PFC.FIRST_FRAG, i === 0 ? PFC.FIRST_FRAG : 0);
    assert.equal(flags & PFC.LAST_FRAG, i === 3 ? PFC.LAST_FRAG : 0);
    assert.equal(r.pdu.allocHint, 100 - 30 * i);
    assert.equal(r.pdu.objectUuid, EPM.uuid);
    assert.ok(r.pdu.auth);
    joined.push(...r.pdu.stub);
  });
  assert.deepEqual(joined, [...stub]);
  const one = fragmentResponse({ stub: new Uint8Array(0), maxFragStub: 10 });
  assert.equal(one.length, 1);
  assert.equal(one[0][3], PFC.FIRST_FRAG | PFC.LAST_FRAG);
  assert.throws(() => fragmentRequest({ opnum: 0, stub, maxFragStub: 0 }), /maxFragStub/);
  assert.throws(() => encodeResponse({ stub: new Uint8Array(70000) }), /65535/);
});
