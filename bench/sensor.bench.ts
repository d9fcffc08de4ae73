// Sensor benchmark: full bind + ept_lookup + close exchanges per second against the persona with
// every session recorded in the SQLite store, beside a bare Node `net` accept-and-close server, and
// resident memory with 10,000 idle connections. The load client runs in a child process.

import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sensor } from '../src/sensor/sensor.js';
import { openSqliteStore, sqliteFileIn } from '../src/store/sqlite/sqlite-store.js';
import { storeSink } from '../src/cli/node-sink.js';
import { encodeBind, encodeRequest, TRANSFER_SYNTAX } from '../src/protocols/dcerpc/index.js';
import { encodeEptLookupRequest } from '../src/protocols/dcerpc/interfaces/index.js';

export const title = 'Sensor: connection rate, latency and idle-connection memory';

const CLIENT_FLAG = '--sensor-bench-client';
const RUNS = 3;
const RUN_MS = 2000;
const CONCURRENCY = 32;
const IDLE = 10_000;

interface RateResult { count: number; ms: number; p50: number; p99: number }

// ---------------------------------------------------------------- load client (child process)

const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
const BIND = encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [TRANSFER_SYNTAX.NDR] }] });
const LOOKUP = encodeRequest({ callId: 2, opnum: 2, stub: encodeEptLookupRequest({ inquiryType: 0, object: null, ifId: null, versOption: 1, entryHandle: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' }, maxEnts: 500 }) });

/** One exchange: bind, read bind_ack, ept_lookup, read the last response fragment, close. */
function rpcExchange(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => s.write(BIND));
    let buf = Buffer.alloc(0);
    let stage = 0;
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 10 && buf.length >= buf.readUInt16LE(8)) {
        const len = buf.readUInt16LE(8);
        const ptype = buf[2];
        const last = (buf[3] & 0x02) !== 0;
        buf = buf.subarray(len);
        if (stage === 0 && ptype === 12) {
          stage = 1;
          s.write(LOOKUP);
        } else if (stage === 1 && ptype === 2 && last) {
          stage = 2;
          s.end();
        }
      }
    });
    s.on('error', reject);
    s.on('close', () => (stage === 2 ? resolve() : reject(new Error('exchange incomplete'))));
  });
}

/** Bare server baseline: connect and wait for the server to close. */
function bareExchange(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.on('error', reject);
    s.on('close', () => resolve());
    s.resume();
  });
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function loadRun(port: number, mode: string, ms: number): Promise<RateResult> {
  const lat: number[] = [];
  const start = performance.now();
  const end = start + ms;
  let errors = 0;
  const one = mode === 'rpc' ? rpcExchange : bareExchange;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await one(port);
        lat.push(performance.now() - t);
      } catch {
        if (++errors > 1000) return;
      }
    }
  }));
  lat.sort((a, b) => a - b);
  return { count: lat.length, ms: performance.now() - start, p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

async function holdIdle(port: number, n: number): Promise<void> {
  const socks: Socket[] = [];
  let connected = 0;
  for (let i = 0; i < n; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, n - i) }, () => new Promise<void>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' }, () => {
        connected++;
        resolve();
      });
      s.on('error', () => resolve());
      socks.push(s);
    })));
  }
  process.stdout.write(`ready ${connected}\n`);
  process.stdin.once('data', () => {
    for (const s of socks) s.destroy();
    process.exit(0);
  });
}

async function clientMain(): Promise<void> {
  const [, , , mode, portArg, arg] = process.argv;
  const port = Number(portArg);
  if (mode === 'idle') return holdIdle(port, Number(arg));
  process.stdout.write(`${JSON.stringify(await loadRun(port, mode, Number(arg)))}\n`);
}

// ---------------------------------------------------------------- bench (parent process)

const here = fileURLToPath(import.meta.url);

function child(args: string[]): { proc: ReturnType<typeof spawn>; line: Promise<string> } {
  const proc = spawn(process.execPath, [here, CLIENT_FLAG, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    proc.once('exit', (code) => reject(new Error(`load client exited ${code} before answering`)));
  });
  return { proc, line };
}

