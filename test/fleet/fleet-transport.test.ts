// The fleet transport against a real nats-server (JetStream) with the hub writing to a SQLite
// store: two sensors' sessions and events arrive once each, the spool carries a broker outage and
// replays in order, hostile messages are refused and counted, a full spool refuses and counts.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { ManualClock } from '../../src/core/clock.js';
import { isAppError } from '../../src/core/errors.js';
import { FleetHub } from '../../src/fleet/hub-consumer.js';
import { FleetPublisher } from '../../src/fleet/sensor-publisher.js';
import type { FleetRecord } from '../../src/fleet/fleet-wire.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { VigilEvent } from '../../src/model/event.js';
import { NatsServer, skipWithoutNats } from '../helpers/nats-server.js';
import { T0, activationCall, connEvent, makeSession } from '../store/fixtures.js';

const skip = skipWithoutNats();
if (skip) console.log(`# fleet transport tests skipped: ${skip}`);

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000, debug?: () => unknown): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}${debug ? `: ${JSON.stringify(debug())}` : ''}`);
}

async function countSessions(store: SqliteStore): Promise<number> {
  const r = await store.kysely.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

describe('fleet transport (nats-server JetStream -> hub -> store)', { skip }, () => {
  const ctx = { dir: '', nats: undefined as NatsServer | undefined, store: undefined as SqliteStore | undefined, hub: undefined as FleetHub | undefined, events: [] as VigilEvent[] };
  const publishers: FleetPublisher[] = [];
  const sensor = (name: string, extra: { maxSpoolBytes?: number } = {}): FleetPublisher => {
    const p = FleetPublisher.start({ sensor: name, nats: { url: ctx.nats!.url }, spoolDir: join(ctx.dir, `spool-${name}`), publishTimeoutMs: 1000, version: '9.9.9-test', heartbeatMs: 100, ...extra });
    publishers.push(p);
    return p;
  };

  before(async () => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-'));
    ctx.nats = await NatsServer.start();
    ctx.store = await openSqliteStore({ file: join(ctx.dir, 'hub.db'), background: false, clock: new ManualClock(T0) });
    ctx.hub = await FleetHub.start({ nats: { url: ctx.nats.url }, store: ctx.store, onEvents: (e) => ctx.events.push(...e) });
  });
  after(async () => {
    await Promise.all(publishers.map((p) => p.close()));
    await ctx.hub?.stop();
    await ctx.store?.close();
    await ctx.nats?.dispose();
    rmSync(ctx.dir, { recursive: true, force: true });
  });

  it('stores sessions (with calls and payload samples) and events of two sensors once each, under the sensor name of the subject', async () => {
    const [a, b] = [sensor('lab-a'), sensor('lab-b')];
    await until('both sensors connected', () => a.stats.connected && b.stats.connected);
    const payload = new TextEncoder().encode('filler bytes, not an exploit');
    const sa = Array.from({ length: 50 }, (_, i) => makeSession({ id: `A${String(i).padStart(4, '0')}`, sensor: 'forged', calls: i % 5 === 0 ? [activationCall(T0 + i)] : [] }));
    const sb = Array.from({ length: 50 }, (_, i) => makeSession({ id: `B${String(i).padStart(4, '0')}`, dport: 445 }));
    const recs = (ss: typeof sa, ev: VigilEvent[]): FleetRecord[] => [...ev.map((event) => ({ kind: 'event' as const, event })), ...ss.map((session, i) => ({ kind: 'session' as const, session, ...(i === 0 && { payload }) }))];
    await Promise.all([a.write(recs(sa.slice(0, 25), [connEvent({ ts: T0 })])), b.write(recs(sb.slice(0, 25), [connEvent({ ts: T0 + 1, dport: 445 })]))]);
    await Promise.all([a.write(recs(sa.slice(25), [])), b.write(recs(sb.slice(25), []))]);
    // The same sessions again (a sensor's replay after a lost ack): the server's duplicate window drops them.
    await a.write(recs(sa.slice(0, 10), []));
    assert.equal(a.stats.duplicates, 10);
    await until('100 sessions at the hub', async () => (await countSessions(ctx.store!)) === 100);
    // the store can show a batch's commit before the hub's handler resumes to count it
    await until('the hub counted 100 stored', () => ctx.hub!.stats.sessionsStored === 100);
    assert.equal(ctx.hub!.stats.sessionsDuplicate, 0);
    const got = await ctx.store!.getSession('A0000');
    assert.equal(got?.sensor, 'lab-a', 'the sensor name comes from the subject, not the body');
    assert.deepEqual(got?.calls, sa[0].calls);
    const sha = (await import('node:crypto')).createHash('sha256').update(payload).digest('hex');
    assert.equal((await ctx.store!.getPayload(sha))?.size, payload.length);
    assert.equal((await ctx.store!.queryEvents()).items.length, 2);
    assert.equal(ctx.events.length, 2, 'the detectors saw the events after commit');
    assert.deepEqual([...ctx.hub!.sensors.keys()].sort(), ['lab-a', 'lab-b']);
    assert.equal(ctx.hub!.sensors.get('lab-b')?.sessions, 50);
    await until('a heartbeat', () => ctx.hub!.sensors.get('lab-a')?.version === '9.9.9-test');
    assert.equal(ctx.hub!.sensors.get('lab-a')?.spoolBytes, 0);
  });

  it('spools to disk while the broker is down and replays in order when it is back; nothing acknowledged is lost', async () => {
    const p = sensor('lab-c');
    await until('connected', () => p.stats.connected);
    const before = await countSessions(ctx.store!);
    const ids: string[] = [];
    const write = async (n: number) => {
      const batch = Array.from({ length: n }, () => makeSession({ dport: 593 }));
      await p.write(batch.map((session) => ({ kind: 'session' as const, session })));
      ids.push(...batch.map((s) => s.id));
    };
    await write(20);
    await ctx.nats!.kill();
    await until('the sensor sees the outage', () => !p.stats.connected);
    for (let i = 0; i < 10; i++) await write(10);
    assert.ok(p.stats.spooled >= 100, `spooled ${p.stats.spooled}`);
    assert.ok(p.stats.pendingBytes > 0);
    const spool = readFileSync(join(ctx.dir, 'spool-lab-c', 'spool.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).id as string);
    assert.deepEqual(spool, ids.slice(ids.length - spool.length), 'the spool holds the outage in write order');
    await ctx.nats!.startProcess();
    await write(30);
    assert.ok(await p.drained(), 'the spool empties once the broker is back');
    await until('the hub hears the spool size in a heartbeat', () => ctx.hub!.sensors.get('lab-c')?.spoolBytes === 0);
    await until('every acknowledged session at the hub', async () => (await countSessions(ctx.store!)) === before + ids.length, 60_000, () => ({ hub: ctx.hub!.stats, sensor: p.stats, ids: ids.length, before }));
    for (const id of [ids[0], ids[60], ids[ids.length - 1]]) assert.ok(await ctx.store!.getSession(id), id);
  });

  it('refuses hostile messages (bad subject token, garbage, oversized event lists, malformed records) and keeps consuming', async () => {
    const nc = await connect({ servers: ctx.nats!.url });
    const { jetstream } = await import('@nats-io/jetstream');
    const js = jetstream(nc);
    await js.publish('vigil.fleet.lab-d.session', 'not json at all');
    await js.publish('vigil.fleet.lab-d.events', JSON.stringify({ v: 1, events: Array.from({ length: 600 }, (_, i) => connEvent({ ts: T0 + i })) }));
    await js.publish('vigil.fleet.lab-d.session', JSON.stringify({ v: 1, session: { ...makeSession(), id: '' } }));
    await js.publish('vigil.fleet.lab-d.other', JSON.stringify({ v: 1 }));
    const ok = makeSession({ id: 'after-garbage' });
    await js.publish('vigil.fleet.lab-d.session', JSON.stringify({ v: 1, session: ok }));
    await nc.close();
    await until('the good message after the bad ones', async () => (await ctx.store!.getSession('after-garbage')) !== undefined);
    assert.deepEqual(ctx.hub!.stats.rejected, { bad_json: 1, too_many_events: 1, bad_record: 1, bad_subject: 1 });
  });

  it('refuses a batch when the spool is full and counts it (the sensor\'s queue sees the failure)', async () => {
    await ctx.nats!.kill();
    const p = sensor('lab-e', { maxSpoolBytes: 4096 });
    const big = (i: number): FleetRecord => ({ kind: 'session', session: makeSession({ id: `full-${i}`, firstBytesHex: 'ab'.repeat(600) }) });
    await p.write([big(1), big(2)]);
    await assert.rejects(p.write([big(3), big(4), big(5)]), (e) => isAppError(e, 'VIGIL_ERR_LIMIT'));
    assert.equal(p.stats.dropped, 3);
    assert.equal(p.stats.spooled, 2);
    await ctx.nats!.startProcess();
  });
});
