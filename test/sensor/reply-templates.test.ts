// Cached reply encodings: for every call they must be byte for byte what encoding the reply afresh
// gives (call_id, assoc group and context id patched in), whatever order the shapes arrive in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TRANSFER_SYNTAX, decodePdu, encodeAlterContext, encodeBind, encodeBindAck, fragmentResponse,
  type BindOptions, type BindPdu, type PresentationContext,
} from '../../src/protocols/dcerpc/index.js';
import { decideContext } from '../../src/sensor/persona/bind-policy.js';
import { bindReply, responseFragments } from '../../src/sensor/responders/reply-templates.js';
import { toHex } from '../../src/core/hex.js';

const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
const MGMT = { uuid: 'afa8bd80-7d8a-11c9-bef4-08002b102989', versionMajor: 1, versionMinor: 0 };
const UNKNOWN = { uuid: '01234567-89ab-cdef-0123-456789abcdef', versionMajor: 1, versionMinor: 0 };
const NDR64 = { uuid: '71710533-beba-4937-8319-b5dbef9ccc36', versionMajor: 1, versionMinor: 0 };
const BTFN = { uuid: '6cb71c2c-9812-4540-0300-000000000000', versionMajor: 1, versionMinor: 0 };

function bindPdu(o: BindOptions, alter = false): BindPdu {
  const r = decodePdu(alter ? encodeAlterContext(o) : encodeBind(o));
  assert.ok(r.ok);
  return r.pdu as BindPdu;
}

/** The reply as the responder encoded it before templates: decide each context, encode. */
function fresh(pdu: BindPdu, frag: number, secondary: string, assoc: number): Uint8Array {
  return encodeBindAck({
    type: pdu.type === 'bind' ? 'bind_ack' : 'alter_context_resp',
    callId: pdu.header.callId, maxXmitFrag: frag, maxRecvFrag: frag, assocGroupId: assoc, secondaryAddress: secondary,
    results: pdu.contexts.map((c) => decideContext(c).result),
  });
}

const ctxs = (list: [number, typeof EPM, ...(typeof EPM)[]][]): PresentationContext[] =>
  list.map(([ctxId, abstractSyntax, ...transferSyntaxes]) => ({ ctxId, abstractSyntax, transferSyntaxes }));

test('bind_ack from a template equals a fresh encoding for every call_id and assoc group', () => {
  const shapes = [
    ctxs([[0, EPM, TRANSFER_SYNTAX.NDR]]),
    ctxs([[0, EPM, NDR64, TRANSFER_SYNTAX.NDR], [1, EPM, BTFN]]),
    ctxs([[3, MGMT, TRANSFER_SYNTAX.NDR], [4, UNKNOWN, TRANSFER_SYNTAX.NDR], [5, EPM, NDR64]]),
  ];
  // Each shape twice: the first call fills the cache, the second is served from it.
  for (let round = 0; round < 2; round++) {
    for (const [i, contexts] of shapes.entries()) {
      for (const [callId, assoc, secondary] of [[1, 0x1234, '135'], [0xfffffffe, 0xdeadbeef, '593'], [77, 0, '']] as const) {
        const pdu = bindPdu({ callId, contexts, assocGroupId: assoc }, secondary === '');
        const r = bindReply(pdu, 5840, secondary, assoc);
        assert.equal(toHex(r.bytes), toHex(fresh(pdu, 5840, secondary, assoc)), `shape ${i} round ${round} call ${callId}`);
        assert.deepEqual(r.accepted.map(([id, iface]) => [id, iface?.name]), contexts.map((c) => [c.ctxId, decideContext(c).accepted?.name]));
      }
    }
  }
});

test('bind_ack templates are keyed by frag size, transfer syntax versions and context ids', () => {
  const a = bindPdu({ callId: 9, contexts: ctxs([[0, EPM, TRANSFER_SYNTAX.NDR]]) });
  const b = bindPdu({ callId: 9, contexts: ctxs([[0, EPM, { ...TRANSFER_SYNTAX.NDR, versionMajor: 1 }]]) });
  const c = bindPdu({ callId: 9, contexts: ctxs([[7, EPM, TRANSFER_SYNTAX.NDR]]) });
  for (const [pdu, frag] of [[a, 5840], [a, 1024], [b, 5840], [c, 5840], [a, 5840]] as const) {
    const r = bindReply(pdu, frag, '135', 42);
    assert.equal(toHex(r.bytes), toHex(fresh(pdu, frag, '135', 42)));
    assert.equal(r.accepted[0][0], pdu.contexts[0].ctxId);
  }
});

test('a returned bind_ack is the caller\'s copy: patching the next one does not change it', () => {
  const pdu1 = bindPdu({ callId: 1, contexts: ctxs([[0, MGMT, TRANSFER_SYNTAX.NDR]]) });
  const pdu2 = bindPdu({ callId: 2, contexts: ctxs([[0, MGMT, TRANSFER_SYNTAX.NDR]]) });
  const first = bindReply(pdu1, 5840, '135', 100).bytes;
  const before = toHex(first);
  bindReply(pdu2, 5840, '135', 200);
  assert.equal(toHex(first), before);
});

test('response fragments from a template equal fragmentResponse for every call_id, context id and size', () => {
  const stub = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
  for (let round = 0; round < 2; round++) {
    for (const [callId, ctxId, maxFragStub] of [[2, 0, 5816], [0x80000001, 65535, 1000], [5, 3, 1]] as const) {
      const small = maxFragStub === 1 ? stub.subarray(0, 5) : stub;
      const got = responseFragments(callId, ctxId, small, maxFragStub);
      const want = fragmentResponse({ callId, ctxId, stub: small, maxFragStub });
      assert.deepEqual(got.map(toHex), want.map(toHex), `round ${round} call ${callId} ctx ${ctxId} size ${maxFragStub}`);
    }
  }
});

test('response fragments for a stub seen in many fragment sizes are still right past the cache cap', () => {
  const stub = new Uint8Array(200).fill(0x41);
  for (let size = 10; size < 40; size++) {
    assert.deepEqual(responseFragments(size, 1, stub, size).map(toHex), fragmentResponse({ callId: size, ctxId: 1, stub, maxFragStub: size }).map(toHex));
  }
});

test('bind shapes past the cache cap are encoded afresh, still byte for byte right', () => {
  for (let id = 0; id < 300; id++) {
    const pdu = bindPdu({ callId: id + 1, contexts: ctxs([[id, id % 2 ? EPM : UNKNOWN, TRANSFER_SYNTAX.NDR]]) });
    const r = bindReply(pdu, 4280, '135', id);
    assert.equal(toHex(r.bytes), toHex(fresh(pdu, 4280, '135', id)));
  }
});
