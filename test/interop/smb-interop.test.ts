// Real peers against the sensor's SMB persona on loopback (kernel-chosen ports): Debian's smbclient
// lists the shares over SMB2 (srvsvc NetrShareEnum through \srvsvc), impacket reads the endpoint
// map through \pipe\epmapper over SMB2 and SMB1, nmap -sV labels the port within seconds; each is
// a session with its SMB commands (transcript) and its decoded calls, carried as ncacn_np.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { which, runPeer } from '../helpers/peers.js';
import { startSensor, waitFor, type Harness } from '../sensor/sensor-harness.js';
import { lookupEntries } from '../../src/sensor/persona/rpc-dispatch.js';
import { DEFAULT_PERSONA } from '../../src/sensor/sensor-types.js';
import type { SessionRecord } from '../../src/model/session.js';

const NP_LOOKUP = fileURLToPath(new URL('../../../test/interop/py/np-epm-lookup.py', import.meta.url));
const PERSONA = { hostname: 'HONEY01', domain: 'CORP', addresses: ['192.0.2.10'] };
const hasImpacket = (): boolean => which('impacket-rpcdump') !== undefined;

let win7: Harness | undefined;
let xp: Harness | undefined;
before(async () => {
  win7 = await startSensor({ ports: [445, 139], persona: { ...PERSONA, os: 'windows-7-sp1' } });
  xp = await startSensor({ ports: [445, 139], persona: { ...PERSONA, os: 'windows-xp-sp1' } });
});
after(async () => {
  await win7?.stop();
  await xp?.stop();
});

const run = (cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; out: string }> => runPeer(cmd, args, timeoutMs);

const transcript = (s: SessionRecord): string => (s.transcript?.entries ?? []).map((e) => e.text).join('\n');
const sessionWith = (h: Harness, op: string): Promise<SessionRecord> => waitFor(`a session with ${op}`, () => h.sink.sessions.find((s) => s.calls.some((c) => c.operation === op)));

test('smbclient -L lists the persona shares over SMB2 (srvsvc through \\srvsvc)', { skip: which('smbclient') ? false : 'smbclient not installed (Debian smbclient)' }, async () => {
  const { out } = await run('smbclient', ['-L', '//127.0.0.1', '-N', '-p', String(win7!.port(445))]);
  for (const share of ['IPC$', 'ADMIN$', 'C$', 'SharedDocs']) assert.match(out, new RegExp(`^\\s+${share.replace('$', '\\$')}\\s`, 'm'));
  assert.match(out, /Remote IPC/);
  const s = await sessionWith(win7!, 'NetrShareEnum');
  const call = s.calls.find((c) => c.operation === 'NetrShareEnum')!;
  assert.deepEqual([call.transport, call.pipe, call.endpoint], ['ncacn_np', 'srvsvc', 'srvsvc']);
  assert.match(transcript(s), /SMB2 NEGOTIATE .*0210/);
  assert.match(transcript(s), /SMB2 TREE_CONNECT .*IPC\$/);
  assert.match(transcript(s), /SMB2 CREATE srvsvc/);
});

for (const dialect of ['smb2', 'smb1'] as const) {
  test(`impacket lists the endpoint map through \\pipe\\epmapper over ${dialect}`, { skip: hasImpacket() ? false : 'impacket not installed (Debian python3-impacket)' }, async () => {
    const before = win7!.sink.sessions.length;
    const { code, out } = await run('/usr/bin/python3', [NP_LOOKUP, String(win7!.port(445)), dialect]);
    assert.equal(code, 0, out);
    const expected = lookupEntries({ ...DEFAULT_PERSONA, ...PERSONA }, '127.0.0.1').length;
    assert.match(out, new RegExp(`entries ${expected}`));
    assert.match(out, /ncacn_np:\\\\HONEY01\[\\PIPE\\epmapper\]/);
    // the names and version come from the NTLMSSP challenge and the session setup
    assert.match(out, /server HONEY01 CORP Windows (6\.1 Build 7601|7 Professional 7601 Service Pack 1)/);
    const s = await waitFor('the impacket session', () => win7!.sink.sessions.slice(before).find((x) => x.calls.some((c) => c.operation === 'ept_lookup')));
    assert.ok(s.calls.every((c) => c.transport === 'ncacn_np' && c.pipe === 'epmapper'));
    assert.match(transcript(s), dialect === 'smb1' ? /SMB1 NT_CREATE .*epmapper/ : /SMB2 CREATE epmapper/);
  });
}

test('an XP persona speaks SMB1 only: impacket falls back to NT LM 0.12 and gets XP names', { skip: hasImpacket() ? false : 'impacket not installed (Debian python3-impacket)' }, async () => {
  const { code, out } = await run('/usr/bin/python3', [NP_LOOKUP, String(xp!.port(445))]);
  assert.equal(code, 0, out);
  assert.match(out, /server HONEY01 CORP Windows 5\.1 NT LM 0\.12/);
});

test('nmap -sV gets an answer on the SMB port within seconds (microsoft-ds)', { skip: which('nmap') ? false : 'nmap not installed' }, async () => {
  const started = Date.now();
  const { out } = await run('nmap', ['-sV', '-Pn', '-n', '-p', String(xp!.port(445)), '127.0.0.1'], 120_000);
  const took = Date.now() - started;
  assert.match(out, new RegExp(`${xp!.port(445)}/tcp\\s+open\\s+microsoft-ds`));
  assert.ok(took < 60_000, `nmap took ${took} ms`);
});
