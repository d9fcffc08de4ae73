// A benchmark sensor process for bench/fleet.bench.ts: waits for "go" on stdin, then sends `count`
// sessions either through FleetPublisher (mode fleet, batches of 64 like the sensor's output queue)
// or as raw JetStream publishes of the same bodies (mode raw, the peer), and prints "done".

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FleetPublisher } from '../src/fleet/sensor-publisher.js';
import { EventIds, toMessages, type FleetRecord } from '../src/fleet/fleet-wire.js';
import { connectNats } from '../src/fleet/nats-link.js';
import { benchSession } from './fleet-fixture.js';

const [mode, url, name, countText] = process.argv.slice(2);
const count = Number(countText);
const BATCH = 64;
const batches: FleetRecord[][] = [];
for (let i = 0; i < count; i += BATCH) batches.push(Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => ({ kind: 'session' as const, session: benchSession(`${mode}-${name}`, i + k) })));

const go = new Promise<void>((resolve) => createInterface({ input: process.stdin }).on('line', (l) => l.trim() === 'go' && resolve()));

if (mode === 'fleet') {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-spool-'));
  const p = FleetPublisher.start({ sensor: name, nats: { url }, spoolDir: dir });
  while (!p.stats.connected) await new Promise((r) => setTimeout(r, 20));
  process.stdout.write('ready\n');
  await go;
  for (const b of batches) await p.write(b);
  await p.drained(600_000);
  process.stdout.write(`done ${p.stats.spooled}\n`);
  await p.close();
  rmSync(dir, { recursive: true, force: true });
} else {
  const nc = await connectNats({ url });
  const { jetstream } = await import('@nats-io/jetstream');
  const js = jetstream(nc);
  const ids = new EventIds(name);
  const msgs = batches.map((b) => toMessages(name, b, ids));
  process.stdout.write('ready\n');
  await go;
  // The same shape as the sensor: one batch in flight, its publishes pipelined, each PubAck awaited.
  for (const m of msgs) await Promise.all(m.map((x) => js.publish(x.subject, x.body, { msgID: `raw-${x.id}` })));
  process.stdout.write('done 0\n');
  await nc.close();
}
process.exit(0);
