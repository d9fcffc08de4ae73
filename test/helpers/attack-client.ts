// Hostile load clients for the "sensor under attack" suite and bench, run in a child process of
// their own so that the sensor under test does not share its event loop with the attacker:
//   node dist/test/helpers/attack-client.js ATTACK PORT DURATION_MS
// Attacks (issue 10's measurements): anomaly-call, bind-flood, frag-claims, idle-slots, slowloris.
// Attacker sources are loopback addresses 127.0.X.Y (several /24s); honest probes use another /24.
// Everything is loopback only, bounded in time, and carries filler bytes, never working code.
// On exit it prints one JSON line: what it did (connections made, bytes sent).

import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { encodeBind, encodeRequest, PFC, TRANSFER_SYNTAX } from '../../src/protocols/dcerpc/index.js';

export const ATTACKS = ['anomaly-call', 'bind-flood', 'frag-claims', 'idle-slots', 'slowloris'] as const;
export type AttackName = (typeof ATTACKS)[number];

const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
const BIND = encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }] });

interface Stats { attack: string; connections: number; refused: number; bytes: number }

/** The i-th attacker source: 127.0.X.Y over `prefixes` /24s (X = 1..prefixes). */
export function attackerAddress(i: number, prefixes: number): string {
  return `127.0.${1 + (i % prefixes)}.${2 + (Math.floor(i / prefixes) % 250)}`;
}

function open(port: number, localAddress: string, stats: Stats): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', localAddress });
    s.on('error', () => undefined);
    s.on('data', () => undefined); // read and discard what the sensor answers
    s.once('connect', () => {
      stats.connections++;
      resolve(s);
    });
    s.once('close', () => {
      if (s.connecting) stats.refused++;
      resolve(undefined);
    });
  });
}

/** Write `next()` chunks as fast as the socket drains them until `until`. */
async function stream(s: Socket, until: number, next: () => Uint8Array, stats: Stats): Promise<void> {
  while (Date.now() < until && !s.destroyed) {
    const chunk = next();
    stats.bytes += chunk.length;
    if (!s.write(chunk)) {
      await new Promise<void>((r) => {
        const done = (): void => {
          s.off('drain', done);
          s.off('close', done);
          r();
        };
        s.on('drain', done);
        s.on('close', done);
      });
    }
  }
}

/** One call whose fragments alternate opnum and context id without end (an anomaly per fragment). */
async function anomalyCall(port: number, until: number, stats: Stats): Promise<Socket[]> {
  const s = await open(port, attackerAddress(0, 1), stats);
  if (!s) return [];
  const stub = new Uint8Array(16).fill(0x41);
  const middle = [0, 1].map((i) => encodeRequest({ callId: 7, opnum: 3 + i, ctxId: 1 + i, stub, flags: 0 }));
  // many fragments per write, as the measured 13.7 MB connection sent them
  const burst = Buffer.concat(Array.from({ length: 256 }, (_, i) => middle[i % 2]));
  s.write(BIND);
  s.write(encodeRequest({ callId: 7, opnum: 2, ctxId: 0, stub, flags: PFC.FIRST_FRAG }));
  await stream(s, until, () => burst, stats);
  return [s];
}

/** Eight connections repeating binds as fast as they can. */
async function bindFlood(port: number, until: number, stats: Stats): Promise<Socket[]> {
  const burst = Buffer.concat(Array.from({ length: 64 }, () => BIND));
  const socks = (await Promise.all(Array.from({ length: 8 }, (_, i) => open(port, attackerAddress(i, 2), stats)))).filter((s): s is Socket => !!s);
  await Promise.all(socks.map((s) => stream(s, until, () => burst, stats)));
  return socks;
}

/** Many connections each sending a 16-byte request header claiming 65,535 bytes, then nothing. */
async function fragClaims(port: number, until: number, stats: Stats, n: number): Promise<Socket[]> {
  const header = Buffer.from('0500000310000000ffff000001000000', 'hex');
  return holdMany(port, until, stats, n, 40, (s) => s.write(header));
}

/** Many idle connections from many sources, held open. */
async function idleSlots(port: number, until: number, stats: Stats, n: number): Promise<Socket[]> {
  return holdMany(port, until, stats, n, 60, () => undefined);
}

/** Connections that send a header claiming 1,000 bytes, then one byte a second. */
async function slowloris(port: number, until: number, stats: Stats, n: number): Promise<Socket[]> {
  const header = Buffer.from('0500000310000000e803000001000000', 'hex');
  const socks = await holdMany(port, until, stats, n, 10, (s) => s.write(header), false);
  while (Date.now() < until) {
    for (const s of socks) if (!s.destroyed) {
      s.write(Buffer.from([0x41]));
      stats.bytes++;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return socks;
}

async function holdMany(port: number, until: number, stats: Stats, n: number, sources: number, first: (s: Socket) => void, wait = true): Promise<Socket[]> {
  const socks: Socket[] = [];
  // in waves, so the kernel's accept queue and the sensor take them as a real flood arrives
  for (let at = 0; at < n && Date.now() < until; at += 200) {
    const wave = await Promise.all(Array.from({ length: Math.min(200, n - at) }, (_, i) => open(port, attackerAddress(at + i, sources), stats)));
    for (const s of wave) if (s) {
      first(s);
      socks.push(s);
    }
  }
  if (wait) await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
  return socks;
}

/** Sizes of the attacks that open many connections (scaled down from the measurements
 * so a CI run stays short; the bench passes its own). */
export const DEFAULT_COUNTS: Record<AttackName, number> = { 'anomaly-call': 1, 'bind-flood': 8, 'frag-claims': 3000, 'idle-slots': 2400, slowloris: 200 };

export async function runAttack(attack: AttackName, port: number, durationMs: number, count = DEFAULT_COUNTS[attack]): Promise<Stats> {
  const stats: Stats = { attack, connections: 0, refused: 0, bytes: 0 };
  const until = Date.now() + durationMs;
  let socks: Socket[];
  switch (attack) {
    case 'anomaly-call': socks = await anomalyCall(port, until, stats); break;
    case 'bind-flood': socks = await bindFlood(port, until, stats); break;
    case 'frag-claims': socks = await fragClaims(port, until, stats, count); break;
    case 'idle-slots': socks = await idleSlots(port, until, stats, count); break;
    case 'slowloris': socks = await slowloris(port, until, stats, count); break;
  }
  for (const s of socks) s.destroy();
  return stats;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [attack, port, ms, count] = process.argv.slice(2);
  if (!ATTACKS.includes(attack as AttackName)) {
    process.stderr.write(`unknown attack ${attack}; one of ${ATTACKS.join(', ')}\n`);
    process.exit(2);
  }
  const stats = await runAttack(attack as AttackName, Number(port), Number(ms), count ? Number(count) : undefined);
  process.stdout.write(`${JSON.stringify(stats)}\n`);
  process.exit(0);
}
