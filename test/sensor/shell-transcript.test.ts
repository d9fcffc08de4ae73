// The 4444 shell's transcript through a live sensor on loopback: both directions with time offsets,
// hostile bytes escaped (never interpreted), persona answers to dir/ver/whoami/ipconfig, `exit`
// closing the connection, and the maxTranscriptEntries / maxTranscriptChars bounds counted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSensor, openClient, readBytes, readAll, waitFor } from './sensor-harness.js';
import { escapeBytes } from '../../src/core/safe-text.js';
import type { PayloadEvent } from '../../src/model/event.js';

test('escapeBytes decodes UTF-8 and escapes controls, bidi marks and invalid bytes', () => {
  const cases: [Buffer, string][] = [
    [Buffer.from('dir C:\\'), 'dir C:\\\\'],
    [Buffer.from('\x1b[2J\x07\t\r\n', 'latin1'), '\\x1b[2J\\x07\\t\\r\\n'],
    [Buffer.from('café ↯'), 'café ↯'],
    [Buffer.from([0xff, 0xfe, 0xc3]), '\\xff\\xfe\\xc3'],
    [Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]), '\\xc0\\xaf\\xed\\xa0\\x80'], // overlong '/', a surrogate
    [Buffer.from('a\u202eb\u0085'), 'a\\u{202e}b\\u{85}'],
  ];
  for (const [bytes, want] of cases) assert.equal(escapeBytes(bytes).text, want, bytes.toString('hex'));
  assert.deepEqual(escapeBytes(Buffer.from('ab\x00cd', 'latin1'), 5), { text: 'ab', consumed: 2 }, 'never half an escape');
});

test('4444 transcript: both directions, persona answers, hostile bytes escaped, exit closes', async () => {
  const h = await startSensor({ persona: { os: 'windows-2003', hostname: 'FILESRV01', domain: 'CORP', addresses: ['10.20.30.40'] } });
  try {
    const c = await openClient(h.port(4444));
    await readBytes(c, 20);
    const hostile = Buffer.concat([Buffer.from('echo <script>alert(1)</script> \x1b]0;pwned\x07 '), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('\r\n')]);
    const big = Buffer.alloc(100_000, 0x41);
    c.write('ver\r\nwhoami\r\ndir\r\nipconfig\r\n');
    c.write(hostile);
    c.write(Buffer.concat([big, Buffer.from('\r\n')]));
    c.write('exit\r\nnever read after exit\r\n');
    // The server closes: the client does not end its side first.
    const { data, closed } = await readAll(c, 3000);
    assert.ok(closed, 'exit closes the connection');
    const reply = data.toString('latin1');
    assert.match(reply, /Microsoft Windows \[Version 5\.2\.3790\]/);
    assert.match(reply, /nt authority\\system/);
    assert.match(reply, /Directory of C:\\WINDOWS\\system32/);
    assert.match(reply, /IP Address[. ]+: 10\.20\.30\.40/);
    assert.match(reply, /Connection-specific DNS Suffix {2}\. : corp/);
    assert.ok(!reply.includes('script') && !reply.includes('pwned'), 'no peer byte is echoed');

    const s = await waitFor('session', () => h.sink.sessions.find((x) => x.dport === 4444));
    const t = s.transcript;
    assert.ok(t, 'the session carries a transcript');
    const typed = t.entries.filter((e) => e.dir === 'in');
    assert.deepEqual(typed.slice(0, 4).map((e) => e.text), ['ver', 'whoami', 'dir', 'ipconfig']);
    assert.equal(typed[4].text, 'echo <script>alert(1)</script> \\x1b]0;pwned\\x07 \\xff\\xc3(');
    assert.equal(typed[6].text, 'exit');
    assert.equal(typed.length, 7, 'nothing after exit is read as a command');
    assert.ok(t.entries[0].dir === 'out' && t.entries[0].text.startsWith('Microsoft Windows [Version 5.2.3790]\\r\\n'), 'the banner is the first entry');
    assert.ok(t.entries.some((e) => e.dir === 'out' && e.text.includes('nt authority\\\\system')));
    assert.ok(t.entries.every((e, i) => e.offsetMs >= 0 && (i === 0 || e.offsetMs >= t.entries[i - 1].offsetMs)), 'offsets from the session start, in order');
    assert.ok(t.entries.every((e) => !/[\x00-\x1f\x7f]/.test(e.text)), 'no raw control character in any entry');
    const chars = t.entries.reduce((n, e) => n + e.text.length, 0);
    assert.ok(chars <= 65_536, `bounded by maxTranscriptChars (${chars})`);
    const payloads = h.sink.events.filter((e): e is PayloadEvent => e.type === 'payload').map((e) => e.text);
    assert.ok(!payloads.some((p) => p.includes('never read')), 'no payload event after exit');
  } finally {
    await h.stop();
  }
});

test('whoami on an XP persona answers as XP cmd.exe did; maxTranscriptEntries and maxTranscriptChars count what is cut', async () => {
  const h = await startSensor({ persona: { os: 'windows-xp-sp1' }, limits: { maxTranscriptEntries: 3, maxTranscriptChars: 200 } });
  try {
    const c = await openClient(h.port(4444));
    await readBytes(c, 20);
    c.write('whoami\r\n');
    c.write(`${'B'.repeat(500)}\r\n`);
    c.write('one more\r\n');
    c.end('exit\r\n');
    const reply = (await readAll(c)).data.toString('latin1');
    assert.match(reply, /'whoami' is not recognized as an internal or external command/);
    const s = await waitFor('session', () => h.sink.sessions.find((x) => x.dport === 4444));
    const t = s.transcript!;
    assert.equal(t.entries.length, 3);
    assert.deepEqual(t.entries.map((e) => e.dir), ['out', 'in', 'out']);
    assert.ok(t.entries.reduce((n, e) => n + e.text.length, 0) <= 200);
    assert.ok(t.entriesCut >= 3, `entries cut: ${t.entriesCut}`);
    assert.ok(t.bytesCut >= 500 + 'one more'.length, `bytes cut: ${t.bytesCut}`);
    assert.ok(s.limitsHit.includes('max_transcript'));
  } finally {
    await h.stop();
  }
});
