// The allocation-saving paths of the DCE/RPC pipeline decode exactly what the plain paths decode:
// an owner's PduDecoder at an offset vs decodePdu on a copy, the framer's range sink vs its view sink, the
// cached UUID text vs a fresh formatting, and stubs lent to the built-in decoder never reach owners.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uuidAt } from '../../../src/core/byte-reader.js';
import {
  DcerpcConnection,
  DcerpcFramer,
  decodePdu,
  encodeBind,
  encodeBindAck,
  encodeRequest,
  encodeResponse,
  isPdu,
  PduDecoder,
  TRANSFER_SYNTAX,
  type CompletedRequest,
} from '../../../src/protocols/dcerpc/index.js';

const ISYSTEM_ACTIVATOR = { uuid: '000001a0-0000-0000-c000-000000000046', versionMajor: 0, versionMinor: 0 };

function samples(le: boolean): Uint8Array[] {
  const o = { littleEndian: le };
  const auth = { authType: 10, authLevel: 6, authPadLength: 3, authValue: new Uint8Array(16).fill(0x41) };
  return [
    encodeBind({ ...o, contexts: [{ ctxId: 1, abstractSyntax: ISYSTEM_ACTIVATOR, transferSyntaxes: [TRANSFER_SYNTAX.NDR, TRANSFER_SYNTAX.NDR64] }] }),
    // secondary address of odd length: the result list is aligned from the PDU's first byte
    encodeBindAck({ ...o, secondaryAddress: '13', results: [{ result: 0, reason: 0, transferSyntax: TRANSFER_SYNTAX.NDR }] }),
    encodeRequest({ ...o, callId: 7, opnum: 4, ctxId: 1, stub: new Uint8Array(29).fill(0x41), auth }),
    encodeResponse({ ...o, callId: 7, stub: new Uint8Array(5).fill(0x42) }),
  ];
}

/** `pdu` placed at an odd offset inside a larger buffer with filler around it. */
function embedded(pdu: Uint8Array, at: number): Uint8Array {
  const buf = new Uint8Array(at + pdu.length + 9).fill(0x41);
  buf.set(pdu, at);
  return buf;
}

for (const le of [true, false]) {
  test(`a decoder reused at an offset decodes what decodePdu decodes (${le ? 'little' : 'big'}-endian)`, () => {
    const decoder = new PduDecoder(); // one for every PDU, as a sensor's connections share theirs
    for (const pdu of samples(le)) {
      const plain = decodePdu(pdu);
      assert.ok(plain.ok);
      const buf = embedded(pdu, 13);
      const r = decoder.decodeAt(buf, 13, 13 + pdu.length, 65535);
      assert.ok(isPdu(r));
      assert.deepEqual(r, plain.pdu);
      assert.deepEqual(decoder.found, plain.anomalies);
    }
  });
}

test('a decoder rejects what decodePdu rejects, with the same anomaly and nothing left in its list', () => {
  const pdu = encodeRequest({ callId: 9, opnum: 0, stub: new Uint8Array(8) });
  const cut = pdu.subarray(0, 20); // header claims more than is present
  const plain = decodePdu(cut);
  assert.equal(plain.ok, false);
  const decoder = new PduDecoder();
  // a minor version 2 leaves an anomaly in the list; the rejection after it must clear it
  const odd = encodeRequest({ callId: 8, opnum: 0, stub: new Uint8Array(8) });
  odd[1] = 2;
  assert.ok(isPdu(decoder.decodeAt(odd, 0, odd.length, 65535)));
  assert.equal(decoder.found.length, 1);
  const r = decoder.decodeAt(embedded(cut, 5), 5, 25, 65535);
  assert.equal(isPdu(r), false);
  assert.deepEqual(r, plain.ok ? undefined : plain.anomaly);
  assert.deepEqual(decoder.found, []);
});

test('cached UUID text equals fresh text for UUIDs sharing a cache slot and for both byte orders', () => {
  const reference = (b: Uint8Array, le: boolean): string => {
    const h = Buffer.from(b).toString('hex');
    const swap = (s: string): string => (le ? s.match(/../g)!.reverse().join('') : s);
    return `${swap(h.slice(0, 8))}-${swap(h.slice(8, 12))}-${swap(h.slice(12, 16))}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  // same bytes at positions 0, 5, 9 and 15 (the slot hash), different elsewhere
  const base = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
  for (let round = 0; round < 3; round++) {
    for (let k = 0; k < 40; k++) {
      const b = base.slice();
      b[1] = k;
      b[12] = 255 - k;
      for (const le of [true, false]) assert.equal(uuidAt(embedded(b, 2), 2, le), reference(b, le));
    }
  }
});

test('an onRequest receiver owns its stub even when the built-in decoder reads a lent one', () => {
  const seen: CompletedRequest[] = [];
  const conn = new DcerpcConnection({ onRequest: (r) => seen.push(r) });
  const buf = embedded(encodeRequest({ callId: 1, opnum: 3, stub: new Uint8Array(24).fill(0x41) }), 4);
  conn.feed('to_server', buf.subarray(4, buf.length - 9), 0);
  buf.fill(0); // the capture reader reuses its block
  assert.equal(seen.length, 1);
  assert.deepEqual([...seen[0].stub], new Array(24).fill(0x41));
});
