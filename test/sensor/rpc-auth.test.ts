// NTLM-authenticated binds against the persona on 135, driven with the project's own codecs: the
// bind_ack's verifier carries a CHALLENGE naming the persona, auth3 gets no answer and any claimed
// user is accepted, signed requests get signed-shape replies, sealed ones a fault and a close, and
// maxAuthContexts bounds the security contexts one connection may open.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUTHN, AUTHN_LEVEL, encodeAlterContext, encodeAuth3, encodeBind, encodeRequest, type AuthSpec, type BindAckPdu, type FaultPdu, type ResponsePdu,
} from '../../src/protocols/dcerpc/index.js';
import { decodeNtlmssp, encodeAuthenticate, encodeNegotiate, NTLM_FLAGS, type NtlmChallenge } from '../../src/protocols/ntlm/ntlmssp.js';
import { decodeInqIfIdsResponse } from '../../src/protocols/dcerpc/interfaces/index.js';
import { SERVED_ON_135 } from '../../src/sensor/persona/persona-interfaces.js';
import { startSensor, waitFor, type Harness } from './sensor-harness.js';
import { RpcTestClient, ctx } from './rpc-client.js';

const MGMT = 'afa8bd80-7d8a-11c9-bef4-08002b102989';
const persona = { hostname: 'AUTHHOST', domain: 'LAB', os: 'windows-xp-sp2' as const, addresses: ['10.1.2.3'] };

let h: Harness;
before(async () => {
  h = await startSensor({ persona, dcerpcLimits: { maxAuthContexts: 2 } });
});
after(async () => {
  await h.stop();
});

const negotiate = encodeNegotiate({ flags: NTLM_FLAGS.UNICODE | NTLM_FLAGS.NTLM | NTLM_FLAGS.SIGN | NTLM_FLAGS.EXTENDED_SESSIONSECURITY });
const authenticate = encodeAuthenticate({
  flags: NTLM_FLAGS.UNICODE | NTLM_FLAGS.NTLM, domain: 'EVIL', user: 'eve', workstation: 'EVE-PC',
  lmResponse: new Uint8Array(24), ntResponse: new Uint8Array(24).fill(7),
});
const verifier = (level: number, value: Uint8Array, contextId = 79231): AuthSpec => ({ authType: AUTHN.WINNT, authLevel: level, authContextId: contextId, authValue: value });

async function handshake(c: RpcTestClient, level: number, contextId = 79231): Promise<BindAckPdu> {
  c.send(encodeBind({ callId: 1, contexts: [ctx(0, MGMT, 1)], auth: verifier(level, negotiate, contextId) }));
  const ack = (await c.next()) as BindAckPdu;
  c.send(encodeAuth3({ callId: 1, auth: verifier(level, authenticate, contextId) }));
  return ack;
}

test('a bind with an NTLMSSP NEGOTIATE gets the persona CHALLENGE in the bind_ack verifier; auth3 is accepted', async () => {
  const c = await RpcTestClient.connect(h.port(135));
  const ack = await handshake(c, AUTHN_LEVEL.CONNECT);
  assert.equal(ack.type, 'bind_ack');
  assert.equal(ack.results[0].result, 0);
  assert.deepEqual([ack.auth?.authType, ack.auth?.authLevel, ack.auth?.authContextId, ack.auth?.authPadLength], [AUTHN.WINNT, 2, 79231, 0]);
  const ch = decodeNtlmssp(ack.auth!.authValue) as NtlmChallenge;
  assert.equal(ch.type, 2);
  assert.deepEqual([ch.targetName, ch.targetInfo.nbComputer, ch.targetInfo.nbDomain], ['LAB', 'AUTHHOST', 'LAB']);
  assert.deepEqual(ch.version, { major: 5, minor: 1, build: 2600, revision: 15 });
  // auth3 has no answer: the next PDU is the response to the call
  const r = await c.call(0, new Uint8Array(0), { callId: 2 });
  assert.equal(r.pdus[0].type, 'response');
  assert.equal(decodeInqIfIdsResponse(r.stub, true).value.ifIds?.length, SERVED_ON_135.length);
  c.close();
  const s = await waitFor('the session', () => h.sink.sessions.find((x) => x.transcript?.entries.some((e) => e.text.includes('EVE-PC'))));
  assert.ok(s.transcript!.entries.some((e) => e.text === 'DCE/RPC NTLMSSP AUTHENTICATE user EVIL\\\\eve from EVE-PC'));
});

