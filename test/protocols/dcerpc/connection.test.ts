// Connection-state tests: the same activation call comes out however it is delivered; requests pair
// with responses and faults; every anomaly and every limit has an input that triggers it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../../src/core/hex.js';
import type { Anomaly } from '../../../src/model/anomaly.js';
import type { CallRecord } from '../../../src/model/call.js';
import type { Direction } from '../../../src/model/flow.js';
import {
  DcerpcConnection,
  encodeAlterContext,
  encodeAlterContextResp,
  encodeBind,
  encodeBindAck,
  encodeFault,
  encodeOrphaned,
  encodeRequest,
  encodeResponse,
  fragmentRequest,
  fragmentResponse,
  resolveDcerpcLimits,
  TRANSFER_SYNTAX,
  type CompletedRequest,
  type DcerpcConnectionOptions,
  type PresentationContext,
  type SyntaxId,
} from '../../../src/protocols/dcerpc/index.js';
import { vector } from './vectors/load-vectors.js';

const ISYSTEMACTIVATOR = { uuid: '000001a0-0000-0000-c000-000000000046', versionMajor: 0, versionMinor: 0 };
const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
const BTFN = { uuid: '6cb71c2c-9812-4540-0300-000000000000', versionMajor: 1, versionMinor: 0 };
const IREMUNKNOWN = { uuid: '00000131-0000-0000-c000-000000000046', versionMajor: 0, versionMinor: 0 };
/** The real RemoteCreateInstance stub (Windows DCOM activation, zeek_kerberos135_auth): 800 bytes. */
const ACTIVATION_STUB = vector('k135-request').subarray(24);

type Step = [Direction, Uint8Array];
interface Run {
  requests: CompletedRequest[];
  calls: CallRecord[];
  anomalies: Anomaly[];
  names: string[];
  conn: DcerpcConnection;
}

function run(steps: Step[], opts: DcerpcConnectionOptions = {}, segment?: number): Run {
  const out: Run = { requests: [], calls: [], anomalies: [], names: [], conn: undefined as unknown as DcerpcConnection };
  // the connection on its own: stub decoding is the interfaces' business (tested below once wired)
  const conn = new DcerpcConnection({
    decodeStub: false,
    ...opts,
    onRequest: (r) => out.requests.push(r),
    onCall: (c) => out.calls.push(c),
    onAnomaly: (a) => (out.anomalies.push(a), out.names.push(a.name)),
  });
  out.conn = conn;
  steps.forEach(([dir, bytes], i) => {
    if (!segment) return conn.feed(dir, bytes, 1000 + i * 10);
    for (let at = 0; at < bytes.length; at += segment) conn.feed(dir, bytes.subarray(at, at + segment), 1000 + i * 10);
  });
  conn.close(1000 + steps.length * 10);
  return out;
}

const ctx = (ctxId: number, abstractSyntax: SyntaxId = ISYSTEMACTIVATOR, ts: SyntaxId[] = [TRANSFER_SYNTAX.NDR]): PresentationContext => ({ ctxId, abstractSyntax, transferSyntaxes: ts });
const acceptAll = (n: number) => Array.from({ length: n }, () => ({ result: 0, reason: 0, transferSyntax: TRANSFER_SYNTAX.NDR }));

function bindPair(le = true, contexts = [ctx(0)], flags?: number): Step[] {
  return [
    ['to_server', encodeBind({ littleEndian: le, callId: 1, contexts, ...(flags !== undefined && { flags }) })],
    ['to_client', encodeBindAck({ littleEndian: le, callId: 1, secondaryAddress: '135', results: acceptAll(contexts.length) })],
  ];
}

/** The activation call as every delivery variant must produce it. */
function assertActivation(r: Run, what: string, ctxId = 0): void {
  assert.equal(r.requests.length, 1, what);
  const q = r.requests[0];
  assert.equal(q.ifaceUuid, ISYSTEMACTIVATOR.uuid, what);
  assert.equal(q.opnum, 4, what);
  assert.equal(q.ctxId, ctxId, what);
  assert.equal(toHex(q.stub), toHex(ACTIVATION_STUB), what);
  assert.equal(q.transferSyntax?.uuid, TRANSFER_SYNTAX.NDR.uuid, what);
}

