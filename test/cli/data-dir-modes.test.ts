// `vigil up` keeps its data directory private: an existing group/world-accessible directory is
// tightened to 0700 (and logged), and the store and token files it creates are 0600 whatever the umask.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startNode } from '../../src/cli/node.js';
import { freePort, tempDir } from './up-helpers.js';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

test('startNode: data directory 0755 -> 0700 with a warning; vigil.db, -wal, -shm and api-token 0600', async () => {
  const dataDir = tempDir('modes');
  chmodSync(dataDir, 0o755);
  const lines: { msg: string; dir?: string; was?: string }[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString('utf8'))); done(); } });
  const umask = process.umask(0);
  try {
    const config = loadConfig({ env: {}, flags: { dataDir, http: { host: '127.0.0.1', port: await freePort() }, sensor: { ports: [4444] }, log: { level: 'silent' } } });
    const n = await startNode(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'warn' }, sink) });
    try {
      assert.equal(mode(dataDir), '700');
      for (const f of ['vigil.db', 'vigil.db-wal', 'vigil.db-shm', 'api-token']) assert.equal(mode(join(dataDir, f)), '600', f);
    } finally {
      await n.stop();
    }
  } finally {
    process.umask(umask);
  }
  const warned = lines.find((l) => l.dir === dataDir);
  assert.ok(warned, JSON.stringify(lines));
  assert.equal(warned.was, '0755');
  assert.match(warned.msg, /tightened/);
});
