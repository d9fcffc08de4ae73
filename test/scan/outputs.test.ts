// The progress line (done/total, rate, ETA) and nmap XML of hostile names: escaped, control
// characters shown rather than passed into the document.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine } from '../../src/scan/outputs/progress-line.js';
import { nmapXmlHost } from '../../src/scan/outputs/nmap-xml.js';

test('the progress line shows counts, percent, rate and an ETA until the end', () => {
  const mid = progressLine({ hostsDone: 250, hostsTotal: 1000, hostsUp: 3, elapsedMs: 5000, rate: 50, etaMs: 15000 });
  assert.equal(mid, '[#####...............] 250/1000 hosts (25.0%), 3 up, 50 hosts/s, 5s elapsed ETA 15s');
  const end = progressLine({ hostsDone: 1000, hostsTotal: 1000, hostsUp: 3, elapsedMs: 125_000, rate: 8, etaMs: 0 });
  assert.match(end, /^\[#{20}\] 1000\/1000 hosts \(100\.0%\), 3 up, 8 hosts\/s, 2m05s elapsed$/);
});

test('nmap XML escapes what a host sent: markup and control characters', () => {
  const xml = nmapXmlHost({
    address: '127.0.0.1', scannedAt: 0, hostname: 'A<b>&"\u0001',
    ports: [{ port: 135, proto: 'tcp', state: 'open', service: 'msrpc' }],
    endpoints: [{ uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', version: '3.0', annotation: '</script><x>', binding: 'ncacn_ip_tcp:127.0.0.1[135]' }],
  }, 0);
  assert.match(xml, /<hostname name="A&lt;b&gt;&amp;&quot;\\x01" type="user"\/>/);
  assert.ok(!xml.includes('</script><x>'));
  assert.match(xml, /&lt;\/script&gt;&lt;x&gt;/);
});

test('nmap XML carries the SMB probe as nmap\'s script ids, and the check\'s transport', () => {
  const xml = nmapXmlHost({
    address: '127.0.0.1', scannedAt: 0, ports: [{ port: 445, proto: 'tcp', state: 'open', service: 'microsoft-ds' }],
    smb: { port: 445, dialects: ['NT LM 0.12'], smb1: true, signing: { enabled: false, required: false }, nativeOs: 'Windows 5.1', nativeLanMan: 'Windows 2000 LAN Manager', netbiosComputer: 'XP<1>' },
    checks: [{ check: 'ms03-026', cve: 'CVE-2003-0352', verdict: 'vulnerable', reason: 'r', port: 445, transport: 'ncacn_np' }],
  }, 0);
  assert.match(xml, /<script id="smb-os-discovery" output="OS: Windows 5\.1 \(Windows 2000 LAN Manager\)&#xa;NetBIOS computer name: XP&lt;1&gt;"\/>/);
  assert.match(xml, /<script id="smb-protocols" output="dialects: NT LM 0\.12"><elem>NT LM 0\.12<\/elem><\/script>/);
  assert.match(xml, /<script id="smb-security-mode" output="Message signing disabled"\/>/);
  assert.match(xml, /<elem key="transport">ncacn_np<\/elem>/);
});
