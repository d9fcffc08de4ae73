// The fleet message format: what a sensor's batch becomes (ids, subjects, chunking) and what the
// hub accepts, with a table of refused inputs and their reasons.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventIds, MAX_EVENTS_PER_MESSAGE, MAX_EVENT_ID_CHARS, MAX_MESSAGE_BYTES, decodeHeartbeat, decodeMessage, toMessages, type FleetRecord } from '../../src/fleet/fleet-wire.js';
import { T0, activationCall, connEvent, makeSession } from '../store/fixtures.js';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('fleet wire format', () => {
  it('turns a batch into one message per session (id = session id) and events in order, chunked', () => {
    const s1 = makeSession({ calls: [activationCall(T0)] });
    const s2 = makeSession();
    const events = Array.from({ length: MAX_EVENTS_PER_MESSAGE + 3 }, (_, i) => connEvent({ ts: T0 + i, session: s1.id }));
    const batch: FleetRecord[] = [{ kind: 'session', session: s1, payload: new Uint8Array([0x41, 0x42, 0]) }, ...events.map((event) => ({ kind: 'event' as const, event })), { kind: 'session', session: s2 }];
    const msgs = toMessages('dmz-1', batch, new EventIds('dmz-1-boot'));
    const last = `${s1.id}:conn:${MAX_EVENTS_PER_MESSAGE}`;
    assert.deepEqual(msgs.map((m) => [m.subject, m.id]), [
      ['vigil.fleet.dmz-1.session', s1.id],
      ['vigil.fleet.dmz-1.events', `${s1.id}:conn:0+${MAX_EVENTS_PER_MESSAGE}`],
      ['vigil.fleet.dmz-1.session', s2.id],
      ['vigil.fleet.dmz-1.events', `${last}+3`],
    ]);
    const d0 = decodeMessage(msgs[0].subject, enc(msgs[0].body));
    assert.ok(d0.ok && d0.kind === 'session');
    assert.deepEqual(d0.session, { ...s1, sensor: 'dmz-1' });
    assert.deepEqual([...d0.payload!], [0x41, 0x42, 0]);
    const d1 = decodeMessage(msgs[1].subject, enc(msgs[1].body));
    const d3 = decodeMessage(msgs[3].subject, enc(msgs[3].body));
    assert.ok(d1.ok && d1.kind === 'events' && d3.ok && d3.kind === 'events');
    assert.deepEqual([...d1.events, ...d3.events], events.map((e, i) => ({ ...e, id: `${s1.id}:conn:${i}` })));
  });

  it('gives each event a stable id: the session, the type and its place among the session\'s events', () => {
    const ids = new EventIds('east-b00t');
    const a = ids.assign(connEvent({ ts: T0, session: 'S1' }));
    const b = ids.assign({ ...connEvent({ ts: T0 + 1, session: 'S1' }), type: 'payload', text: 'dir' } as never);
    const c = ids.assign(connEvent({ ts: T0 + 2 }));
    assert.deepEqual([a.id, b.id, c.id], ['S1:conn:0', 'S1:payload:1', 'east-b00t:conn:0']);
    assert.equal(ids.assign(a).id, 'S1:conn:0', 'an id once given stays');
    const bad = decodeMessage('vigil.fleet.east.events', enc({ v: 1, events: [{ ...a, id: 'x'.repeat(MAX_EVENT_ID_CHARS + 1) }] }));
    assert.ok(!bad.ok && bad.reason === 'bad_shape');
  });

  it('takes the sensor name from the subject, whatever the body claims', () => {
    const d = decodeMessage('vigil.fleet.east.session', enc({ v: 1, session: makeSession({ sensor: 'west' }) }));
    assert.ok(d.ok && d.kind === 'session' && d.session.sensor === 'east');
  });

  it('refuses hostile or malformed messages with a named reason', () => {
    const good = { v: 1, session: makeSession() };
    const table: [string, Uint8Array, string][] = [
      ['vigil.fleet.a.b.session', enc(good), 'bad_subject'],
      ['vigil.fleet.*.session', enc(good), 'bad_subject'],
      ['other.fleet.a.session', enc(good), 'bad_subject'],
      ['vigil.fleet.a.alerts', enc(good), 'bad_subject'],
      ['vigil.fleet.a.session', new Uint8Array(MAX_MESSAGE_BYTES + 1), 'too_large'],
      ['vigil.fleet.a.session', enc('{"v":1,'), 'bad_json'],
      ['vigil.fleet.a.session', enc({ v: 2, session: good.session }), 'bad_shape'],
      ['vigil.fleet.a.session', enc({ v: 1, session: { id: 7 } }), 'bad_shape'],
      ['vigil.fleet.a.session', enc({ v: 1, session: good.session, payload: 12 }), 'bad_shape'],
      ['vigil.fleet.a.session', enc([1, 2]), 'bad_shape'],
      ['vigil.fleet.a.events', enc({ v: 1, events: 'many' }), 'bad_shape'],
      ['vigil.fleet.a.events', enc({ v: 1, events: [{ type: 'conn', ts: T0, source: 'sensor', dport: 135 }] }), 'bad_shape'],
      ['vigil.fleet.a.events', enc({ v: 1, events: Array.from({ length: MAX_EVENTS_PER_MESSAGE + 1 }, () => connEvent({ ts: T0 })) }), 'too_many_events'],
    ];
    for (const [subject, data, reason] of table) {
      const d = decodeMessage(subject, data);
      assert.equal(d.ok, false, subject);
      assert.equal(!d.ok && d.reason, reason, `${subject} ${Buffer.from(data.subarray(0, 40)).toString()}`);
    }
  });

  it('reads a heartbeat and ignores a malformed or oversized one', () => {
    const beat = { v: 1, version: '0.1.0', spoolBytes: 10, spooled: 2, dropped: 0, ts: T0 };
    assert.deepEqual(decodeHeartbeat('vigil.health.east', enc(beat)), { sensor: 'east', beat });
    for (const [subject, body] of [
      ['vigil.health.a.b', beat], ['vigil.health.*', beat], ['vigil.health.east', { ...beat, spoolBytes: -1 }], ['vigil.health.east', { ...beat, version: 'x'.repeat(65) }],
      ['vigil.health.east', { ...beat, v: 2 }], ['vigil.health.east', 'junk'], ['vigil.health.east', { ...beat, pad: 'x'.repeat(5000) }],
    ] as const) assert.equal(decodeHeartbeat(subject, enc(body)), undefined, `${subject} ${JSON.stringify(body).slice(0, 60)}`);
  });
});
