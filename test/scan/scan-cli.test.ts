// `vigil scan`: usage errors exit 2 naming the flag, out-of-scope targets are refused, and against
// a sensor persona on an ephemeral loopback port it prints JSON lines and writes nmap XML; an
// interrupted scan leaves a private state file and --resume-style continuation finishes the rest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { skipWithoutBuild, vigil } from '../helpers/cli.js';
import { CLI_PATH } from '../helpers/paths.js';
import { startSensor } from '../sensor/sensor-harness.js';
import { Scope } from '../../src/scan/scope.js';
import { runScan } from '../../src/scan/scanner.js';
import { ScanStateStore } from '../../src/scan/scan-state.js';
import { socketConnector, type Connector } from '../../src/scan/probes/tcp-connect.js';

/** The CLI in a child process, awaited: the sensor under test shares this process's event loop
 * (spawnSync would stall it; capturing this process's stdout would swallow the test runner's reports). */
function vigilAsync(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_')));
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`vigil exited ${code}: ${err}`))));
  });
}

const dataDir = (): string => mkdtempSync(join(tmpdir(), 'vigil-scan-'));

test('usage errors exit 2 and name the flag', { skip: skipWithoutBuild }, () => {
  const d = dataDir();
  for (const [args, flag] of [
    [['--rate', '0'], '--rate'],
    [['--rate', 'fast'], '--rate'],
    [['--ports', '70000'], '--ports'],
    [['--ports', '135,abc'], '--ports'],
    [['--check', 'ms99-999'], '--check'],
    [['-oY', 'x.txt'], '-o'],
    [['--exclude', '10.0.0.0/99'], '--exclude'],
    [['--rpc-port', '0'], '--rpc-port'],
  ] as const) {
    const r = vigil(['scan', '127.0.0.1', ...args, '--data-dir', d]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.includes(flag), `${args.join(' ')} should name ${flag}: ${r.stderr}`);
  }
});

test('an out-of-scope target is refused with the scope named, and nothing scanned', { skip: skipWithoutBuild }, () => {
  const r = vigil(['scan', '8.8.8.8', '--data-dir', dataDir()]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /8\.8\.8\.8 is outside the scan scope 127\.0\.0\.0\/8, ::1/);
  assert.equal(r.stdout, '');
});

test('--json and -oX against a persona on an ephemeral port', { skip: skipWithoutBuild }, async () => {
  const h = await startSensor({ ports: [135], persona: { hostname: 'CLIHOST', rpcssPatch: 'none' } });
  try {
    const port = h.port(135);
    const d = dataDir();
    const xml = join(d, 'out.xml');
    const out = await vigilAsync(['scan', '127.0.0.1', '--ports', String(port), '--rpc-port', String(port), '--check', 'ms03-026', '--json', '-oX', xml, '--data-dir', d, '--no-progress']);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { address: string; hostname?: string; ports: { port: number; state: string }[]; checks?: { verdict: string }[] });
    assert.equal(lines.length, 1);
    assert.equal(lines[0].address, '127.0.0.1');
    assert.deepEqual(lines[0].ports.map((p) => [p.port, p.state]), [[port, 'open']]);
    assert.equal(lines[0].hostname, 'CLIHOST');
    assert.equal(lines[0].checks?.[0].verdict, 'vulnerable');
    const doc = readFileSync(xml, 'utf8');
    assert.match(doc, /^<\?xml version="1\.0"/);
    assert.match(doc, new RegExp(`<port protocol="tcp" portid="${port}"><state state="open" reason="syn-ack"`));
    assert.match(doc, /<hostname name="CLIHOST" type="user"\/>/);
    assert.match(doc, /<script id="ms03-026" output="CVE-2003-0352: VULNERABLE;/);
    assert.match(doc, /<hosts up="1" down="0" total="1"\/>\n<\/runstats>\n<\/nmaprun>\n$/);
    assert.equal(statSync(xml).mode & 0o777, 0o600);
  } finally {
    await h.stop();
  }
});

test('an interrupted scan saves its position (0600) and the resumed scan covers exactly the rest', async () => {
  const connector: Connector = socketConnector(() => {
    const s = new Socket();
    setTimeout(() => s.emit('error', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), 1);
    return s;
  });
  const d = dataDir();
  const store = new ScanStateStore(join(d, 'scans'));
  const scope = Scope.of(['10.0.0.0/24']);
  const seen: string[] = [];
  const ac = new AbortController();
  const first = await runScan({
    targets: ['10.0.0.0/24'], ports: [135], scope, connector, reportAll: true, limits: { rate: 100000, perHostRate: 1000 },
    state: { store, resume: false }, signal: ac.signal,
    onResult: (r) => {
      seen.push(r.address);
      if (seen.length === 60) ac.abort();
    },
  });
  assert.equal(first.interrupted, true);
  const files = readdirSync(join(d, 'scans'));
  assert.deepEqual(files, [`${first.key}.json`]);
  assert.equal(statSync(join(d, 'scans', files[0])).mode & 0o777, 0o600);
  const second = await runScan({
    targets: ['10.0.0.0/24'], ports: [135], scope, connector, reportAll: true, limits: { rate: 100000, perHostRate: 1000 },
    state: { store, resume: true }, onResult: (r) => void seen.push(r.address),
  });
  assert.equal(second.resumed, true);
  assert.equal(second.interrupted, false);
  assert.equal(new Set(seen).size, 256, 'every address scanned');
  assert.equal(seen.length, 256, 'none scanned twice');
  assert.deepEqual(readdirSync(join(d, 'scans')), [], 'a finished scan leaves no state');
});

test('port states from probe threads equal those from this thread', async () => {
  const h = await startSensor({ ports: [135], persona: { hostname: 'THREADS1' } });
  try {
    const port = h.port(135);
    const states = async (probeThreads: number): Promise<string[]> => {
      const out: string[] = [];
      await runScan({
        targets: ['127.0.0.1', '127.0.0.2'], ports: [port, 1], scope: Scope.of(undefined), probeThreads, rpcPorts: { tcp: [port], http: [] }, reportAll: true,
        onResult: (r) => void out.push(`${r.address} ${r.ports.map((p) => `${p.port}=${p.state}`).join(' ')} ${r.hostname ?? '-'}`),
      });
      return out.sort();
    };
    const inThread = await states(0);
    assert.deepEqual(inThread, [`127.0.0.1 ${port}=open 1=closed THREADS1`, `127.0.0.2 ${port}=closed 1=closed -`]);
    assert.deepEqual(await states(2), inThread);
  } finally {
    await h.stop();
  }
});
