// End to end on loopback: nats-server (JetStream) + PostgreSQL 15 + a hub process (`vigil up --role
// hub --store postgres`) + three fleet sensors taking TCP traffic (two in this process, one in its
// own). While they send, the hub is SIGKILLed and restarted, the broker SIGKILLed and restarted, the
// third sensor SIGKILLed and restarted, and PostgreSQL restarted; afterwards every session a sensor
// acknowledged (JetStream's PubAck or its fsynced spool) is in PostgreSQL exactly once, counted per sensor.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startFleetSensor, type FleetSensorNode } from '../../src/cli/fleet-node.js';
import { NatsServer, skipWithoutNats } from '../helpers/nats-server.js';
import { PgCluster, freePort, skipWithoutPostgres } from '../helpers/pg-cluster.js';
import { tempDir } from '../cli/up-helpers.js';
import { HubProcess, SensorChild, oneSession, sessionIdsInStream, until } from './fleet-processes.js';

const skip = skipWithoutNats() || skipWithoutPostgres();
if (skip) console.log(`# fleet end-to-end test skipped: ${skip}`);

describe('fleet end to end: three sensors -> JetStream -> hub -> PostgreSQL, with kills', { skip, timeout: 600_000 }, () => {
  const ctx = {
    pg: undefined as PgCluster | undefined, nats: undefined as NatsServer | undefined, hub: undefined as HubProcess | undefined,
    sensors: [] as FleetSensorNode[], south: undefined as SensorChild | undefined, dirs: [] as string[],
  };
  const dir = (name: string): string => {
    const d = tempDir(name);
    ctx.dirs.push(d);
    return d;
  };

  before(async () => {
    ctx.pg = await PgCluster.start();
    const url = ctx.pg.createDatabase('hub');
    ctx.nats = await NatsServer.start();
    const hubDir = dir('fleet-hub');
    ctx.hub = new HubProcess(['--role', 'hub', '--hub', ctx.nats.url, '--store', 'postgres', '--data-dir', hubDir, '--http-port', String(await freePort()), '--log-level', 'warn'], { VIGIL_STORE_URL: url, VIGIL_LOG_FORMAT: 'json' });
    await ctx.hub.start();
    for (const name of ['sensor-east', 'sensor-west']) {
      const config = loadConfig({ env: {}, flags: { dataDir: dir(`fleet-${name}`), sensor: { ports: [4444] }, fleet: { role: 'sensor', url: ctx.nats.url, sensorName: name }, log: { level: 'silent' } } });
      ctx.sensors.push(await startFleetSensor(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) }));
    }
    ctx.south = new SensorChild(ctx.nats.url, 'sensor-south', dir('fleet-sensor-south'));
    await ctx.south.start();
  });
  after(async () => {
    for (const s of ctx.sensors) await s.stop();
    await ctx.south?.stop();
    await ctx.hub?.stop();
    await ctx.nats?.dispose();
    await ctx.pg?.dispose();
    for (const d of ctx.dirs) rmSync(d, { recursive: true, force: true });
  });

  it('stores every acknowledged session exactly once through broker, hub, sensor and PostgreSQL restarts', async (t) => {
    const south = ctx.south!;
    const [east, west] = ctx.sensors;
    const sent: Record<string, number> = { 'sensor-east': 0, 'sensor-west': 0, 'sensor-south': 0 };
    let southDown = false;
    /** `rounds` rounds of one session per sensor; `during(i)` runs beside round i (a fault mid-stream). */
    const traffic = async (rounds: number, during?: (round: number) => void): Promise<void> => {
      for (let i = 0; i < rounds; i++) {
        during?.(i);
        const targets: [string, number][] = [[east.name, east.sensor.portFor(4444)!], [west.name, west.sensor.portFor(4444)!]];
        if (!southDown) targets.push([south.name, south.port]);
        await Promise.all(targets.map(async ([name, port]) => {
          try {
            await oneSession(port);
            sent[name]++;
          } catch (e) {
            // Only the sensor being killed may refuse or reset a connection.
            if (name !== south.name || !southDown) throw e;
          }
        }));
      }
    };
    const stored = (): Record<string, number> => Object.fromEntries(ctx.pg!.psql('hub', 'select sensor, count(*) from sessions group by sensor order by sensor').trim().split('\n').filter(Boolean).map((l) => l.split('|')).map(([s, n]) => [s, Number(n)]));
    const storedIds = (sensor: string): string[] => ctx.pg!.psql('hub', `select id from sessions where sensor = '${sensor}'`).trim().split('\n').filter(Boolean);

    await traffic(30);
    // (b) Hub SIGKILLed mid-stream: what it had fetched but not acked is redelivered to the next one.
    const killHub = ctx.hub!.kill();
    await traffic(30);
    await killHub;
    // (a) Broker SIGKILLed mid-stream too: the sensors spool to disk.
    await ctx.nats!.kill();
    await traffic(30);
    // Publishes in flight wait up to 2 s for their PubAck before they go to the spool.
    const spooledNow = (): number[] => [east.publisher.stats.spooled, west.publisher.stats.spooled, south.spooledSessionIds().length];
    await until('every sensor spooling', () => spooledNow().every((n) => n > 0), 15_000, () => JSON.stringify(spooledNow()));
    const spooled = spooledNow();
    await ctx.nats!.startProcess();
    await ctx.hub!.start();
    await traffic(30);
    // (c) The third sensor SIGKILLed mid-stream. What it acknowledged is in the stream (PubAck) or in
    // its fsynced spool; what was still in its memory queue was never acknowledged and dies with it.
    const sentBeforeKill = sent[south.name];
    let killSouth: Promise<void> | undefined;
    await traffic(30, (i) => {
      if (i === 10) {
        southDown = true;
        killSouth = south.kill();
      }
    });
    await killSouth;
    const acknowledged = new Set([...(await sessionIdsInStream(ctx.nats!.url, south.name)), ...south.spooledSessionIds()]);
    const unacknowledged = sent[south.name] - acknowledged.size;
    await south.start();
    southDown = false;
    const southBefore = sent[south.name];
    await traffic(30);
    // (d) PostgreSQL restarted under the hub: its writes fail, messages are redelivered until they commit.
    ctx.pg!.stopServer('fast');
    await traffic(15);
    ctx.pg!.startServer();
    await traffic(15);

    for (const s of ctx.sensors) assert.ok(await s.publisher.drained(120_000), `${s.name}: spool drained`);
    const expected = { 'sensor-east': sent['sensor-east'], 'sensor-south': acknowledged.size + sent[south.name] - southBefore, 'sensor-west': sent['sensor-west'] };
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    await until(`${total} sessions in PostgreSQL`, () => Object.values(stored()).reduce((a, b) => a + b, 0) >= total, 90_000, () => `stored ${JSON.stringify(stored())}, expected ${JSON.stringify(expected)}; hub log: ${ctx.hub!.log}`);
    // A little longer: redeliveries after the kills must not add rows.
    await new Promise((r) => setTimeout(r, 2000));
    const perSensor = stored();
    const distinct = Number(ctx.pg!.psql('hub', 'select count(distinct id) from sessions').trim());
    const rollup = Number(ctx.pg!.psql('hub', 'select coalesce(sum(count), 0) from port_stats').trim());
    const southStored = new Set(storedIds(south.name));
    const southInStream = new Set(await sessionIdsInStream(ctx.nats!.url, south.name));
    const dropped = ctx.sensors.map((s) => s.publisher.stats.dropped);
    // Events (a conn event per session here) carry stable ids: redelivery after the hub's SIGKILL stores none twice.
    const [events, eventIds, distinctEventIds] = ctx.pg!.psql('hub', 'select count(*), count(event_id), count(distinct event_id) from events').trim().split('|').map(Number);
    t.diagnostic(`sent ${JSON.stringify(sent)}; stored per sensor ${JSON.stringify(perSensor)}; distinct ids ${distinct}; rollup count ${rollup}; events ${events}, with an id ${eventIds}, distinct ids ${distinctEventIds}`);
    t.diagnostic(`spooled during the broker outage ${JSON.stringify(spooled)}; sensor-south at its SIGKILL: ${sentBeforeKill + 10} sent before the kill round, ${acknowledged.size} acknowledged (stream or spool), ${unacknowledged} in memory, never acknowledged; dropped ${JSON.stringify(dropped)}`);
    assert.deepEqual(perSensor, expected);
    assert.equal(distinct, total, 'exactly once: no id twice');
    assert.equal(rollup, total, 'the per-port rollups counted each session once');
    for (const id of acknowledged) assert.ok(southStored.has(id), `acknowledged before the kill and stored: ${id}`);
    assert.deepEqual([...southStored].sort(), [...southInStream].sort(), 'sensor-south: every session in the stream stored, nothing else');
    assert.ok(acknowledged.size >= sentBeforeKill, 'everything sent well before the kill had been acknowledged');
    assert.deepEqual(dropped, [0, 0]);
    assert.ok(events >= total, 'a conn event for every stored session');
    assert.deepEqual([eventIds, distinctEventIds], [events, events], 'every event has an id, stored once');
    assert.ok(spooled.every((n) => n > 0), 'the broker outage went through every sensor\'s disk spool');
  });
});