test('the same activation request comes out however it is delivered', () => {
  const le = (o = {}) => encodeRequest({ callId: 2, opnum: 4, stub: ACTIVATION_STUB, ...o });
  const single = run([...bindPair(), ['to_server', le()]]);
  assertActivation(single, 'single PDU');
  assert.equal(single.requests[0].fragments, 1);
  assert.deepEqual(single.names, []);

  for (const size of [1, 7, 64, 799]) {
    const frags = fragmentRequest({ callId: 2, opnum: 4, stub: ACTIVATION_STUB, maxFragStub: size });
    const r = run([...bindPair(), ...frags.map((f): Step => ['to_server', f])]);
    assertActivation(r, `fragments of ${size}`);
    assert.equal(r.requests[0].fragments, Math.ceil(800 / size));
    assert.deepEqual(r.names, [], `fragments of ${size}`);
  }
  assertActivation(run([...bindPair(), ['to_server', le()]], {}, 1), 'TCP segments of 1 byte');
  const all = [...bindPair()];
  const glued = new Uint8Array([...all[0][1], ...le()]);
  assertActivation(run([['to_server', glued], all[1]]), 'bind and request in one segment');
  assertActivation(run([...bindPair(false), ['to_server', encodeRequest({ littleEndian: false, callId: 2, opnum: 4, stub: ACTIVATION_STUB })]]), 'big-endian');
  const obj = run([...bindPair(), ['to_server', le({ objectUuid: '11111111-2222-3333-4444-555555555555' })]]);
  assertActivation(obj, 'object UUID flag');
  assert.equal(obj.requests[0].objectUuid, '11111111-2222-3333-4444-555555555555');
  assert.deepEqual(obj.names, ['object_uuid_on_request'], 'ISystemActivator is never called through an object UUID');
  const bogus = [ctx(0, EPM), ctx(1, { uuid: 'deadbeef-cafe-babe-1234-567890abcdef', versionMajor: 9, versionMinor: 9 }), ctx(5), ctx(6, ISYSTEMACTIVATOR, [BTFN])];
  assertActivation(run([...bindPair(true, bogus), ['to_server', le({ ctxId: 5 })]]), 'extra bogus contexts', 5);
  const alter: Step[] = [
    ...bindPair(true, [ctx(0, EPM)]),
    ['to_server', encodeAlterContext({ callId: 2, contexts: [ctx(1)] })],
    ['to_client', encodeAlterContextResp({ callId: 2, results: acceptAll(1) })],
    ['to_server', le({ ctxId: 1, callId: 3 })],
  ];
  assertActivation(run(alter), 'harmless bind then alter_context', 1);
  const nofirst = run([...bindPair(true, [ctx(0)], 0), ['to_server', le()]]);
  assertActivation(nofirst, 'bind without PFC_FIRST_FRAG');
  assert.deepEqual(nofirst.names, ['bind_without_first_frag']);
  const auth = { authType: 10, authLevel: 6, authValue: new Uint8Array(16).fill(0x41) };
  const withAuth = run([...bindPair(), ...fragmentRequest({ callId: 2, opnum: 4, stub: ACTIVATION_STUB, maxFragStub: 333, auth }).map((f): Step => ['to_server', f])]);
  assertActivation(withAuth, 'auth trailer on every fragment');
  assert.deepEqual(withAuth.requests[0].auth, { authType: 10, authLevel: 6, authContextId: 0 });
  // packet privacy: the stub is handed over as it came (ciphertext) and the call is marked sealed
  assert.equal(withAuth.requests[0].sealed, true);
  assert.equal(withAuth.calls[0].sealed, true);
});

test('a request pairs with its fragmented response: counts, stub sizes, round-trip time', () => {
  const resp = fragmentResponse({ callId: 2, stub: new Uint8Array(100), maxFragStub: 40 });
  const r = run([...bindPair(), ['to_server', encodeRequest({ callId: 2, opnum: 4, stub: ACTIVATION_STUB })], ...resp.map((f): Step => ['to_client', f])]);
  assert.equal(r.calls.length, 1);
  const c = r.calls[0];
  assert.deepEqual(
    { callId: c.callId, ctx: c.ctxId, iface: c.ifaceUuid, ver: c.ifaceVersion, opnum: c.opnum, reqFrags: c.reqFrags, respFrags: c.respFrags, req: c.reqStubLen, resp: c.respStubLen, rtt: c.rttMs },
    { callId: 2, ctx: 0, iface: ISYSTEMACTIVATOR.uuid, ver: '0.0', opnum: 4, reqFrags: 1, respFrags: 3, req: 800, resp: 100, rtt: 30 },
  );
  assert.equal(c.faultStatus, undefined);
  assert.deepEqual(c.anomalies, []);
});

