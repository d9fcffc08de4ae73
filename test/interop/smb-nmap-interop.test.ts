// nmap's SMB scripts against the persona on the real 139 and 445 (smb-os-discovery and
// smb-protocols key on those port numbers): -sV names the claimed Windows, smb-os-discovery prints
// the persona's OS string and names, smb-protocols its dialects, within seconds; each connection is
// a session with its SMB commands. Needs root and free ports; skips with the reason otherwise.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isRoot, which, runPeer } from '../helpers/peers.js';
import { portIsFree } from '../cli/up-helpers.js';
import { startSensor, waitFor, type Harness } from '../sensor/sensor-harness.js';

const portsFree = (await portIsFree(139)) && (await portIsFree(445));
const skip = !which('nmap') ? 'nmap not installed (Debian nmap)' : !isRoot() ? 'needs root to listen on 139 and 445' : !portsFree ? '127.0.0.1:139 or :445 is in use' : false;
const PERSONA = { hostname: 'HONEY01', domain: 'CORP', os: 'windows-7-sp1' as const, addresses: ['192.0.2.10'] };

let h: Harness | undefined;
before(async () => {
  if (!skip) h = await startSensor({ ports: [139, 445], ephemeralPorts: false, persona: PERSONA });
});
after(async () => {
  await h?.stop();
});

/** nmap's report, whatever its exit status (the assertions read it). */
const run = async (cmd: string, args: string[]): Promise<string> => (await runPeer(cmd, args, 120_000)).out;

test('nmap -sV with smb-os-discovery and smb-protocols reports the persona within seconds', { skip }, async () => {
  const started = Date.now();
  const out = await run('nmap', ['-Pn', '-n', '-sV', '-p139,445', '--script', 'smb-os-discovery,smb-protocols', '127.0.0.1']);
  const took = Date.now() - started;
  assert.ok(took < 30_000, `nmap took ${took} ms`);
  // 139 before a session request answers as Windows does (negative session response 0x8F)
  assert.match(out, /139\/tcp\s+open\s+netbios-ssn\s+Microsoft Windows netbios-ssn/);
  assert.match(out, /445\/tcp\s+open\s+microsoft-ds\s+.*Windows 7.*\(workgroup: CORP\)/);
  assert.match(out, /OS: Windows 7 Professional 7601 Service Pack 1 \(Windows 7 Professional 6\.1\)/);
  assert.match(out, /Computer name: honey01/);
  assert.match(out, /NetBIOS computer name: HONEY01/);
  assert.match(out, /Domain name: corp/);
  assert.match(out, /NT LM 0\.12 \(SMBv1\)/);
  assert.match(out, /\|\s+202\n/);
  assert.match(out, /\|_\s+210\n/);
  const texts = (): string[] => h!.sink.sessions.flatMap((s) => (s.transcript?.entries ?? []).map((e) => e.text));
  await waitFor('sessions with SMB commands', () => texts().some((t) => t.startsWith('SMB1 NEGOTIATE')) && texts().some((t) => t.startsWith('SMB2 NEGOTIATE')) && texts().some((t) => t.startsWith('NTLMSSP AUTHENTICATE')));
  // the scripts use 445; -sV's SMBProgNeg on 139 is a session refused before its session request
  assert.ok(h!.sink.sessions.some((s) => s.dport === 139 && (s.transcript?.entries ?? []).some((e) => e.text.startsWith('SMB before an NBSS session request'))));
});
