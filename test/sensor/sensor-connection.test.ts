// One connection as the listener wires it: the connection is its responder's context (send, end,
// emit), a responder that throws becomes a protocol_violation anomaly and an 'error' close, and the
// finished session comes back exactly once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { SensorConnection, type ConnectionDeps } from '../../src/sensor/sensor-connection.js';
import { SessionRecorder } from '../../src/sensor/session-recorder.js';
import { resolveSensorLimits } from '../../src/sensor/sensor-limits.js';
import { PortTally } from '../../src/sensor/sensor-metrics.js';
import { DEFAULT_PERSONA } from '../../src/sensor/sensor-types.js';
import { resolveDcerpcLimits } from '../../src/protocols/dcerpc/dcerpc-limits.js';
import type { Responder, ResponderContext } from '../../src/sensor/responders/responder-types.js';
import { PduDecoder } from '../../src/protocols/dcerpc/pdu-decode.js';
import { AssocGroupIds } from '../../src/sensor/responders/assoc-group-ids.js';
import { CallNames } from '../../src/kb/call-names.js';
import type { VigilEvent } from '../../src/model/event.js';
import { openClient, readAll } from './sensor-harness.js';

interface Run {
  readonly closed: SensorConnection[];
  readonly events: VigilEvent[];
  readonly got: Promise<{ data: Buffer; closed: boolean }>;
  readonly server: Server;
}

/** A server whose one connection gets `responder`; `client` drives the peer side. */
async function run(responder: (ctx: ResponderContext) => Responder, client: (s: Socket) => void): Promise<Run> {
  const closed: SensorConnection[] = [];
  const events: VigilEvent[] = [];
  const limits = resolveSensorLimits();
  const deps: ConnectionDeps = {
    limits, persona: DEFAULT_PERSONA, basePort: 9, dcerpc: resolveDcerpcLimits(), dcerpcOverrides: {}, rpc: { decoder: new PduDecoder(), assocGroupIds: new AssocGroupIds(), names: new CallNames().lookup }, tally: new PortTally(), throttle: () => 0,
    now: () => 1000, emit: (e) => events.push(e), onClosed: (c) => closed.push(c),
  };
  const server = createServer((socket) => {
    const flow = { proto: 'tcp' as const, src: '127.0.0.1', sport: socket.remotePort ?? 0, dst: '127.0.0.1', dport: 9 };
    new SensorConnection(socket, new SessionRecorder('test-session', flow, 1000, 'test', limits, () => undefined), responder, deps);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const s = await openClient((server.address() as { port: number }).port);
  const got = readAll(s);
  client(s);
  return { closed, events, got, server };
}

test('send, emit and end through the connection as context: bytes counted, graceful close, one session', async () => {
  const r = await run((ctx) => ({
    start: () => ctx.send(Buffer.from('hello ')),
    data: (chunk) => {
      ctx.send(Buffer.from(`got ${chunk.length}`));
      ctx.emit({ type: 'payload', ts: ctx.now(), source: 'sensor', src: ctx.record.flow.src, dst: ctx.record.flow.dst, proto: 'tcp', sport: ctx.record.flow.sport, dport: ctx.basePort, session: ctx.record.id, text: 'x' });
      ctx.end();
    },
    finish: () => undefined,
  }), (s) => s.write('abc'));
  const got = await r.got;
  assert.equal(got.data.toString(), 'hello got 3');
  assert.equal(got.closed, true);
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(r.closed.length, 1);
  const rec = r.closed[0].record;
  assert.equal(rec.bytesIn, 3);
  assert.equal(rec.bytesOut, 11);
  assert.equal(rec.closeReason, 'peer_closed');
  assert.equal(r.events.length, 1);
  assert.equal(r.events[0].dport, 9);
  r.server.close();
});

for (const where of ['start', 'data', 'finish'] as const) {
  test(`a responder throwing in ${where} becomes a protocol_violation anomaly, and the session still comes back once`, async () => {
    const boom = (): never => {
      throw new Error(`boom in ${where}`);
    };
    const r = await run(() => ({
      start: where === 'start' ? boom : () => undefined,
      data: where === 'data' ? boom : () => undefined,
      finish: where === 'finish' ? boom : () => undefined,
    }), (s) => (where === 'finish' ? s.end('x') : s.write('x')));
    assert.equal((await r.got).closed, true);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(r.closed.length, 1);
    const out = r.closed[0].record.finish(2000, 'test').session;
    assert.deepEqual(out.anomalies.map((a) => [a.name, a.detail]), [['protocol_violation', `responder error: boom in ${where}`]]);
    if (where !== 'finish') assert.equal(out.closeReason, 'error');
    r.server.close();
  });
}