test('a fault ends the call with its status; close() records calls still open; orphaned ends a call', () => {
  const r = run([
    ...bindPair(),
    ['to_server', encodeRequest({ callId: 2, opnum: 42 })],
    ['to_client', encodeFault({ callId: 2, status: 0x1c010002 })],
    ['to_server', encodeRequest({ callId: 3, opnum: 1 })],
    ['to_server', encodeRequest({ callId: 4, opnum: 1 })],
    ['to_server', encodeOrphaned({ callId: 4 })],
  ]);
  assert.deepEqual(r.calls.map((c) => [c.callId, c.faultStatus, c.respFrags, c.rttMs]), [
    [2, 0x1c010002, 1, 10],
    [4, undefined, 0, undefined],
    [3, undefined, 0, undefined],
  ]);
  assert.equal(r.conn.openCalls, 0);
});

test('presentation contexts: negotiated syntax, NDR64, bind-time feature negotiation, rejection', () => {
  const r = run([
    ['to_server', encodeBind({ callId: 1, contexts: [ctx(0, ISYSTEMACTIVATOR, [TRANSFER_SYNTAX.NDR, TRANSFER_SYNTAX.NDR64]), ctx(1, ISYSTEMACTIVATOR, [BTFN]), ctx(2, EPM)] })],
    ['to_client', encodeBindAck({ callId: 1, results: [
      { result: 0, reason: 0, transferSyntax: TRANSFER_SYNTAX.NDR64 },
      { result: 3, reason: 3, transferSyntax: { uuid: '00000000-0000-0000-0000-000000000000', versionMajor: 0, versionMinor: 0 } },
      { result: 2, reason: 2, transferSyntax: { uuid: '00000000-0000-0000-0000-000000000000', versionMajor: 0, versionMinor: 0 } },
    ] })],
    ['to_server', encodeRequest({ callId: 2, ctxId: 2, opnum: 3 })],
  ]);
  const ctxs = r.conn.presentationContexts;
  assert.deepEqual([...ctxs.values()].map((c) => [c.ctxId, c.state, c.transferSyntax?.uuid, c.ndr64, c.btfnFeatures]), [
    [0, 'accepted', TRANSFER_SYNTAX.NDR64.uuid, true, undefined],
    [1, 'negotiate_ack', undefined, false, 3],
    [2, 'rejected', undefined, false, undefined],
  ]);
  assert.deepEqual(r.names, ['request_on_unknown_context'], 'a call on a rejected context');
});

test('injected stub decoder and name table reach the call record; a throwing decoder is contained', () => {
  const steps: Step[] = [...bindPair(), ['to_server', encodeRequest({ callId: 2, opnum: 4, stub: ACTIVATION_STUB })], ['to_client', encodeResponse({ callId: 2 })]];
  const ok = run(steps, {
    decodeStub: (q) => ({ activation: { method: 'RemoteCreateInstance', fileName: `len ${q.stub.length}` }, anomalies: [{ name: 'declared_size_mismatch', proto: 'dcerpc' }] }),
    names: (uuid, opnum) => (uuid === ISYSTEMACTIVATOR.uuid ? { endpoint: 'ISystemActivator', operation: opnum === 4 ? 'RemoteCreateInstance' : undefined } : {}),
  });
  assert.equal(ok.calls[0].endpoint, 'ISystemActivator');
  assert.equal(ok.calls[0].operation, 'RemoteCreateInstance');
  assert.deepEqual(ok.calls[0].activation, { method: 'RemoteCreateInstance', fileName: 'len 800' });
  assert.deepEqual(ok.calls[0].anomalies.map((a) => [a.name, a.callId]), [['declared_size_mismatch', 2]]);
  const bad = run(steps, { decodeStub: () => { throw new RangeError('boom'); } });
  assert.deepEqual(bad.names, ['protocol_violation']);
  assert.equal(bad.calls.length, 1, 'the connection goes on after the decoder failed');
  assert.match(bad.calls[0].anomalies[0].detail ?? '', /boom/);
});

const req = (o: Parameters<typeof encodeRequest>[0]): Step => ['to_server', encodeRequest(o)];
const FIRST = 1;
const LAST = 2;

