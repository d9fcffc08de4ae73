// Processes and probes for the fleet fault tests: a hub (`vigil up --role hub`) and a loopback
// sensor child, each killable with SIGKILL and restartable; TCP sessions against a sensor; what
// the stream and a sensor's spool hold.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { FLEET_STREAM, subjectFor } from '../../src/fleet/fleet-wire.js';
import { REPO_ROOT } from '../helpers/paths.js';

/** One session: connect, send inert filler bytes, close, wait for the sensor to close too. */
export function oneSession(port: number, fill = 0x41): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.end(Buffer.alloc(48, fill)));
    s.on('error', reject);
    s.on('close', () => resolve());
    s.resume();
  });
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 90_000, debug?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what}${debug ? `: ${debug()}` : ''}`);
}

function alive(c: ChildProcess | undefined): c is ChildProcess {
  return c !== undefined && c.exitCode === null && c.signalCode === null;
}

async function signal(c: ChildProcess | undefined, sig: NodeJS.Signals): Promise<void> {
  if (!alive(c)) return;
  await new Promise<void>((r) => {
    c.once('exit', () => r());
    c.kill(sig);
  });
}

/** A child that prints a line matching `ready` on stdout once it is up; the tail of stderr for failures. */
abstract class Killable {
  protected child: ChildProcess | undefined;
  log = '';

  protected spawnUntil(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<RegExpExecArray> {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => (this.log = (this.log + d.toString()).slice(-4000)));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = ready.exec(out);
        if (m) resolve(m);
      });
      child.once('exit', (code) => reject(new Error(`child exited ${code}: ${this.log}`)));
    });
  }

  kill(): Promise<void> {
    return signal(this.child, 'SIGKILL');
  }

  stop(): Promise<void> {
    return signal(this.child, 'SIGTERM');
  }
}

/** `vigil up --role hub ...` from the compiled CLI. */
export class HubProcess extends Killable {
  constructor(private readonly args: string[], private readonly env: NodeJS.ProcessEnv) {
    super();
  }

  async start(): Promise<void> {
    await this.spawnUntil([join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'up', ...this.args], this.env, /vigil: up as fleet hub/);
  }
}

/** A fleet sensor in its own process (fleet-sensor-child), on a loopback ephemeral port. */
export class SensorChild extends Killable {
  port = 0;
  constructor(readonly url: string, readonly name: string, readonly dataDir: string) {
    super();
  }

  async start(): Promise<void> {
    const m = await this.spawnUntil([join(REPO_ROOT, 'dist', 'test', 'fleet', 'fleet-sensor-child.js'), this.url, this.name, this.dataDir], {}, /port (\d+)\n/);
    this.port = Number(m[1]);
  }

  /** Session ids in the sensor's spool file (replayed or not: every one was acknowledged). */
  spooledSessionIds(): string[] {
    const file = join(this.dataDir, 'fleet-spool', 'spool.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('.session"')).map((l) => (JSON.parse(l) as { id: string }).id);
  }
}

/** The message ids (session ids) of every session message `sensor` has in the fleet stream. */
export async function sessionIdsInStream(url: string, sensor: string): Promise<string[]> {
  const { connect: connectNats } = await import('@nats-io/transport-node');
  const { jetstream } = await import('@nats-io/jetstream');
  const nc = await connectNats({ servers: url });
  try {
    const consumer = await jetstream(nc).consumers.get(FLEET_STREAM, { filter_subjects: subjectFor(sensor, 'session') });
    const ids: string[] = [];
    for (;;) {
      let got = 0;
      let pending = 1;
      for await (const m of await consumer.fetch({ max_messages: 1000, expires: 1000 })) {
        got++;
        pending = m.info.pending;
        ids.push(m.headers?.get('Nats-Msg-Id') ?? '');
      }
      if (got === 0 || pending === 0) return ids;
    }
  } finally {
    await nc.close();
  }
}