async function measureRate(port: number, mode: 'rpc' | 'bare'): Promise<RateResult> {
  const c = child([mode, String(port), String(RUN_MS)]);
  const r = JSON.parse(await c.line) as RateResult;
  await new Promise((res) => c.proc.once('exit', res));
  return r;
}

function bareServer(hold: boolean): Promise<{ server: Server; port: number; open: () => number }> {
  let open = 0;
  const server = createServer((s) => {
    open++;
    s.on('close', () => open--);
    s.on('error', () => undefined);
    if (!hold) s.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, open: () => open })));
}

const BENCH_LIMITS = {
  maxConnections: 20_000, maxConnectionsPerSource: 20_000, memoryBudgetMb: 8192, queueCapacity: 100_000,
  // Idle connections must outlive the measurement on a slow machine.
  idleTimeoutMs: 600_000, sessionTimeoutMs: 600_000,
};

async function startRecordingSensor(dir: string, synchronous: 'full' | 'normal') {
  const store = await openSqliteStore({ file: sqliteFileIn(join(dir, synchronous)), background: false, synchronous });
  const sensor = new Sensor({ hosts: ['127.0.0.1'], ports: [135], ephemeralPorts: true, sink: storeSink(store), limits: BENCH_LIMITS });
  await sensor.start();
  return { sensor, store, port: sensor.portFor(135)! };
}

/** The same sensor whose sink discards: separates the persona's cost from the store's. */
async function startDiscardingSensor(): Promise<Sensor> {
  const sensor = new Sensor({ hosts: ['127.0.0.1'], ports: [135], ephemeralPorts: true, sink: { write: () => undefined }, limits: BENCH_LIMITS });
  await sensor.start();
  return sensor;
}

/** The least any server can do for this exchange: canned bind_ack and ept_lookup reply bytes
 * (taken from the persona once), no decoding, no recording. */
