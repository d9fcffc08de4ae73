// Known-answer tests for the scanner detectors: TRW thresholds from the paper's parameters, and the
// Zeek-style thresholds firing at exactly 25 hosts / 15 ports.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrwDetector } from '../../src/detect/scan-trw-detector.js';
import { ThresholdDetector } from '../../src/detect/scan-threshold-detector.js';
import type { ConnEvent } from '../../src/model/event.js';

const conn = (ts: number, src: string, dst: string, dport: number, outcome: ConnEvent['outcome']): ConnEvent => ({
  type: 'conn', ts, source: 'zeek', src, dst, proto: 'tcp', dport, outcome,
});

test('TRW thresholds follow from theta0 0.8, theta1 0.2, alpha 0.01, beta 0.99', () => {
  const d = new TrwDetector();
  assert.ok(Math.abs(Math.exp(d.logEta1) - 99) < 1e-9);
  assert.ok(Math.abs(Math.exp(d.logEta0) - 0.01 / 0.99) < 1e-12);
});

test('TRW flags a source at its 4th straight failed first contact, not before', () => {
  const d = new TrwDetector();
  for (let i = 1; i <= 3; i++) {
    assert.deepEqual(d.push(conn(i * 1000, '198.51.100.7', `10.0.0.${i}`, 135, 'failure')), []);
    assert.equal(d.decision('198.51.100.7'), 'pending');
  }
  const alerts = d.push(conn(4000, '198.51.100.7', '10.0.0.4', 135, 'failure'));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.rule, 'trw_scanner');
  assert.equal(alerts[0]!.src, '198.51.100.7');
  assert.equal(alerts[0]!.evidence['failures'], 4);
  assert.equal(d.decision('198.51.100.7'), 'scanner');
});

test('TRW clears a source at its 4th straight successful first contact, also after a scanner verdict', () => {
  const d = new TrwDetector();
  for (let i = 1; i <= 3; i++) d.push(conn(i, '192.0.2.1', `10.0.1.${i}`, 80, 'success'));
  assert.equal(d.decision('192.0.2.1'), 'pending');
  d.push(conn(4, '192.0.2.1', '10.0.1.4', 80, 'success'));
  assert.equal(d.decision('192.0.2.1'), 'benign');

  for (let i = 1; i <= 4; i++) d.push(conn(10 + i, '192.0.2.9', `10.0.2.${i}`, 135, 'failure'));
  assert.equal(d.decision('192.0.2.9'), 'scanner');
  for (let i = 1; i <= 3; i++) d.push(conn(20 + i, '192.0.2.9', `10.0.3.${i}`, 135, 'success'));
  assert.equal(d.decision('192.0.2.9'), 'scanner');
  d.push(conn(24, '192.0.2.9', '10.0.3.4', 135, 'success'));
  assert.equal(d.decision('192.0.2.9'), 'benign');
});

test('TRW counts only the first contact with each destination', () => {
  const d = new TrwDetector();
  for (let i = 0; i < 50; i++) assert.deepEqual(d.push(conn(i, '203.0.113.5', '10.0.0.1', 135, 'failure')), []);
  assert.equal(d.decision('203.0.113.5'), 'pending');
  // A success then failures alternate: 1 success cancels 1 failure, so the walk never decides.
  for (let i = 0; i < 20; i++) d.push(conn(100 + i, '203.0.113.6', `10.9.0.${i}`, 135, i % 2 ? 'failure' : 'success'));
  assert.equal(d.decision('203.0.113.6'), 'pending');
});

test('TRW state stays bounded by maxSources and expires idle sources', () => {
  const d = new TrwDetector({ limits: { maxSources: 100, idleExpiryMs: 60_000 } });
  for (let i = 0; i < 1000; i++) d.push(conn(i, `10.1.${i >> 8}.${i & 255}`, '10.0.0.1', 135, 'failure'));
  assert.equal(d.trackedSources, 100);
  assert.equal(d.expire(1000 + 59_000), 0);
  assert.equal(d.expire(1000 + 61_000 + 1000), 100);
  assert.equal(d.trackedSources, 0);
});

test('TRW rejects impossible parameters', () => {
  assert.throws(() => new TrwDetector({ params: { theta0: 0.2, theta1: 0.8 } }), RangeError);
  assert.throws(() => new TrwDetector({ limits: { maxSources: 0 } }), /detect\.trw\.maxSources/);
});

