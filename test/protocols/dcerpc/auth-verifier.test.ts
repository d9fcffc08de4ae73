// The auth verifier as Vigil appends and reads it (MS-RPCE 2.2.2.11 sec_trailer): appendAuthVerifier
// against the encoder's own verifier in both byte orders, its alignment, its bound; and NTLMSSP in
// bind-family verifiers reaching the connection's onNtlm before onPdu, sealed calls left undecoded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../../src/core/hex.js';
import {
  AUTHN, DcerpcConnection, appendAuthVerifier, decodePdu, encodeAuth3, encodeBind, encodeBindAck, encodeRequest, encodeResponse,
  TRANSFER_SYNTAX, type Pdu,
} from '../../../src/protocols/dcerpc/index.js';
import { encodeAuthenticate, encodeNegotiate, NTLM_FLAGS, type NtlmMessage } from '../../../src/protocols/ntlm/ntlmssp.js';
import type { CallRecord } from '../../../src/model/call.js';

const value = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
const spec = { authType: AUTHN.WINNT, authLevel: 5, authContextId: 0x01020304, authValue: value };
const ISYSTEMACTIVATOR = { uuid: '000001a0-0000-0000-c000-000000000046', versionMajor: 0, versionMinor: 0 };

for (const littleEndian of [true, false]) {
  test(`appendAuthVerifier equals the encoder's own verifier (${littleEndian ? 'little' : 'big'}-endian)`, () => {
    const ack = { littleEndian, callId: 3, secondaryAddress: '135', results: [{ result: 0, reason: 0, transferSyntax: TRANSFER_SYNTAX.NDR }] };
    assert.equal(toHex(appendAuthVerifier(encodeBindAck(ack), spec)), toHex(encodeBindAck({ ...ack, auth: spec })));
    const resp = { littleEndian, callId: 3, stub: new Uint8Array(5).fill(0xaa) };
    const got = decodePdu(appendAuthVerifier(encodeResponse(resp), spec, 16));
    assert.ok(got.ok);
    const a = got.pdu.auth!;
    // body = 8 header bytes + 5 stub bytes: 3 bytes of padding bring the trailer to 16 from the body
    assert.deepEqual([a.authType, a.authLevel, a.authPadLength, a.authContextId, a.trailerOffset, toHex(a.authValue)], [10, 5, 3, 0x01020304, 32, toHex(value)]);
    assert.equal(toHex((got.pdu as { stub: Uint8Array }).stub), 'aaaaaaaaaa');
  });
}

test('appendAuthVerifier refuses a PDU that would pass frag_length 65535', () => {
  const big = encodeResponse({ stub: new Uint8Array(65535 - 24 - 8) });
  assert.throws(() => appendAuthVerifier(big, spec), /VIGIL_ERR_BAD_ARGUMENT|65535/);
});

test('NTLMSSP in bind and auth3 verifiers reaches onNtlm before onPdu; a sealed call is not stub-decoded', () => {
  const seen: string[] = [];
  const ntlm: NtlmMessage[] = [];
  const calls: CallRecord[] = [];
  const conn = new DcerpcConnection({
    onNtlm: (dir, m, pdu: Pdu) => (ntlm.push(m), seen.push(`ntlm ${m.type} ${pdu.type} ${dir}`)),
    onPdu: (dir, pdu) => seen.push(`pdu ${pdu.type}`),
    onCall: (c) => calls.push(c),
  });
  const neg = encodeNegotiate({ flags: NTLM_FLAGS.NTLM, workstation: 'WS' });
  const auth = encodeAuthenticate({ flags: NTLM_FLAGS.UNICODE, domain: 'D', user: 'u', workstation: 'W', lmResponse: new Uint8Array(0), ntResponse: new Uint8Array(24) });
  conn.feed('to_server', encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: ISYSTEMACTIVATOR, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }], auth: { authType: 10, authLevel: 6, authValue: neg } }), 1);
  conn.feed('to_client', encodeBindAck({ callId: 1, results: [{ result: 0, reason: 0, transferSyntax: TRANSFER_SYNTAX.NDR }] }), 2);
  conn.feed('to_server', encodeAuth3({ callId: 1, auth: { authType: 10, authLevel: 6, authValue: auth } }), 3);
  // a sealed RemoteCreateInstance: opaque bytes that the activation decoder would otherwise read
  conn.feed('to_server', encodeRequest({ callId: 2, opnum: 4, stub: new Uint8Array(64).fill(0x5a), auth: { authType: 10, authLevel: 6, authValue: new Uint8Array(16) } }), 4);
  conn.feed('to_client', encodeResponse({ callId: 2, stub: new Uint8Array(8), auth: { authType: 10, authLevel: 6, authValue: new Uint8Array(16) } }), 5);
  conn.close(6);
  assert.deepEqual(seen.slice(0, 5), ['ntlm 1 bind to_server', 'pdu bind', 'pdu bind_ack', 'ntlm 3 auth3 to_server', 'pdu auth3']);
  assert.deepEqual(ntlm.map((m) => (m.type === 3 ? `${m.domain}\\${m.user}@${m.workstation}` : m.type)), [1, 'D\\u@W']);
  assert.equal(calls.length, 1);
  assert.deepEqual([calls[0].sealed, calls[0].activation, calls[0].anomalies.length, calls[0].reqStubLen], [true, undefined, 0, 64]);
});
