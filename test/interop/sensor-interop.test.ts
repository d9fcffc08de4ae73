// Real peers against the sensor persona on 127.0.0.1:135 (the impacket tools accept only the
// well-known ports): impacket rpcdump lists the persona's endpoints, impacket rpcmap enumerates its
// interfaces, nmap -sV labels the port "msrpc Microsoft Windows RPC"; each connection is then a
// session with its decoded calls in the API and in `vigil sessions`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { isRoot, which, runPeer } from '../helpers/peers.js';
import { CLI_PATH } from '../helpers/paths.js';
import { loadConfig } from '../../src/cli/config.js';
import { startNode, type VigilNode } from '../../src/cli/node.js';
import { SERVED_ON_135 } from '../../src/sensor/persona/persona-interfaces.js';
import { lookupEntries } from '../../src/sensor/persona/rpc-dispatch.js';
import { DEFAULT_PERSONA } from '../../src/sensor/sensor-types.js';
import { api, freePort, portIsFree, tempDir, type SessionSummaryLike } from '../cli/up-helpers.js';

// Debian's impacket runs under the system python; a python on PATH from pyenv or a venv lacks it.
const RPCMAP = ['/usr/share/doc/python3-impacket/examples/rpcmap.py', '/usr/bin/rpcmap.py'].find((p) => existsSync(p));
const port135Free = await portIsFree(135);
const baseSkip = !isRoot() ? 'needs root to listen on 135' : !port135Free ? '127.0.0.1:135 is in use (another test or service)' : false;
const skipFor = (have: boolean, why: string): false | string => baseSkip || (have ? false : why);

const PERSONA = { hostname: 'INTEROP01', addresses: ['192.0.2.10'] };
let node: VigilNode | undefined;
let dataDir = '';

before(async () => {
  if (baseSkip) return;
  dataDir = tempDir('interop');
  const config = loadConfig({ env: {}, flags: { dataDir, http: { host: '127.0.0.1', port: await freePort() }, sensor: { ports: [135], persona: PERSONA }, log: { level: 'silent' } } });
  node = await startNode(config, { sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
});
after(async () => {
  await node?.stop();
});

/** Run a peer; its stdout, or an error with everything it said when it fails. */
async function run(cmd: string, args: string[]): Promise<string> {
  const r = await runPeer(cmd, args, 120_000);
  if (r.code !== 0) throw new Error(`${cmd} exited ${r.code}: ${r.out}`);
  return r.stdout;
}

async function sessionWith(op: string): Promise<SessionSummaryLike & { calls?: unknown }> {
  const n = node!;
  for (let i = 0; i < 100; i++) {
    const list = (await api<{ items: SessionSummaryLike[] }>(n.httpAddress, n.token, '/api/v1/sessions?port=135&limit=1000')).body.items;
    for (const s of list.filter((x) => x.callCount > 0)) {
      const full = await api<{ calls: { operation?: string }[] }>(n.httpAddress, n.token, `/api/v1/sessions/${s.id}`);
      if (full.body.calls.some((c) => c.operation === op)) return { ...s, calls: full.body.calls };
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`no session with a ${op} call`);
}

test('impacket rpcdump lists the persona endpoints; the session shows the ept_lookup', { skip: skipFor(which('impacket-rpcdump') !== undefined, 'impacket-rpcdump not installed (Debian python3-impacket)') }, async () => {
  const out = await run('impacket-rpcdump', ['-port', '135', '127.0.0.1']);
  const expected = lookupEntries({ ...DEFAULT_PERSONA, ...PERSONA }, '127.0.0.1').length;
  assert.match(out, new RegExp(`Received ${expected} endpoints`));
  assert.match(out, /E1AF8308-5D1F-11C9-91A4-08002B14A0FA v3\.0/);
  assert.match(out, /ncacn_ip_tcp:192\.0\.2\.10\[1025\]/);
  assert.match(out, /ncacn_np:\\\\INTEROP01\[\\PIPE\\lsass\]/);
  const s = await sessionWith('ept_lookup');
  assert.equal(s.dport, 135);
});

test('impacket rpcmap enumerates the interfaces served on 135 via mgmt inq_if_ids', { skip: skipFor(RPCMAP !== undefined, 'rpcmap.py not found (Debian python3-impacket examples)') }, async () => {
  const out = await run('/usr/bin/python3', [RPCMAP!, '-auth-level', '1', 'ncacn_ip_tcp:127.0.0.1[135]']);
  for (const i of SERVED_ON_135) assert.match(out, new RegExp(`UUID: ${i.uuid.toUpperCase()} v${i.major}\\.${i.minor}`));
  await sessionWith('inq_if_ids');
});

test('nmap -sV labels 135 "msrpc Microsoft Windows RPC"; its probes are sessions with anomalies', { skip: skipFor(which('nmap') !== undefined, 'nmap not installed (Debian nmap)') }, async () => {
  const out = await run('nmap', ['-sV', '-Pn', '-p135', '127.0.0.1']);
  assert.match(out, /135\/tcp\s+open\s+msrpc\s+Microsoft Windows RPC/);
  const n = node!;
  const anomalous = (await api<{ items: SessionSummaryLike[] }>(n.httpAddress, n.token, '/api/v1/sessions?port=135&hasAnomaly=true&limit=1000')).body.items;
  assert.ok(anomalous.length >= 1, 'nmap probes that are not DCE/RPC are recorded with their anomaly');
});

test('`vigil sessions` shows the interop sessions from the same data directory', { skip: baseSkip || (existsSync(CLI_PATH) ? false : 'compiled CLI not found: run npm run build') }, async () => {
  await new Promise((r) => setTimeout(r, 100));
  const stdout = await run(process.execPath, [CLI_PATH, 'sessions', '--data-dir', dataDir, '--json', '--port', '135', '--limit', '1000']);
  const lines = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as SessionSummaryLike);
  assert.ok(lines.some((s) => s.callCount > 0), 'sessions with decoded calls are listed');
});
