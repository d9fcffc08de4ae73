// Each anomaly reaches the record and the detectors once: one a call carries travels inside that
// call (its session record and its call event), one that concerns no call as an anomaly event.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSensor, waitFor } from './sensor-harness.js';
import { RpcTestClient } from './rpc-client.js';
import { encodeRequest } from '../../src/protocols/dcerpc/index.js';

test('a request on a context never bound: the anomaly rides on its call, never twice', async () => {
  const h = await startSensor();
  try {
    const c = await RpcTestClient.connect(h.port(135));
    c.send(encodeRequest({ callId: 5, opnum: 0, ctxId: 9, stub: new Uint8Array(8) }));
    await c.nextRaw(); // the fault (nca_unk_if)
    c.close();
    const s = await waitFor('session', () => h.sink.sessions[0]);
    assert.deepEqual(s.calls.map((k) => k.anomalies.map((a) => a.name)), [['request_on_unknown_context']]);
    assert.equal(s.anomalies.filter((a) => a.name === 'request_on_unknown_context').length, 0, 'not again on the session');
    const events = h.sink.events;
    assert.equal(events.filter((e) => e.type === 'anomaly' && e.anomaly.name === 'request_on_unknown_context').length, 0, 'no anomaly event beside the call event');
    const calls = events.filter((e) => e.type === 'call');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].type === 'call' && calls[0].call.anomalies[0].name, 'request_on_unknown_context');
  } finally {
    await h.stop();
  }
});
