// The SMB probe and the pipe check against Samba's smbd (Debian samba 4.17, its own smb.conf in a
// temporary directory, bound to 127.13.28.1:445 and :139, an address the test adds to lo and
// removes; SMB1 enabled so that both dialect families are read; samba-dcerpcd started by the test
// beside it, as smbd would start it on demand, so that both are stopped by their pids). The probe reads what nmap's
// smb-os-discovery, smb-protocols and smb2-security-mode read on the same host; the MS03-026 check
// over \PIPE\epmapper ends "unknown" (Samba serves no IRemoteActivation), without an error.

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

const SMBD = '/usr/sbin/smbd';
const DCERPCD = '/usr/libexec/samba/samba-dcerpcd';
const ADDR = '127.13.28.1';
const NAME = 'SAMBASMB';
let skip: string | false = !isRoot() ? 'needs root (ports 139/445, an address on lo)' : !existsSync(SMBD) || !existsSync(DCERPCD) ? `${SMBD} or ${DCERPCD} missing (Debian samba)` : !which('ip') ? 'ip missing (iproute2)' : false;
const daemons: ChildProcess[] = [];
let dir = '';
let addedAddress = false;

async function listening(): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const r = spawnSync('ss', ['-ltn', `src ${ADDR}`], { encoding: 'utf8' });
    // smbd on 445 and 139, samba-dcerpcd (which serves smbd's pipes) on 135
    if ([445, 139, 135].every((p) => r.stdout.includes(`${ADDR}:${p}`))) return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'vigil-smbd-'));
  const dirs = ['private', 'lock', 'state', 'cache', 'pid', 'ncalrpc'];
  for (const d of dirs) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'smb.conf'), [
    '[global]', `  netbios name = ${NAME}`, '  workgroup = VIGILTEST', '  server role = standalone server',
    `  interfaces = ${ADDR}`, '  bind interfaces only = yes', '  server min protocol = NT1', '  disable netbios = yes', '  rpc start on demand helpers = no',
    ...['private dir', 'lock directory', 'state directory', 'cache directory', 'pid directory', 'ncalrpc dir'].map((k, i) => `  ${k} = ${join(dir, dirs[i])}`),
    `  log file = ${join(dir, 'log')}`, '',
  ].join('\n'));
  const add = spawnSync('ip', ['addr', 'add', `${ADDR}/32`, 'dev', 'lo'], { encoding: 'utf8' });
  addedAddress = add.status === 0;
  if (!addedAddress && !/File exists|already assigned/.test(add.stderr)) return void (skip = `cannot add ${ADDR} to lo: ${add.stderr.trim()}`);
  // each in a process group of its own: smbd signals its whole group when it stops (kill(0, ...)),
  // which in ours would end the test runner
  daemons.push(spawn(DCERPCD, ['-F', '--libexec-rpcds', '-s', join(dir, 'smb.conf'), '--no-process-group'], { stdio: 'ignore', detached: true }));
  daemons.push(spawn(SMBD, ['-F', '--no-process-group', '-s', join(dir, 'smb.conf')], { stdio: 'ignore', detached: true }));
  if (!(await listening())) skip = `smbd and samba-dcerpcd did not listen on ${ADDR}:445, :139 and :135 (another listener on 0.0.0.0?)`;
});

after(async () => {
  for (const d of daemons) d.kill('SIGTERM');
  if (daemons.length > 0) await new Promise((r) => setTimeout(r, 300));
  if (addedAddress) spawnSync('ip', ['addr', 'del', `${ADDR}/32`, 'dev', 'lo']);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function scan(ports: number[]): Promise<HostScanResult> {
  let r: HostScanResult | undefined;
  await runScan({ targets: [ADDR], ports, checks: ['ms03-026'], scope: Scope.of(undefined), onResult: (x) => void (r = x) });
  assert.ok(r, 'the host has an SMB port open');
  return r;
}

let on445: HostScanResult | undefined;

test('Samba on 445: SMB 3.1.1 and SMB1, signing enabled, its names and "Samba x.y" as the OS; the pipe check says unknown', async (t) => {
  if (skip) return t.skip(skip);
  const r = (on445 = await scan([139, 445]));
  assert.equal(r.errors, undefined, `no probe errors: ${r.errors?.join('; ')}`);
  const smb = r.smb!;
  assert.equal(smb.port, 445);
  assert.deepEqual(smb.dialects, ['NT LM 0.12', '3.1.1']);
  assert.equal(smb.smb1, true);
  assert.deepEqual(smb.signing, { enabled: true, required: false });
  assert.match(smb.nativeLanMan ?? '', /^Samba 4\./);
  assert.equal(smb.netbiosComputer, NAME);
  assert.equal(smb.ntlmVersion?.endsWith('.0'), true, 'Samba announces build 0');
  assert.ok(Math.abs(smb.clockSkewSeconds!) <= 2);
  assert.equal(r.netbiosName, NAME);
  assert.equal(r.os?.family, 'Unix');
  assert.equal(r.os?.version, smb.nativeLanMan);
  const c = r.checks!.find((x) => x.check === 'ms03-026')!;
  assert.deepEqual([c.verdict, c.transport, c.port], ['unknown', 'ncacn_np', 445]);
  assert.match(c.reason, /IRemoteActivation not accepted in bind .*\\PIPE\\epmapper over SMB 3\.1\.1/);
});

test('Samba on 139: the NetBIOS session request to *SMBSERVER, then the same probe', async (t) => {
  if (skip) return t.skip(skip);
  const r = await scan([139]);
  assert.equal(r.errors, undefined, `no probe errors: ${r.errors?.join('; ')}`);
  assert.equal(r.smb?.port, 139);
  assert.deepEqual(r.smb?.dialects, ['NT LM 0.12', '3.1.1']);
  assert.equal(r.smb?.netbiosComputer, NAME);
  assert.equal(r.checks?.find((x) => x.check === 'ms03-026')?.verdict, 'unknown');
});

test('the probe reads what nmap\'s smb-os-discovery, smb-protocols and smb2-security-mode read', { skip: which('nmap') ? undefined : 'nmap not installed' }, async (t) => {
  if (skip) return t.skip(skip);
  const r = on445 ?? (await scan([139, 445]));
  const out = spawnSync('nmap', ['-n', '-Pn', '-sT', '-p445', '--script', 'smb-os-discovery,smb-protocols,smb2-security-mode', ADDR], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(out.status, 0, out.stderr);
  const text = out.stdout;
  assert.match(text, new RegExp(`NetBIOS computer name: ${r.smb!.netbiosComputer}`));
  assert.match(text, new RegExp(`OS: ${r.smb!.nativeOs} \\(${r.smb!.nativeLanMan}\\)`));
  // nmap lists every SMB2 dialect it could negotiate one by one; the highest is the one we chose
  const dialects = [...text.matchAll(/^\|_?\s+(\d{3})\s*$/gm)].map((m) => m[1]);
  assert.equal(dialects.at(-1), r.smb!.dialects.at(-1)!.replace(/\./g, ''));
  assert.equal(text.includes('NT LM 0.12 (SMBv1)'), r.smb!.smb1);
  assert.equal(/Message signing enabled but not required/.test(text), r.smb!.signing.enabled && !r.smb!.signing.required);
});
