// The scanner against live Vigil sensor personas on loopback: an unpatched one (rpcssPatch none),
// one with KB823980 and one with KB824146, each on its own 127.13.26.x:135 (impacket's rpcdump only
// talks to the well-known ports; a private loopback address keeps clear of other tests on 127.0.0.1).
// It finds 135 open, lists the endpoints impacket-rpcdump lists, reads the host name through
// ServerAlive2 and tells the vulnerable persona from the patched ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lookupEntries } from '../../src/sensor/persona/rpc-dispatch.js';
import { DEFAULT_PERSONA } from '../../src/sensor/sensor-types.js';
import { personaHosts, type PersonaHost } from './persona-hosts.js';
import { which } from '../helpers/peers.js';

const HOSTS = [
  { address: '127.13.26.1', ports: [135], persona: { hostname: 'UNPATCHED1', rpcssPatch: 'none' } },
  { address: '127.13.26.2', ports: [135], persona: { hostname: 'PATCHED823', rpcssPatch: 'KB823980' } },
  { address: '127.13.26.3', ports: [135], persona: { hostname: 'PATCHED824', rpcssPatch: 'KB824146' } },
] as const satisfies readonly PersonaHost[];

const personas = personaHosts(HOSTS, '127.13.26.1-3');
const skip = personas.skip();
const scanAll = personas.scanAll;

test('the scanner finds 135 open, every endpoint, the host name and the addresses', { skip: skip || undefined }, async (t) => {
  if (personas.skip()) return t.skip(personas.skip() as string);
  const res = await scanAll();
  assert.equal(res.size, 3);
  for (const h of HOSTS) {
    const r = res.get(h.address)!;
    assert.equal(r.ports.find((p) => p.port === 135)?.state, 'open');
    assert.deepEqual(r.ports.map((p) => p.port), [135, 139, 445, 593]);
    assert.equal(r.hostname, h.persona.hostname, 'ServerAlive2 names the host');
    assert.deepEqual(r.addresses, [h.address]);
    const expected = lookupEntries({ ...DEFAULT_PERSONA, ...h.persona }, h.address).length;
    assert.equal(r.endpoints?.length, expected);
    assert.ok(r.endpoints!.some((e) => e.uuid === 'e1af8308-5d1f-11c9-91a4-08002b14a0fa' && e.binding === `ncacn_ip_tcp:${h.address}[135]`));
    assert.ok(r.endpoints!.some((e) => e.binding === `ncacn_np:\\\\${h.persona.hostname}[\\PIPE\\lsass]`));
    assert.ok(r.interfaces!.some((i) => i.uuid === '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57'), 'mgmt inq_if_ids lists IRemoteActivation');
    assert.equal(r.os?.family, 'Windows');
    assert.ok(r.os!.evidence.some((e) => e.includes('ServerAlive2 COM version 5.6')));
  }
});

test('MS03-026: the unpatched persona is vulnerable, both patched ones patched, with the HRESULT as evidence', { skip: skip || undefined }, async (t) => {
  if (personas.skip()) return t.skip(personas.skip() as string);
  const res = await scanAll();
  const verdict = (a: string, c: string) => res.get(a)!.checks!.find((x) => x.check === c)!;
  const v = verdict('127.13.26.1', 'ms03-026');
  assert.equal(v.verdict, 'vulnerable');
  assert.equal(v.cve, 'CVE-2003-0352');
  assert.match(v.reason, /0x80040154 REGDB_E_CLASSNOTREG/);
  // phr at offset 44 of the 68-byte stub, little-endian (plugin 11808 reads it there)
  assert.equal(v.evidenceHex!.length, 68 * 2);
  assert.equal(v.evidenceHex!.slice(88, 96), '54010480');
  const p = verdict('127.13.26.2', 'ms03-026');
  assert.equal(p.verdict, 'patched');
  assert.match(p.reason, /0x80080004 CO_E_BAD_PATH/);
  assert.equal(verdict('127.13.26.3', 'ms03-026').verdict, 'patched');
  // MS03-039: only KB824146 fixes it
  assert.equal(verdict('127.13.26.1', 'ms03-039').verdict, 'vulnerable');
  assert.equal(verdict('127.13.26.2', 'ms03-039').verdict, 'vulnerable');
  assert.equal(verdict('127.13.26.3', 'ms03-039').verdict, 'patched');
});

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, PATH: `/usr/bin:/bin:${process.env.PATH ?? ''}` }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err}${out}`))));
  });
}

/** rpcdump's listing as a set of "uuid vX.Y binding" lines. */
export function rpcdumpSet(out: string): Set<string> {
  const set = new Set<string>();
  let current: string | undefined;
  let inBindings = false;
  for (const line of out.split('\n')) {
    const u = /^UUID\s*:\s*([0-9A-Fa-f-]{36}) v(\d+\.\d+)/.exec(line);
    if (u) {
      current = `${u[1].toLowerCase()} v${u[2]}`;
      inBindings = false;
    } else if (/^Bindings:/.test(line)) inBindings = true;
    else if (inBindings && /^\s+\S/.test(line) && current) set.add(`${current} ${line.trim()}`);
    else if (line.trim() === '') inBindings = false;
  }
  return set;
}

test('the endpoints equal impacket-rpcdump\'s on the same host', { skip: skip || (which('impacket-rpcdump') ? undefined : 'impacket-rpcdump not installed (Debian python3-impacket)') }, async (t) => {
  if (personas.skip()) return t.skip(personas.skip() as string);
  const res = await scanAll();
  for (const h of HOSTS.slice(0, 2)) {
    const out = await run('impacket-rpcdump', ['-port', '135', h.address]);
    const theirs = rpcdumpSet(out);
    const ours = new Set(res.get(h.address)!.endpoints!.map((e) => `${e.uuid} v${e.version} ${e.binding}`));
    assert.ok(theirs.size > 0, 'rpcdump listed endpoints');
    assert.deepEqual([...ours].sort(), [...theirs].sort());
    assert.match(out, new RegExp(`Received ${res.get(h.address)!.endpoints!.length} endpoints`));
  }
});