async function cannedServer(sensorPort: number): Promise<{ server: Server; port: number }> {
  const replies = await captureReplies(sensorPort);
  const server = createServer({ noDelay: true }, (s) => {
    let n = 0;
    s.on('error', () => undefined);
    s.on('data', () => void s.write(replies[Math.min(n++, 1)]));
    s.on('end', () => s.end());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

/** The persona's two replies to BIND and LOOKUP, as bytes (each arrives as one write). */
function captureReplies(port: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const s = connect({ port, host: '127.0.0.1' }, () => s.write(BIND));
    s.on('data', (d: Buffer) => {
      got.push(d);
      if (got.length === 1) s.write(LOOKUP);
      else s.end();
    });
    s.on('error', reject);
    s.on('close', () => resolve(got));
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (n: number): string => (n / 2 ** 20).toFixed(0);

async function idleRss(port: number, openNow: () => number): Promise<{ rss: number; delta: number; open: number }> {
  const base = process.memoryUsage.rss();
  const c = child(['idle', String(port), String(IDLE)]);
  const connected = Number((await c.line).split(' ')[1]);
  // Wait for the server to have processed every accept the client saw (or 5 s without progress).
  let last = -1;
  let still = 0;
  for (let i = 0; i < 600 && openNow() < connected && still < 50; i++) {
    still = openNow() === last ? still + 1 : 0;
    last = openNow();
    await new Promise((r) => setTimeout(r, 100));
  }
  const rss = process.memoryUsage.rss();
  const open = openNow();
  c.proc.stdin!.write('x');
  await new Promise((res) => c.proc.once('exit', res));
  return { rss, delta: rss - base, open };
}

/** Until every idle session is closed and written: the store's synchronous commits share this
 * process's event loop and would otherwise slow the rate runs that follow. */
async function settle(sensor: Sensor): Promise<void> {
  for (let i = 0; i < 2400 && (sensor.openConnections > 0 || sensor.queueStats().depth > 0); i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 500));
}

interface Peer {
  readonly label: string;
  readonly exchange: string;
  readonly port: number;
  readonly mode: 'rpc' | 'bare';
  readonly runs: RateResult[];
}

const rate = (r: RateResult): number => (r.count * 1000) / r.ms;

function rateRow(p: Peer, base: number): string {
  const r = median(p.runs.map(rate));
  return `| ${p.label} | ${p.exchange} | ${r.toFixed(0)} | ${median(p.runs.map((x) => x.p50)).toFixed(2)} | ${median(p.runs.map((x) => x.p99)).toFixed(2)} | ${(r / base).toFixed(2)} |`;
}

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-sensor-'));
  // Idle memory first, bare then sensor, before the rate runs grow the heap.
  const holdServer = await bareServer(true);
  const bareRss = await idleRss(holdServer.port, holdServer.open);
  holdServer.server.close();
  const rec = await startRecordingSensor(dir, 'normal');
  const recFull = await startRecordingSensor(dir, 'full');
  const discard = await startDiscardingSensor();
  const bare = await bareServer(false);
  const canned = await cannedServer(discard.portFor(135)!);
  try {
    const sensorRss = await idleRss(rec.port, () => rec.sensor.openConnections);
    await settle(rec.sensor);
    const exchange = 'connect, bind, ept_lookup (19 towers), close';
    const peers: Peer[] = [
      { label: 'bare Node `net` accept-and-close', exchange: 'connect, server closes', port: bare.port, mode: 'bare', runs: [] },
      { label: 'bare Node `net`, canned reply bytes', exchange, port: canned.port, mode: 'rpc', runs: [] },
      { label: 'Vigil sensor, sink discards', exchange, port: discard.portFor(135)!, mode: 'rpc', runs: [] },
      { label: 'Vigil sensor, every session and event in SQLite (synchronous=normal: survives a crash)', exchange, port: rec.port, mode: 'rpc', runs: [] },
      { label: 'Vigil sensor, every session and event in SQLite (synchronous=full: survives power loss)', exchange, port: recFull.port, mode: 'rpc', runs: [] },
    ];
    // Interleaved so that the shared machine's load drifts over all peers alike.
    for (let i = 0; i < RUNS; i++) for (const p of peers) p.runs.push(await measureRate(p.port, p.mode));
    await settle(rec.sensor);
    await settle(recFull.sensor);
    const stored = (await rec.store.listSessions({ limit: 1 })).items.length > 0 && (await recFull.store.listSessions({ limit: 1 })).items.length > 0;
    const bareRate = median(peers[0].runs.map(rate));
    const cannedRate = median(peers[1].runs.map(rate));
    const recRate = median(peers[3].runs.map(rate));
    return [
      `Command: \`npm run bench -- sensor\` (load client in a child process on loopback, ${CONCURRENCY} exchanges in flight, ${RUNS} interleaved runs of ${RUN_MS / 1000} s per server, medians).`,
      '',
      '| server | exchange | per second (median) | p50 ms | p99 ms | ratio to accept-and-close |',
      '|---|---|---|---|---|---|',
      ...peers.map((p) => rateRow(p, bareRate)),
      '',
      `Recording sensor (normal) vs the same exchange with canned bytes: ${(recRate / cannedRate).toFixed(2)}. Sessions reached both stores: ${stored ? 'yes' : 'NO'}.`,
      'With synchronous=full every store commit is an fsync on the event loop the listeners share (better-sqlite3 is synchronous), which is what separates the last two rows.',
      'Target (issue 3): at least 0.70 of the accept-and-close rate; an exchange is three round trips where accept-and-close is one, so the canned-bytes row is the fair floor for the comparison.',
      '',
      `| ${IDLE.toLocaleString('en')} idle connections held by | open at measurement | process RSS (MiB) | growth for the connections (MiB) | growth ratio to bare |`,
      '|---|---|---|---|---|',
      `| bare Node \`net\` server (holds sockets) | ${bareRss.open} | ${mb(bareRss.rss)} | ${mb(bareRss.delta)} | 1.00 |`,
      `| Vigil sensor (session record, timers, responder per connection) | ${sensorRss.open} | ${mb(sensorRss.rss)} | ${mb(sensorRss.delta)} | ${(sensorRss.delta / Math.max(1, bareRss.delta)).toFixed(2)} |`,
      '',
      'Target: under 300 MiB RSS for the sensor. Both measured in the bench process (bare first, then the recording sensor, synchronous=normal), before the rate runs.',
    ].join('\n');
  } finally {
    bare.server.close();
    canned.server.close();
    await discard.stop();
    await rec.sensor.stop();
    await rec.store.close();
    await recFull.sensor.stop();
    await recFull.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === CLIENT_FLAG) void clientMain();