test('threshold detector fires at exactly the 25th host on one port, once per window', () => {
  const d = new ThresholdDetector();
  for (let i = 1; i <= 24; i++) assert.deepEqual(d.push(conn(i * 100, '198.51.100.1', `10.0.0.${i}`, 135, 'failure')), []);
  const a = d.push(conn(2500, '198.51.100.1', '10.0.0.25', 135, 'failure'));
  assert.equal(a.length, 1);
  assert.equal(a[0]!.rule, 'address_scan');
  assert.equal(a[0]!.dport, 135);
  assert.deepEqual(d.push(conn(2600, '198.51.100.1', '10.0.0.26', 135, 'failure')), []);
});

test('threshold detector fires at exactly the 15th port on one host', () => {
  const d = new ThresholdDetector();
  for (let p = 1; p <= 14; p++) assert.deepEqual(d.push(conn(p, '198.51.100.2', '10.0.0.1', 1000 + p, 'failure')), []);
  const a = d.push(conn(15, '198.51.100.2', '10.0.0.1', 1015, 'failure'));
  assert.equal(a.length, 1);
  assert.equal(a[0]!.rule, 'port_scan');
  assert.equal(a[0]!.evidence['dst'], '10.0.0.1');
});

test('threshold detector: contacts spread over more than the window do not add up; successes do not count', () => {
  const d = new ThresholdDetector();
  const win = 5 * 60_000;
  for (let i = 1; i <= 24; i++) d.push(conn(i, '198.51.100.3', `10.0.0.${i}`, 445, 'failure'));
  assert.deepEqual(d.push(conn(win + 100, '198.51.100.3', '10.0.0.25', 445, 'failure')), []);
  for (let i = 1; i <= 30; i++) assert.deepEqual(d.push(conn(i, '198.51.100.4', `10.0.0.${i}`, 80, 'success')), []);
  const withSuccess = new ThresholdDetector({ countSuccess: true, limits: { portScanThreshold: 2 } });
  withSuccess.push(conn(1, '198.51.100.5', '10.0.0.1', 80, 'success'));
  assert.equal(withSuccess.push(conn(2, '198.51.100.5', '10.0.0.1', 81, 'success'))[0]?.rule, 'port_scan');
});

test('address keys: IPv4 text and its number are one source; alerts name the text', async () => {
  const { addrKey, addrText } = await import('../../src/detect/addr-key.js');
  assert.equal(addrKey('192.0.2.1'), 3221225985 | 0);
  assert.equal(addrText(3221225985 | 0), '192.0.2.1');
  assert.equal(addrText(addrKey('10.0.0.255')), '10.0.0.255');
  for (const t of ['2001:db8::1', '1.2.3', '1.2.3.256', '01.2.3.4.5', 'host']) assert.equal(addrKey(t), t);
  const d = new TrwDetector();
  d.observe(1, addrKey('198.51.100.9'), addrKey('10.0.0.1'), false, 135);
  d.push(conn(2, '198.51.100.9', '10.0.0.1', 135, 'failure')); // same first contact, text form: no step
  d.push(conn(3, '198.51.100.9', '10.0.0.2', 135, 'failure'));
  d.observe(4, addrKey('198.51.100.9'), addrKey('10.0.0.3'), false, 135);
  const [a] = d.push(conn(5, '198.51.100.9', '10.0.0.4', 135, 'failure'));
  assert.equal(a?.src, '198.51.100.9');
  assert.equal(a?.evidence['failures'], 4);
  const t = new ThresholdDetector({ limits: { portScanThreshold: 2 } });
  t.observe(1, addrKey('198.51.100.9'), addrKey('10.0.0.1'), 1);
  assert.equal(t.push(conn(2, '198.51.100.9', '10.0.0.1', 2, 'failure'))[0]?.evidence['dst'], '10.0.0.1');
});

test('threshold detector: (source, host) windows stay bounded by maxKeys', () => {
  const d = new ThresholdDetector({ limits: { maxKeys: 50 } });
  for (let i = 0; i < 500; i++) d.push(conn(i, `198.51.100.${i % 200}`, `10.0.${i >> 8}.${i & 255}`, 135, 'failure'));
  assert.ok(d.trackedKeys <= 50, `tracked ${d.trackedKeys}`);
  assert.ok(d.trackedKeys >= 40, 'eviction drops whole sources, not everything');
});
