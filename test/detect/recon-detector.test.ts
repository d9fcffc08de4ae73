// Reconnaissance of one sensor (issue 12 item 5): a sweep of most of a sensor address's ports, and
// nmap -sV's service probes recognised from their first bytes, as one recon alert per source.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetectPipeline } from '../../src/detect/detect-pipeline.js';
import { addrKey } from '../../src/detect/addr-key.js';
import { ReconDetector } from '../../src/detect/recon-detector.js';
import { serviceProbeOf } from '../../src/detect/service-probes.js';
import type { Alert } from '../../src/model/alert.js';
import type { AnomalyEvent, ConnEvent, VigilEvent } from '../../src/model/event.js';

const SENSOR = '192.0.2.10';
const conn = (ts: number, src: string, dport: number, dst = SENSOR): ConnEvent => ({
  type: 'conn', ts, source: 'sensor', src, dst, proto: 'tcp', dport, outcome: 'failure',
});
/** What the sensor records when a peer's first bytes on 135 are not DCE/RPC (rpc-responder checkStart). */
const probe = (ts: number, src: string, firstTwo: string, session = `s${ts}`): AnomalyEvent => ({
  type: 'anomaly', ts, source: 'sensor', src, dst: SENSOR, proto: 'tcp', dport: 135, session,
  anomaly: { proto: 'dcerpc', name: 'bad_version', detail: `rpc_vers ${firstTwo}`, offset: 0 },
});
const all = (p: DetectPipeline, evs: VigilEvent[]): Alert[] => evs.flatMap((e) => p.push(e));

test('a source probing every port of one sensor address is one recon_sensor_sweep alert, at the 3rd port', () => {
  const evs = [135, 139, 445, 593, 4444].map((port, i) => conn(1000 + i * 500, '198.51.100.7', port));
  const alerts = all(new DetectPipeline(), evs);
  assert.deepEqual(alerts.map((a) => a.rule), ['recon_sensor_sweep'], 'before: no alert (port_scan needs 15 ports, the sensor has 5)');
  const a = alerts[0]!;
  assert.equal(a.ts, 2000);
  assert.equal(a.src, '198.51.100.7');
  assert.equal(a.severity, 'medium');
  assert.deepEqual(a.evidence['ports'], [135, 139, 445]);
  assert.equal(a.evidence['dst'], SENSOR);
  // Two ports is a client that tried SMB twice ways, not a sweep; ports spread past the window do not add up.
  assert.deepEqual(all(new DetectPipeline(), [conn(0, 'a', 139), conn(1, 'a', 445), conn(2, 'a', 445)]), []);
  assert.deepEqual(all(new DetectPipeline(), [conn(0, 'b', 135), conn(1, 'b', 139), conn(11 * 60_000, 'b', 445)]), []);
  // The sensor's own port list and threshold come from configuration.
  const d = new ReconDetector({ ports: [135, 593], limits: { sweepPorts: 5 } });
  assert.equal([conn(0, 'c', 135), conn(1, 'c', 593)].flatMap((e) => d.push(e)).length, 1, 'capped at the number of sensor ports');
});

test('the conn.log fast path raises the same sweep alert as the event path', () => {
  const evs = [135, 139, 445].map((port, i) => conn(1000 + i, '198.51.100.7', port));
  const viaEvents = all(new DetectPipeline(), evs);
  const fast = new DetectPipeline();
  const viaConn = evs.flatMap((e) => fast.pushConn(e.ts, addrKey(e.src), addrKey(e.dst), e.dport, e.outcome));
  assert.deepEqual(viaConn, viaEvents);
});

test("nmap -sV's probes on 135 are one recon_nmap_service_probe alert naming the tool, not low bad_version alerts", () => {
  // nmap sends DNSVersionBindReqTCP and SMBProgNeg to 135 (their `ports` lines), GetRequest at higher intensity.
  const evs = [probe(1000, '203.0.113.5', '0.30'), probe(7000, '203.0.113.5', '0.0'), probe(9000, '203.0.113.5', '71.69')];
  const alerts = all(new DetectPipeline(), evs);
  assert.deepEqual(alerts.map((a) => a.rule), ['recon_nmap_service_probe'], 'before: three exploit/dcerpc_bad_version alerts');
  const a = alerts[0]!;
  assert.equal(a.detector, 'recon');
  assert.equal(a.evidence['tool'], 'nmap');
  assert.deepEqual(a.evidence['probes'], ['DNSVersionBindReqTCP']);
  assert.equal(a.dport, 135);
  // A version byte pair no probe has is still the exploit detector's anomaly.
  const odd = all(new DetectPipeline(), [probe(1000, '203.0.113.6', '6.0')]);
  assert.deepEqual(odd.map((x) => x.rule), ['dcerpc_bad_version']);
  // With recon off, nothing is folded.
  assert.equal(all(new DetectPipeline({ recon: false }), evs).filter((x) => x.rule === 'dcerpc_bad_version').length, 3);
});

test('a generic probe (HTTP GET) is reconnaissance without a tool; a later sweep names the tool the probes showed', () => {
  const get = all(new DetectPipeline(), [probe(0, '203.0.113.8', '71.69')]);
  assert.equal(get[0]?.rule, 'recon_nmap_service_probe');
  assert.equal(get[0]?.evidence['tool'], 'service detection (nmap-like)');
  const p = new DetectPipeline();
  const alerts = all(p, [probe(0, '203.0.113.9', '128.0'), conn(1, '203.0.113.9', 135), conn(2, '203.0.113.9', 139), conn(3, '203.0.113.9', 445)]);
  assert.deepEqual(alerts.map((a) => a.rule), ['recon_nmap_service_probe', 'recon_sensor_sweep']);
  assert.equal(alerts[1]!.evidence['tool'], 'nmap');
  assert.equal(serviceProbeOf({ proto: 'dcerpc', name: 'bad_version', detail: 'rpc_vers 128.0' })?.probe, 'RPCCheck');
  assert.equal(serviceProbeOf({ proto: 'dcerpc', name: 'bad_version', detail: 'no PDU at stream offset 0' }), undefined);
  // What `nmap -sV` against a live node on ephemeral ports left as dcerpc_bad_version before the full table: afp, giop, WMSRequest.
  for (const [bytes, name] of [['0.3', 'afp'], ['71.73', 'giop'], ['1.0', 'WMSRequest']]) {
    assert.deepEqual(serviceProbeOf({ proto: 'dcerpc', name: 'bad_version', detail: `rpc_vers ${bytes}` }), { probe: name, tool: 'nmap' });
  }
});

test('recon state is bounded by maxKeys', () => {
  const d = new ReconDetector({ limits: { maxKeys: 10 } });
  for (let i = 0; i < 100; i++) d.push(conn(i, `10.0.0.${i}`, 135));
  // The 100 sources' windows do not all stay: a source swept again from the start needs its 3 ports again.
  const late = [conn(200, '10.0.0.1', 139), conn(201, '10.0.0.1', 445)].flatMap((e) => d.push(e));
  assert.deepEqual(late, []);
});
