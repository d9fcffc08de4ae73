// The hub runs the detectors over the merged stream: a source that probes two sensors, too few
// times at either alone for the Threshold Random Walk to decide, is one scanner at the hub.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startFleetHub, type FleetHubNode } from '../../src/cli/fleet-node.js';
import { FleetPublisher } from '../../src/fleet/sensor-publisher.js';
import { NatsServer, skipWithoutNats } from '../helpers/nats-server.js';
import { freePort } from '../helpers/pg-cluster.js';
import { api } from '../cli/up-helpers.js';
import { connEvent } from '../store/fixtures.js';

const skip = skipWithoutNats();

describe('fleet hub detection over all sensors', { skip }, () => {
  const ctx = { dir: '', nats: undefined as NatsServer | undefined, hub: undefined as FleetHubNode | undefined, pubs: [] as FleetPublisher[] };
  before(async () => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-detect-'));
    ctx.nats = await NatsServer.start();
    const config = loadConfig({ env: {}, flags: { dataDir: join(ctx.dir, 'hub'), http: { host: '127.0.0.1', port: await freePort() }, fleet: { role: 'hub', url: ctx.nats.url, silentAfterSeconds: 1, expectedSensors: ['south'] }, log: { level: 'silent' } } });
    ctx.hub = await startFleetHub(config, { logger: pino({ level: 'silent' }) });
    for (const name of ['east', 'west']) ctx.pubs.push(FleetPublisher.start({ sensor: name, nats: { url: ctx.nats.url }, spoolDir: join(ctx.dir, name), heartbeatMs: 200 }));
  });
  after(async () => {
    for (const p of ctx.pubs) await p.close();
    await ctx.hub?.stop();
    await ctx.nats?.dispose();
    rmSync(ctx.dir, { recursive: true, force: true });
  });

  it('alerts on a scanner whose failed first contacts are split across two sensors, and not on one seen twice', async () => {
    const now = Date.now();
    // Two failed first contacts per sensor: 4^2 = 16 < 99 for either sensor alone; 4^4 = 256 > 99 merged (TRW defaults).
    const probe = (src: string, i: number) => ({ kind: 'event' as const, event: connEvent({ ts: now + i, src, dst: `198.51.100.${i + 1}`, dport: 135, outcome: 'failure' }) });
    while (!ctx.pubs.every((p) => p.stats.connected)) await new Promise((r) => setTimeout(r, 20));
    await ctx.pubs[0].write([probe('203.0.113.7', 0), probe('203.0.113.7', 1), probe('203.0.113.99', 0)]);
    await ctx.pubs[1].write([probe('203.0.113.7', 2), probe('203.0.113.7', 3), probe('203.0.113.99', 1)]);
    const hub = ctx.hub!;
    let items: { src?: string; rule: string }[] = [];
    for (let i = 0; i < 200 && items.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      items = (await api<{ items: { src?: string; rule: string }[] }>(hub.httpAddress, hub.token, '/api/v1/alerts?rule=trw_scanner')).body.items;
    }
    assert.equal(hub.hub.stats.eventsStored, 6);
    assert.deepEqual(items.map((a) => a.src), ['203.0.113.7'], 'one scanner from the merged evidence, none for the source seen twice');
  });

  it('raises one fleet_sensor_silent alert for a sensor that stops and one for an expected sensor never heard, none for those that beat, and follows a sensor again when it returns', async () => {
    const hub = ctx.hub!;
    const north = FleetPublisher.start({ sensor: 'north', nats: { url: ctx.nats!.url }, spoolDir: join(ctx.dir, 'north'), heartbeatMs: 200 });
    while (!hub.hub.sensors.has('north')) await new Promise((r) => setTimeout(r, 20));
    await north.close();
    type Item = { rule: string; title: string; evidence: { sensor?: string; lastSeen?: string | null; expected?: boolean } };
    let items: Item[] = [];
    for (let i = 0; i < 200 && !items.some((a) => a.evidence.sensor === 'north'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      items = (await api<{ items: Item[] }>(hub.httpAddress, hub.token, '/api/v1/alerts?rule=fleet_sensor_silent')).body.items;
    }
    // a few more silence periods: still one alert, and the beating sensors never fell silent
    await new Promise((r) => setTimeout(r, 1500));
    items = (await api<{ items: Item[] }>(hub.httpAddress, hub.token, '/api/v1/alerts?rule=fleet_sensor_silent')).body.items;
    assert.deepEqual(items.map((a) => a.evidence.sensor).sort(), ['north', 'south'], items.map((a) => a.title).join('; '));
    const northAlert = items.find((a) => a.evidence.sensor === 'north')!;
    assert.match(northAlert.title, /^sensor north silent for \d+ s/);
    assert.equal(hub.hub.sensors.get('north')?.silentSince !== undefined, true);
    // 'south' was expected and never reported: silent since the hub started, not forgotten
    const south = items.find((a) => a.evidence.sensor === 'south')!;
    assert.match(south.title, /^expected sensor south not heard in \d+ s \(hub watching since \d{4}-/);
    assert.deepEqual([south.evidence.lastSeen, south.evidence.expected], [null, true]);
    // the hub's overview lists its sensors, the silent one first and marked
    const overview = await fetch(`http://${hub.httpAddress}/`, { headers: { authorization: `Bearer ${hub.token}` } });
    const html = await overview.text();
    const table = /<table class="list small" id="fleet-sensors">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const names = [...table.matchAll(/status=all">([A-Za-z0-9_-]+)<\/a>/g)].map((m) => m[1]);
    assert.deepEqual(names, ['north', 'south', 'east', 'west'], html.slice(0, 200));
    assert.match(table, /north<\/a> <span class="hot">silent<\/span>/);
    assert.match(table, /south<\/a> <span class="hot">silent<\/span><\/td><td>never<\/td>/);
    const back = FleetPublisher.start({ sensor: 'north', nats: { url: ctx.nats!.url }, spoolDir: join(ctx.dir, 'north'), heartbeatMs: 200 });
    ctx.pubs.push(back);
    for (let i = 0; i < 200 && hub.hub.sensors.get('north')?.silentSince !== undefined; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(hub.hub.sensors.get('north')?.silentSince, undefined, 'a sensor that speaks again is no longer silent');
  });
});
