// The scanner against Samba's endpoint mapper (Debian samba 4.17: samba-dcerpcd with its rpcd_*
// helpers, its own smb.conf in a temporary directory, bound to 127.13.27.1:135, an address the test
// adds to lo and removes). The endpoints the scanner lists are those Samba's own client (rpcclient
// epmlookup) lists, plus the entries Samba sends on the page that ends the list: Samba returns them
// together with ept_s_not_registered, which rpcclient drops and impacket-rpcdump treats as a failure
// ("No endpoints found"), while the scanner keeps every entry of every page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scope } from '../../src/scan/scope.js';
import { runScan } from '../../src/scan/scanner.js';
import type { HostScanResult } from '../../src/model/scan.js';
import { isRoot, which } from '../helpers/peers.js';

const DCERPCD = '/usr/libexec/samba/samba-dcerpcd';
const ADDR = '127.13.27.1';
let skip: string | false = !isRoot() ? 'needs root (port 135, an address on lo)' : !existsSync(DCERPCD) ? `${DCERPCD} missing (Debian samba)` : !which('rpcclient') ? 'rpcclient missing (Debian smbclient)' : !which('ip') ? 'ip missing (iproute2)' : false;
let daemon: ChildProcess | undefined;
let dir = '';
let addedAddress = false;

async function listening(): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const r = spawnSync('ss', ['-ltn', `src ${ADDR}:135`], { encoding: 'utf8' });
    if (r.stdout.includes(`${ADDR}:135`)) return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'vigil-samba-'));
  for (const d of ['private', 'lock', 'state', 'cache', 'pid', 'ncalrpc']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'smb.conf'), [
    '[global]', '  netbios name = SAMBAEPM', '  workgroup = VIGILTEST', '  server role = standalone server',
    `  interfaces = ${ADDR}`, '  bind interfaces only = yes', '  rpc start on demand helpers = no',
    ...['private dir', 'lock directory', 'state directory', 'cache directory', 'pid directory', 'ncalrpc dir'].map((k, i) => `  ${k} = ${join(dir, ['private', 'lock', 'state', 'cache', 'pid', 'ncalrpc'][i])}`),
    `  log file = ${join(dir, 'log')}`, '',
  ].join('\n'));
  const add = spawnSync('ip', ['addr', 'add', `${ADDR}/32`, 'dev', 'lo'], { encoding: 'utf8' });
  addedAddress = add.status === 0;
  if (!addedAddress && !add.stderr.includes('File exists')) return void (skip = `cannot add ${ADDR} to lo: ${add.stderr.trim()}`);
  daemon = spawn(DCERPCD, ['-F', '--libexec-rpcds', '-s', join(dir, 'smb.conf'), '--no-process-group'], { stdio: 'ignore' });
  if (!(await listening())) skip = `samba-dcerpcd did not listen on ${ADDR}:135 (another listener on 0.0.0.0:135?)`;
});

after(async () => {
  if (daemon?.pid) {
    daemon.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
  }
  if (addedAddress) spawnSync('ip', ['addr', 'del', `${ADDR}/32`, 'dev', 'lo']);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** rpcclient epmlookup lines as "uuid vX.Y binding" (its version word is major | minor << 16). */
function rpcclientSet(out: string): Set<string> {
  const set = new Set<string>();
  for (const l of out.split('\n')) {
    const m = /^[0-9a-f-]{36} (\w+):(.*)\[(.*),abstract_syntax=([0-9a-f-]{36})\/0x([0-9a-f]{8})\]/.exec(l);
    if (!m) continue;
    const v = parseInt(m[5], 16);
    set.add(`${m[4]} v${v & 0xffff}.${v >>> 16} ${m[1]}:${m[2]}[${m[3]}]`);
  }
  return set;
}

test('Samba\'s endpoint mapper: every endpoint rpcclient lists, and the last page\'s entries too', async (t) => {
  if (skip) return t.skip(skip);
  let r: HostScanResult | undefined;
  await runScan({ targets: [ADDR], ports: [135], scope: Scope.of(undefined), onResult: (x) => void (r = x) });
  assert.ok(r, 'the host has 135 open');
  const ours = new Set(r.endpoints!.map((e) => `${e.uuid} v${e.version} ${e.binding}`));
  const out = spawnSync('rpcclient', ['-U%', '-N', `ncacn_ip_tcp:${ADDR}[135]`, '-c', 'epmlookup'], { encoding: 'utf8', timeout: 30_000 });
  const theirs = rpcclientSet(out.stdout);
  assert.ok(theirs.size >= 10, `rpcclient listed ${theirs.size} endpoints: ${out.stdout.slice(0, 300)}${out.stderr}`);
  for (const e of theirs) assert.ok(ours.has(e), `missing ${e}`);
  const extra = [...ours].filter((e) => !theirs.has(e));
  assert.ok(extra.length <= 1, `only the final page's entry may be extra: ${extra.join('; ')}`);
  assert.ok(ours.has(`e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0 ncacn_ip_tcp:${ADDR}[135]`));
  // Samba serves no IObjectExporter: the scanner says so instead of inventing a host name
  assert.equal(r.hostname, undefined);
  assert.ok(r.errors?.some((e) => e.includes('ServerAlive2: interface not accepted')));
});