// One row per anomaly: the smallest session that must raise it (and the name list it must give).
const ANOMALY_TABLE: [string, Step[], string[], DcerpcConnectionOptions?][] = [
  ['bad_version', [['to_server', new Uint8Array([4, 0, 0, 3, 0x10, 0, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0])]], ['bad_version', 'resync_garbage_skipped']],
  ['frag_length_too_small', [['to_server', new Uint8Array([5, 0, 0, 3, 0x10, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])]], ['frag_length_too_small']],
  ['frag_length_exceeds_negotiated', [
    ['to_server', encodeBind({ contexts: [ctx(0)] })], ['to_client', encodeBindAck({ maxRecvFrag: 100, results: acceptAll(1) })],
    req({ callId: 2, opnum: 4, stub: new Uint8Array(200) })], ['frag_length_exceeds_negotiated']],
  ['multiple_first_fragments', [...bindPair(), req({ callId: 2, opnum: 4, flags: FIRST }), req({ callId: 2, opnum: 4, flags: FIRST | LAST })], ['multiple_first_fragments']],
  ['fragment_without_first', [...bindPair(), req({ callId: 2, opnum: 4, flags: LAST })], ['fragment_without_first']],
  ['fragment after the last one', [...bindPair(), req({ callId: 2, opnum: 4 }), req({ callId: 2, opnum: 4, flags: LAST })], ['fragment_without_first']],
  ['opnum_changed_between_fragments', [...bindPair(), req({ callId: 2, opnum: 4, flags: FIRST, allocHint: 0 }), req({ callId: 2, opnum: 3, flags: LAST, allocHint: 0 })], ['opnum_changed_between_fragments']],
  ['context_changed_between_fragments', [...bindPair(true, [ctx(0), ctx(1)]), req({ callId: 2, opnum: 4, flags: FIRST, allocHint: 0 }), req({ callId: 2, ctxId: 1, opnum: 4, flags: LAST, allocHint: 0 })], ['context_changed_between_fragments']],
  ['alloc_hint_mismatch', [...bindPair(), req({ callId: 2, opnum: 4, allocHint: 5000, stub: new Uint8Array(10) })], ['alloc_hint_mismatch']],
  ['request_on_unknown_context', [req({ callId: 2, ctxId: 9, opnum: 4 })], ['request_on_unknown_context']],
  ['bind_without_first_frag', bindPair(true, [ctx(0)], LAST), ['bind_without_first_frag']],
  ['second_bind', [...bindPair(), ...bindPair()], ['second_bind']],
  ['byte_order_changed', [...bindPair(), req({ littleEndian: false, callId: 2, opnum: 4 })], ['byte_order_changed']],
  ['object_uuid_on_request', [...bindPair(true, [ctx(0, EPM)]), req({ callId: 2, opnum: 3, objectUuid: IREMUNKNOWN.uuid })], ['object_uuid_on_request']],
  ['object UUID changing between fragments', [...bindPair(true, [ctx(0, IREMUNKNOWN)]), req({ callId: 2, opnum: 3, flags: FIRST, objectUuid: EPM.uuid, allocHint: 0 }), req({ callId: 2, opnum: 3, flags: LAST, allocHint: 0 })], ['object_uuid_on_request']],
  ['auth_trailer_missing', [...bindPair(), req({ callId: 2, opnum: 4, flags: FIRST, allocHint: 0, auth: { authType: 10, authLevel: 6, authValue: new Uint8Array(16) } }), req({ callId: 2, opnum: 4, flags: LAST, allocHint: 0 })], ['auth_trailer_missing']],
  ['response_without_request', [...bindPair(), ['to_client', encodeResponse({ callId: 9 })]], ['response_without_request']],
  ['call_id_reused', [...bindPair(), req({ callId: 2, opnum: 4 }), req({ callId: 2, opnum: 4 })], ['call_id_reused']],
  ['ptype_wrong_direction', [...bindPair(), ['to_client', encodeRequest({ callId: 2, opnum: 4 })]], ['ptype_wrong_direction']],
  ['truncated_pdu at close', [['to_server', encodeBind({ contexts: [ctx(0)] }).subarray(0, 30)]], ['truncated_pdu']],
];

test('anomaly table: each session raises exactly its anomalies', () => {
  for (const [what, steps, names, opts] of ANOMALY_TABLE) {
    assert.deepEqual(run(steps, opts).names, names, what);
  }
});

