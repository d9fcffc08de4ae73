// The "sensor under attack" measurement, shared by the hostile-peer suite (test/cli) and the bench:
// a running node (sensor + store + detectors) is attacked by a child process (attack-client.ts)
// while an honest client from another /24 keeps sending binds and MS03-026-shaped exploits (inert
// filler). Afterwards: were all honest sessions stored and all exploits alerted, what latency did
// the honest binds see, how much memory did the node hold, and how long after the attack's end
// did the sensor accept again.

import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startNode, type VigilNode } from '../../src/cli/node.js';
import { freePort, tempDir } from '../cli/up-helpers.js';
import { encodeBind, TRANSFER_SYNTAX } from '../../src/protocols/dcerpc/index.js';
import { activationCall, deliveryVariants } from './delivery-variants.js';
import type { AttackName } from './attack-client.js';

/** The node under attack, as the suite and the bench run it: sensor on 135 only, slots and memory
 * budget small enough that the attacks reach them, the slowloris window short, and every exploit
 * its own alert (no suppression) so that each one can be counted. */
export const ATTACK_NODE = { maxConnections: 2000, memoryBudgetMb: 64, rateWindowMs: 2000 } as const;

export async function startAttackedNode(): Promise<VigilNode> {
  const config = loadConfig({
    env: {},
    flags: {
      dataDir: tempDir('under-attack'),
      http: { host: '127.0.0.1', port: await freePort() },
      sensor: { ports: [135], limits: { ...ATTACK_NODE } },
      alerts: { suppressSeconds: { exploit: 0 } },
      log: { level: 'silent' },
    },
  });
  return startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
}

/** The honest client's address: a /24 no attacker uses. */
export const HONEST = '127.200.0.1';
const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
const BIND = encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }] });
const EXPLOIT = deliveryVariants(activationCall('RemoteActivation'))[0].chunks;
const PROBE_EVERY_MS = 100;
const EXPLOIT_EVERY = 3;
const PROBE_TIMEOUT_MS = 3000;

export interface AttackResult {
  readonly attack: AttackName | 'none';
  /** Honest connections the kernel accepted, and how many of them are sessions in the store. */
  readonly honestConnections: number;
  readonly honestStored: number;
  readonly exploitsSent: number;
  readonly exploitsAlerted: number;
  /** Honest binds answered, and those that failed (refused, reset or no bind_ack in 3 s). */
  readonly binds: number;
  readonly bindFailures: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rssPeakMb: number;
  readonly heldPeakMb: number;
  /** From the attacker's exit to the first honest bind answered after it. */
  readonly recoveryMs: number;
  readonly attacker?: { connections: number; refused: number; bytes: number };
}

/** One honest bind: connect from HONEST, send the bind, wait for the bind_ack; its latency in ms,
 * or undefined when it failed. `connected` is told whether the TCP connection was made. */
function bindProbe(port: number, connected: () => void): Promise<number | undefined> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = connect({ port, host: '127.0.0.1', localAddress: HONEST, noDelay: true });
    const timer = setTimeout(() => finish(undefined), PROBE_TIMEOUT_MS);
    let got = Buffer.alloc(0);
    const finish = (v: number | undefined): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    s.on('connect', () => {
      connected();
      s.write(BIND);
    });
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 16 && got[2] === 12) finish(performance.now() - t0);
      else if (got.length >= 16) finish(undefined);
    });
    s.on('error', () => finish(undefined));
    s.on('close', () => finish(undefined));
  });
}

/** One honest exploit delivery (inert filler), closed once sent and read. */
function exploitProbe(port: number, connected: () => void): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: HONEST, noDelay: true });
    const timer = setTimeout(() => s.destroy(), PROBE_TIMEOUT_MS);
    s.on('connect', () => {
      connected();
      for (const c of EXPLOIT) s.write(c);
      setTimeout(() => s.end(), 50);
    });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function runChild(attack: AttackName, port: number, durationMs: number, count?: number): { done: Promise<AttackResult['attacker']> } {
  const script = fileURLToPath(new URL('./attack-client.js', import.meta.url));
  const args = [script, attack, String(port), String(durationMs), ...(count ? [String(count)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<AttackResult['attacker']>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}')) : reject(new Error(`attack client ${attack} exited ${code}`))));
  });
  return { done };
}

async function countAlerts(node: VigilNode, since: number): Promise<number> {
  const q = new URLSearchParams({ rule: 'ms03_026_unc_server', src: HONEST, since: new Date(since).toISOString(), limit: '1000' });
  const base = node.httpAddress.startsWith('http') ? node.httpAddress : `http://${node.httpAddress}`;
  const r = await fetch(`${base}/api/v1/alerts?${q}`, { headers: { authorization: `Bearer ${node.token}` } });
  const body = (await r.json()) as { items: unknown[] };
  return body.items.length;
}

async function countHonestSessions(node: VigilNode, since: number): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await node.store.listSessions({ source: HONEST, since, limit: 1000, cursor });
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

/**
 * Attack `node`'s port 135 with `attack` for `durationMs` while probing it honestly (`none`: the
 * same honest load alone, the baseline), then wait for the record and measure.
 */
export async function measureUnderAttack(node: VigilNode, attack: AttackName | 'none', durationMs: number, count?: number): Promise<AttackResult> {
  const port = node.sensor.portFor(135)!;
  const since = Date.now() - 1;
  let rssPeak = process.memoryUsage.rss();
  let heldPeak = node.sensor.heldBytes();
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    heldPeak = Math.max(heldPeak, node.sensor.heldBytes());
  }, 50);
  const child = attack === 'none' ? undefined : runChild(attack, port, durationMs, count);
  let attackOver = false;
  let attackEnd = 0;
  const attacker = child?.done.then((s) => {
    attackOver = true;
    attackEnd = performance.now();
    return s;
  });
  if (!child) setTimeout(() => { attackOver = true; attackEnd = performance.now(); }, durationMs);

  let connections = 0;
  let exploitsSent = 0;
  let bindFailures = 0;
  const latencies: number[] = [];
  let recoveryMs = Number.NaN;
  // the attacker needs a moment to build up; probes run through the attack and until one succeeds after it
  for (let i = 0; ; i++) {
    const started = performance.now();
    if (i % EXPLOIT_EVERY === EXPLOIT_EVERY - 1 && !attackOver) {
      await exploitProbe(port, () => { connections++; exploitsSent++; });
    } else {
      const over = attackOver;
      const ms = await bindProbe(port, () => connections++);
      if (ms === undefined) bindFailures++;
      else latencies.push(ms);
      if (over && ms !== undefined) {
        recoveryMs = Math.max(0, performance.now() - attackEnd);
        break;
      }
      if (over && performance.now() - attackEnd > 30_000) break;
    }
    const wait = PROBE_EVERY_MS - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const attackerStats = await attacker;
  // the record: every session flushed to the store, every alert routed
  const until = Date.now() + 20_000;
  let stored = 0;
  let alerted = 0;
  while (Date.now() < until) {
    stored = await countHonestSessions(node, since);
    alerted = await countAlerts(node, since);
    if (stored >= connections && alerted >= exploitsSent && node.sensor.queueStats().depth === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  clearInterval(sampler);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    attack, honestConnections: connections, honestStored: stored, exploitsSent, exploitsAlerted: alerted,
    binds: latencies.length, bindFailures, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99),
    rssPeakMb: rssPeak / 2 ** 20, heldPeakMb: heldPeak / 2 ** 20, recoveryMs, attacker: attackerStats,
  };
}
