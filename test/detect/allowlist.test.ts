// Allowlisted sources (issue 12 item 7): IPv4 and IPv6 addresses and CIDR prefixes that no detector
// sees, on the event path and the conn.log fast path alike.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../src/core/errors.js';
import { addrKey } from '../../src/detect/addr-key.js';
import { Allowlist } from '../../src/detect/allowlist.js';
import { DetectPipeline } from '../../src/detect/detect-pipeline.js';
import type { ConnEvent } from '../../src/model/event.js';

test('allowlist: IPv4 and IPv6 addresses and prefixes, IPv4-mapped IPv6, numeric keys', () => {
  const a = new Allowlist(['192.0.2.0/24', '198.51.100.7', '2001:db8:1::/48', '2001:db8:ffff::5', '10.0.0.0/8']);
  for (const yes of ['192.0.2.0', '192.0.2.255', '198.51.100.7', '10.200.3.4', '2001:db8:1:abcd::1', '2001:DB8:FFFF::5', '::ffff:192.0.2.9']) assert.ok(a.has(yes), yes);
  for (const no of ['192.0.3.0', '198.51.100.8', '11.0.0.1', '2001:db8:2::1', '2001:db8:ffff::6', 'not-an-address', '']) assert.ok(!a.has(no), no);
  assert.ok(a.has(addrKey('192.0.2.77')), 'numeric IPv4 key (conn.log fast path)');
  assert.ok(!a.has(addrKey('192.0.1.77')));
  assert.ok(new Allowlist(['0.0.0.0/0']).has(addrKey('255.255.255.255')), '/0 covers everything');
  assert.ok(new Allowlist(['::/0']).has('2001:db8::1'));
  assert.throws(() => new Allowlist(['192.0.2.0/33']), (e) => isAppError(e, 'VIGIL_ERR_CONFIG') && /detect\.allowlist.*192\.0\.2\.0\/33/.test(e.message));
  assert.throws(() => new Allowlist(['scanner.example.org']), (e) => isAppError(e, 'VIGIL_ERR_CONFIG'));
});

const conn = (ts: number, src: string, dst: string, dport: number): ConnEvent => ({ type: 'conn', ts, source: 'sensor', src, dst, proto: 'tcp', dport, outcome: 'failure' });
/** A sensor sweep and a 30-host sweep on 135: recon, TRW, address_scan and (30 neighbours in turn) sequential_sweep from a non-listed source. */
const scan = (src: string): ConnEvent[] => [
  ...[135, 139, 445, 593, 4444].map((p, i) => conn(1000 + i, src, '192.0.2.10', p)),
  ...Array.from({ length: 30 }, (_, i) => conn(2000 + i, src, `192.0.2.${100 + i}`, 135)),
];

test('an allowlisted scanner raises nothing on either path; the same scan from elsewhere does', () => {
  const rules = (p: DetectPipeline, evs: ConnEvent[], fast: boolean): string[] =>
    evs.flatMap((e) => (fast ? p.pushConn(e.ts, addrKey(e.src), addrKey(e.dst), e.dport, e.outcome) : p.push(e))).map((a) => a.rule).sort();
  for (const fast of [false, true]) {
    const open = rules(new DetectPipeline(), scan('203.0.113.50'), fast);
    assert.deepEqual(open, ['address_scan', 'recon_sensor_sweep', 'sequential_sweep', 'trw_scanner'], 'without an allowlist');
    const p = new DetectPipeline({ allowlist: ['203.0.113.0/24', '2001:db8:5ca::/48'] });
    assert.deepEqual(rules(p, scan('203.0.113.50'), fast), [], 'before: there was no allowlist');
    assert.deepEqual(rules(p, scan('2001:db8:5ca::9'), fast), []);
    assert.equal(p.allowlisted, 70);
    assert.deepEqual(rules(p, scan('203.0.114.50'), fast), open, 'a neighbour outside the prefix is still seen');
  }
});