test('every limit is enforced with a named anomaly and the data is truncated, never grown', () => {
  const frags = (n: number, callId: number): Step[] => Array.from({ length: n }, (_, i) => req({ callId, opnum: 4, allocHint: 0, flags: (i === 0 ? FIRST : 0) | (i === n - 1 ? LAST : 0), stub: new Uint8Array(10) }));
  const stub = run([...bindPair(), ...frags(5, 2)], { limits: { maxStubBytesPerCall: 25 } });
  assert.deepEqual(stub.names, ['too_much_fragment_data']);
  assert.equal(stub.requests[0].stub.length, 25);
  assert.equal(stub.requests[0].truncated, true);
  assert.equal(stub.calls[0].reqStubLen, 50, 'the record still counts what was sent');
  const held = run([...bindPair(), ...frags(2, 2).slice(0, 1), ...frags(3, 3)], { limits: { maxStubBytesPerConnection: 25 } });
  assert.deepEqual(held.names, ['too_much_fragment_data'], 'call 2 holds 10 bytes, call 3 may hold 15');
  assert.deepEqual(held.requests.map((q) => [q.callId, q.stub.length, q.truncated]), [[3, 15, true]]);
  const many = run([...bindPair(), ...frags(5, 2)], { limits: { maxFragmentsPerCall: 3 } });
  assert.deepEqual(many.names, ['too_much_fragment_data']);
  assert.equal(many.requests[0].stub.length, 30);
  const open = run([...bindPair(), req({ callId: 2, opnum: 1 }), req({ callId: 3, opnum: 1 }), req({ callId: 4, opnum: 1 })], { limits: { maxOpenCalls: 2 } });
  assert.deepEqual(open.names, ['too_many_open_calls']);
  assert.deepEqual(open.calls.map((c) => c.callId), [2, 3, 4], 'the oldest call is recorded when evicted');
  const reasm = run([...bindPair(), req({ callId: 2, opnum: 1, flags: FIRST, allocHint: 0 }), req({ callId: 3, opnum: 1, flags: FIRST, allocHint: 0 }), req({ callId: 3, opnum: 1, flags: LAST, allocHint: 0 })], { limits: { maxConcurrentReassemblies: 1 } });
  assert.deepEqual(reasm.names, ['too_many_open_calls']);
  assert.equal(reasm.requests[0].truncated, true);
  const contexts = run(bindPair(true, [ctx(0), ctx(1), ctx(2)]), { limits: { maxContexts: 2 } });
  assert.deepEqual(contexts.names, ['too_many_contexts']);
  assert.equal(contexts.conn.presentationContexts.size, 2);
  const frag = run([...bindPair(), req({ callId: 2, opnum: 1, stub: new Uint8Array(100) })], { limits: { maxFragLength: 64 } });
  assert.deepEqual(frag.names, ['frag_length_exceeds_limit', 'resync_garbage_skipped']);
  assert.throws(() => resolveDcerpcLimits({ maxOpenCalls: 0 }), /maxOpenCalls/);
  assert.throws(() => resolveDcerpcLimits({ maxFragLength: 70000 }), /maxFragLength/);
});

test('a real Kerberos-authenticated activation session from the corpus, PDU by PDU', () => {
  const steps: Step[] = [
    ['to_server', vector('k135-bind')], ['to_client', vector('k135-bind-ack')],
    ['to_server', vector('k135-alter-context')], ['to_client', vector('k135-alter-context-resp')],
    ['to_server', vector('k135-request')], ['to_client', vector('k135-response')],
  ];
  const r = run(steps, {}, 1460);
  assert.deepEqual(r.names, []);
  assertActivation(r, 'zeek kerberos135_auth');
  assert.deepEqual([r.calls[0].reqStubLen, r.calls[0].respStubLen, r.calls[0].respFrags], [800, 928, 1]);
  // by default the interface decoders read the activation arguments of the completed request
  const decoded = run(steps, { decodeStub: undefined }, 1460);
  assert.equal(decoded.calls[0].activation?.method, 'RemoteCreateInstance');
});

test('gap() ends a PDU cut by lost segments and resynchronises', () => {
  const names: string[] = [];
  const reqs: CompletedRequest[] = [];
  const conn = new DcerpcConnection({ decodeStub: false, onRequest: (q) => reqs.push(q), onAnomaly: (a) => names.push(a.name) });
  for (const [dir, bytes] of bindPair()) conn.feed(dir, bytes, 1);
  const req = encodeRequest({ callId: 2, opnum: 4, stub: ACTIVATION_STUB });
  conn.feed('to_server', req.subarray(0, 100), 2);
  conn.gap('to_server');
  conn.feed('to_server', new Uint8Array(50).fill(0x41), 3); // the rest of the cut PDU's bytes, after the hole
  conn.feed('to_server', encodeRequest({ callId: 3, opnum: 4, stub: ACTIVATION_STUB }), 4);
  conn.close(5);
  assert.deepEqual(names, ['truncated_pdu', 'bad_version', 'resync_garbage_skipped']);
  assert.deepEqual(reqs.map((q) => [q.callId, q.stub.length]), [[3, 800]]);
});