test('an alter_context with a NEGOTIATE is answered like a bind (alter_context_resp with the CHALLENGE)', async () => {
  const c = await RpcTestClient.connect(h.port(135));
  await c.bind([ctx(0, MGMT, 1)]);
  c.send(encodeAlterContext({ callId: 2, contexts: [ctx(1, MGMT, 1)], auth: verifier(AUTHN_LEVEL.PKT_INTEGRITY, negotiate, 5) }));
  const resp = (await c.next()) as BindAckPdu;
  assert.equal(resp.type, 'alter_context_resp');
  assert.equal(decodeNtlmssp(resp.auth!.authValue)?.type, 2);
  c.close();
});

test('packet integrity: the response carries a verifier, 16-aligned from the body, with a signature-shaped value', async () => {
  const c = await RpcTestClient.connect(h.port(135));
  await handshake(c, AUTHN_LEVEL.PKT_INTEGRITY);
  c.send(encodeRequest({ callId: 2, opnum: 0, auth: verifier(AUTHN_LEVEL.PKT_INTEGRITY, new Uint8Array(16)) }));
  const r = (await c.next()) as ResponsePdu;
  assert.equal(r.type, 'response');
  assert.deepEqual([r.auth?.authLevel, r.auth?.authValue.length, r.auth!.trailerOffset % 16], [5, 16, 0]);
  assert.equal(Buffer.from(r.auth!.authValue).readUInt32LE(0), 1); // NTLMSSP_MESSAGE_SIGNATURE version
  assert.equal(decodeInqIfIdsResponse(r.stub, true).value.ifIds?.length, SERVED_ON_135.length);
  c.close();
});

test('packet privacy: the sealed request is recorded sealed, never decoded, faulted access denied, and the connection closed', async () => {
  const c = await RpcTestClient.connect(h.port(135));
  await handshake(c, AUTHN_LEVEL.PKT_PRIVACY, 9);
  c.send(encodeRequest({ callId: 2, opnum: 0, stub: new Uint8Array(32).fill(0xee), auth: verifier(AUTHN_LEVEL.PKT_PRIVACY, new Uint8Array(16), 9) }));
  const f = (await c.next()) as FaultPdu;
  assert.deepEqual([f.type, f.status, f.header.flags & 0x20], ['fault', 5, 0]);
  await waitFor('the close', () => c.closed);
  const s = await waitFor('the sealed call', () => h.sink.sessions.find((x) => x.calls.some((k) => k.sealed === true)));
  const call = s.calls.find((k) => k.sealed === true)!;
  assert.deepEqual([call.operation, call.authLevel, call.reqStubLen, call.faultStatus], ['inq_if_ids', 6, 32, 5]);
});

test('maxAuthContexts: a bind for one security context more is acknowledged without a verifier, and the limit is recorded', async () => {
  const c = await RpcTestClient.connect(h.port(135));
  const acks: BindAckPdu[] = [];
  for (let i = 0; i < 3; i++) {
    c.send(encodeAlterContext({ callId: 10 + i, contexts: [ctx(i, MGMT, 1)], auth: verifier(AUTHN_LEVEL.CONNECT, negotiate, 100 + i) }));
    acks.push((await c.next()) as BindAckPdu);
  }
  assert.deepEqual(acks.map((a) => a.auth !== undefined), [true, true, false]);
  c.close();
  const s = await waitFor('the limited session', () => h.sink.sessions.find((x) => x.limitsHit.includes('dcerpc_max_auth_contexts')));
  assert.ok(s);
});
