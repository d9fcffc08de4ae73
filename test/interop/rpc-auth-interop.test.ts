// impacket's rpcmap against the persona with NTLM-authenticated binds (loopback, kernel-chosen
// ports: an ncacn_ip_tcp string binding takes any port): at connect and packet-integrity levels
// the bind_ack carries the persona's CHALLENGE, the auth3 is accepted whatever the password, mgmt
// inq_if_ids is answered and the session names the user, domain and workstation the AUTHENTICATE
// claimed; at packet privacy the sealed call is recorded as such and faulted, never pretended read.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSensor, waitFor, type Harness } from '../sensor/sensor-harness.js';
import { SERVED_ON_135 } from '../../src/sensor/persona/persona-interfaces.js';
import type { SessionRecord } from '../../src/model/session.js';
import { runPeer } from '../helpers/peers.js';

const RPCMAP = ['/usr/share/doc/python3-impacket/examples/rpcmap.py', '/usr/bin/rpcmap.py'].find((p) => existsSync(p));
const NP_AUTH = fileURLToPath(new URL('../../../test/interop/py/np-auth-inq.py', import.meta.url));
const skip = RPCMAP ? false : 'rpcmap.py not found (Debian python3-impacket examples)';
const PERSONA = { hostname: 'HONEY01', domain: 'CORP', os: 'windows-7-sp1' as const, addresses: ['192.0.2.10'] };

let h: Harness | undefined;
before(async () => {
  h = await startSensor({ ports: [135, 445], persona: PERSONA });
});
after(async () => {
  await h?.stop();
});

const run = (cmd: string, args: string[]): Promise<{ code: number | null; out: string }> => runPeer(cmd, args);

const transcript = (s: SessionRecord): string => (s.transcript?.entries ?? []).map((e) => e.text).join('\n');
/** The transcript line for an AUTHENTICATE (transcripts escape a backslash as two). */
const claimed = (domain: string, user: string, ws: string): string => `DCE/RPC NTLMSSP AUTHENTICATE user ${domain}\\\\${user} from ${ws}`;
const lines = (s: SessionRecord): string[] => (s.transcript?.entries ?? []).map((e) => e.text);
const rpcmap = (level: number, user: string): Promise<{ code: number | null; out: string }> =>
  run('/usr/bin/python3', [RPCMAP!, '-auth-level', String(level), '-auth-rpc', user, `ncacn_ip_tcp:127.0.0.1[${h!.port(135)}]`]);

for (const level of [2, 5]) {
  test(`rpcmap with NTLM at auth level ${level} lists the interfaces; the session names the claimed user`, { skip }, async () => {
    const before = h!.sink.sessions.length;
    const { code, out } = await rpcmap(level, `CORP/alice${level}:Wrong-Password-${level}`);
    assert.equal(code, 0, out);
    for (const i of SERVED_ON_135) assert.match(out, new RegExp(`UUID: ${i.uuid.toUpperCase()} v${i.major}\\.${i.minor}`));
    const s = await waitFor('the rpcmap session', () => h!.sink.sessions.slice(before).find((x) => x.calls.some((c) => c.operation === 'inq_if_ids')));
    // impacket sends no workstation name in its AUTHENTICATE: the line ends with the (empty) one
    assert.ok(lines(s).includes(claimed('CORP', `alice${level}`, '')), transcript(s));
    const call = s.calls.find((c) => c.operation === 'inq_if_ids')!;
    // connect level: requests carry no verifier (MS-RPCE 3.3.1.5.2.2); integrity: each is signed
    assert.deepEqual([call.authType, call.authLevel, call.sealed], level === 2 ? [undefined, undefined, undefined] : [10, 5, undefined]);
    assert.equal(call.faultStatus, undefined);
  });
}

test('rpcmap at packet privacy (its default): the sealed call is recorded as sealed and faulted', { skip }, async () => {
  const before = h!.sink.sessions.length;
  const { out } = await rpcmap(6, 'CORP/mallory:x');
  assert.match(out, /rpc_s_access_denied/);
  const s = await waitFor('the sealed session', () => h!.sink.sessions.slice(before).find((x) => x.calls.some((c) => c.sealed === true)));
  const call = s.calls.find((c) => c.sealed === true)!;
  assert.deepEqual([call.endpoint, call.authType, call.authLevel, call.faultStatus], ['mgmt', 10, 6, 5]);
  assert.ok(lines(s).includes(claimed('CORP', 'mallory', '')), transcript(s));
});

test('inside \\pipe\\epmapper the same NTLM bind authentication answers (integrity level, over SMB2)', { skip: existsSync(NP_AUTH) ? skip : 'np-auth-inq.py missing' }, async () => {
  const before = h!.sink.sessions.length;
  const { code, out } = await run('/usr/bin/python3', [NP_AUTH, String(h!.port(445)), 'CORP', 'bob', 'WKS-BOB']);
  assert.equal(code, 0, out);
  assert.match(out, /interfaces [1-9]/);
  const s = await waitFor('the pipe session', () => h!.sink.sessions.slice(before).find((x) => x.calls.some((c) => c.operation === 'inq_if_ids')));
  const call = s.calls.find((c) => c.operation === 'inq_if_ids')!;
  assert.deepEqual([call.transport, call.pipe, call.authLevel], ['ncacn_np', 'epmapper', 5]);
  assert.ok(lines(s).includes(claimed('CORP', 'bob', 'WKS-BOB')), transcript(s));
});
