// The same decoded call must come out of an activation request however it is delivered (issue 2,
// "Done means"): each generated variant is fed to DcerpcConnection and compared with the reference.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DcerpcConnection, type CompletedRequest } from '../../../src/protocols/dcerpc/index.js';
import { decodeRequestStub } from '../../../src/protocols/dcerpc/interfaces/index.js';
import { NDR64_SYNTAX_UUID } from '../../../src/protocols/dcerpc/ndr/index.js';
import type { CallRecord } from '../../../src/model/call.js';
import { activationCall, deliveryVariants, inertUncName, type ActivationKind } from '../../helpers/delivery-variants.js';

function deliver(chunks: readonly Uint8Array[]): { requests: CompletedRequest[]; calls: CallRecord[] } {
  const requests: CompletedRequest[] = [];
  const calls: CallRecord[] = [];
  const conn = new DcerpcConnection({
    decodeStub: (r) => decodeRequestStub({ ifaceUuid: r.ifaceUuid, opnum: r.opnum, stub: r.stub, littleEndian: r.littleEndian, transferSyntax: r.transferSyntax }),
    onRequest: (r) => requests.push(r),
    onCall: (c) => calls.push(c),
  });
  let ts = 1_000;
  for (const c of chunks) conn.feed('to_server', c, ts++);
  conn.close(ts);
  return { requests, calls };
}

for (const kind of ['RemoteActivation', 'RemoteCreateInstance', 'RemoteGetClassObject'] as ActivationKind[]) {
  const call = activationCall(kind, inertUncName(600, 'A'));
  const reference = decodeRequestStub({ ifaceUuid: call.iface.uuid, opnum: call.opnum, stub: call.stub(true), littleEndian: true });

  test(`${kind}: the reference call decodes to a 600-character UNC server of filler`, () => {
    assert.deepEqual(reference?.anomalies, []);
    assert.equal(reference?.activation?.uncServer, 'A'.repeat(600));
    assert.equal(reference?.activation?.uncServerLength, 600);
  });

  for (const v of deliveryVariants(call)) {
    test(`${kind} delivered as: ${v.name}`, () => {
      const { requests, calls } = deliver(v.chunks);
      assert.equal(requests.length, 1, 'one completed request');
      const [r] = requests;
      assert.equal(r.ifaceUuid, call.iface.uuid);
      assert.equal(r.opnum, call.opnum);
      assert.equal(r.truncated, false);
      assert.deepEqual(Buffer.from(r.stub), Buffer.from(call.stub(v.littleEndian)));
      assert.notEqual(r.transferSyntax?.uuid, NDR64_SYNTAX_UUID, 'landed on an NDR64 context');
      const d = decodeRequestStub({ ifaceUuid: r.ifaceUuid, opnum: r.opnum, stub: r.stub, littleEndian: r.littleEndian });
      assert.deepEqual(d?.activation, reference?.activation);
      assert.deepEqual(d?.anomalies, []);
      const rec = calls.find((c) => c.callId === 7);
      assert.deepEqual(rec?.activation, reference?.activation);
    });
  }
}
