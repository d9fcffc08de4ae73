// The SMB probe and the MS03-026/039 checks over \PIPE\epmapper against live sensor personas on
// loopback, each on its own 127.13.29.x with only SMB ports open (no 135: the pipe is the only way
// to RPCSS): an unpatched XP on 139 and 445, a Windows 7 with KB823980 on 445 (SMB 2.1, and SMB1
// on a second connection), an XP with KB824146 on 139 alone (NetBIOS session request first).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scope } from '../../src/scan/scope.js';
import { runScan } from '../../src/scan/scanner.js';
import { socketConnector } from '../../src/scan/probes/tcp-connect.js';
import { personaHosts, type PersonaHost } from './persona-hosts.js';

const HOSTS = [
  { address: '127.13.29.1', ports: [139, 445], persona: { hostname: 'XPNOFIX', domain: 'LAB', os: 'windows-xp-sp1', rpcssPatch: 'none' } },
  { address: '127.13.29.2', ports: [445], persona: { hostname: 'SEVEN823', domain: 'CORP', os: 'windows-7-sp1', rpcssPatch: 'KB823980' } },
  { address: '127.13.29.3', ports: [139], persona: { hostname: 'XP824146', domain: 'LAB', os: 'windows-xp-sp1', rpcssPatch: 'KB824146' } },
] as const satisfies readonly PersonaHost[];

const personas = personaHosts(HOSTS, '127.13.29.1-3');
const skip = personas.skip();
const scanAll = personas.scanAll;

test('the SMB probe reads each persona\'s dialects, OS strings, NTLMSSP version, names and clock', { skip: skip || undefined }, async (t) => {
  if (personas.skip()) return t.skip(personas.skip() as string);
  const res = await scanAll();
  assert.equal(res.size, 3);
  const xp = res.get('127.13.29.1')!;
  assert.deepEqual(xp.errors, undefined);
  assert.equal(xp.smb?.port, 445);
  assert.deepEqual(xp.smb?.dialects, ['NT LM 0.12']);
  assert.equal(xp.smb?.smb1, true);
  assert.equal(xp.smb?.nativeOs, 'Windows 5.1');
  assert.equal(xp.smb?.nativeLanMan, 'Windows 2000 LAN Manager');
  assert.equal(xp.smb?.ntlmVersion, '5.1.2600');
  assert.deepEqual([xp.smb?.netbiosComputer, xp.smb?.netbiosDomain, xp.smb?.dnsComputer, xp.smb?.dnsDomain], ['XPNOFIX', 'LAB', 'xpnofix', 'lab']);
  assert.deepEqual(xp.smb?.signing, { enabled: false, required: false });
  assert.ok(Math.abs(xp.smb!.clockSkewSeconds!) <= 2, 'the persona\'s clock is ours');
  assert.deepEqual([xp.hostname, xp.netbiosName, xp.dnsName, xp.domain], ['XPNOFIX', 'XPNOFIX', 'xpnofix', 'LAB']);
  assert.deepEqual([xp.os?.family, xp.os?.version], ['Windows', 'Windows XP']);
  assert.ok(xp.os!.confidence >= 0.9);
  assert.ok(xp.os!.evidence.some((e) => e.includes('NTLMSSP version 5.1.2600')));

  const seven = res.get('127.13.29.2')!;
  assert.deepEqual(seven.errors, undefined);
  assert.deepEqual(seven.smb?.dialects, ['NT LM 0.12', '2.1'], 'SMB 2.1 chosen from 2.0.2-3.1.1, and SMB1 still answered');
  assert.equal(seven.smb?.nativeOs, 'Windows 7 Professional 7601 Service Pack 1');
  assert.equal(seven.smb?.ntlmVersion, '6.1.7601');
  assert.deepEqual(seven.smb?.signing, { enabled: true, required: false });
  assert.equal(seven.netbiosName, 'SEVEN823');
  assert.equal(seven.os?.version, 'Windows 7 Professional 7601 Service Pack 1');

  const old = res.get('127.13.29.3')!;
  assert.equal(old.smb?.port, 139, 'over the NetBIOS session service');
  assert.equal(old.smb?.netbiosComputer, 'XP824146');
});

test('MS03-026 over \\PIPE\\epmapper: unpatched vulnerable, KB823980 and KB824146 patched, the transport named', { skip: skip || undefined }, async (t) => {
  if (personas.skip()) return t.skip(personas.skip() as string);
  const res = await scanAll();
  const verdict = (a: string, c: string) => res.get(a)!.checks!.find((x) => x.check === c)!;
  const v = verdict('127.13.29.1', 'ms03-026');
  assert.deepEqual([v.verdict, v.transport, v.port], ['vulnerable', 'ncacn_np', 445]);
  assert.match(v.reason, /0x80040154 REGDB_E_CLASSNOTREG/);
  assert.match(v.reason, /\\PIPE\\epmapper over SMB NT LM 0\.12/);
  assert.equal(v.evidenceHex!.slice(88, 96), '54010480', 'phr at offset 44 of the stub, as over TCP');
  const p = verdict('127.13.29.2', 'ms03-026');
  assert.deepEqual([p.verdict, p.transport], ['patched', 'ncacn_np']);
  assert.match(p.reason, /0x80080004 CO_E_BAD_PATH/);
  assert.match(p.reason, /over SMB 2\.1/);
  const q = verdict('127.13.29.3', 'ms03-026');
  assert.deepEqual([q.verdict, q.port], ['patched', 139]);
  assert.equal(verdict('127.13.29.1', 'ms03-039').verdict, 'vulnerable');
  assert.equal(verdict('127.13.29.2', 'ms03-039').verdict, 'vulnerable');
  assert.equal(verdict('127.13.29.3', 'ms03-039').verdict, 'patched');
});

test('an out-of-scope target among SMB targets is refused before any socket, checks or not', async () => {
  let opened = 0;
  const connector = socketConnector(() => {
    opened++;
    throw new Error('no socket may be opened');
  });
  await assert.rejects(
    runScan({ targets: ['127.13.29.1', '192.0.2.10'], ports: [139, 445], checks: ['ms03-026'], scope: Scope.of(undefined), connector, resolver: async () => [], onResult: () => undefined }),
    /192\.0\.2\.10 is outside the scan scope/,
  );
  assert.equal(opened, 0);
});
