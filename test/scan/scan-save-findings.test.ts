// Find and fix, end to end through the real binary: `vigil scan --check ms03-026 --save` against an
// unpatched persona opens the MS03-026 finding; a rescan of the same address, now answered by a
// persona patched with KB823980, closes it (fixed, because the fix was observed); a rescan of an
// unpatched one reopens it. Loopback only, ephemeral ports.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { skipWithoutBuild } from '../helpers/cli.js';
import { CLI_PATH } from '../helpers/paths.js';
import { startSensor } from '../sensor/sensor-harness.js';

/** The CLI in a child process, awaited (the persona shares this process's event loop). */
function vigilAsync(args: string[]): Promise<{ out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_')));
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve({ out, err }) : reject(new Error(`vigil ${args[0]} exited ${code}: ${err}`))));
  });
}

interface FindingJson { vulnId: string; status: string; assetId: string }

test('scan --save: vulnerable opens the MS03-026 finding, a patched rescan fixes it, an unpatched one reopens it', { skip: skipWithoutBuild, timeout: 120_000 }, async () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-scan-save-'));
  const scanAs = async (patch: 'none' | 'KB823980'): Promise<string> => {
    const h = await startSensor({ ports: [135], persona: { hostname: 'PATCHME', rpcssPatch: patch } });
    try {
      const port = String(h.port(135));
      return (await vigilAsync(['scan', '127.0.0.1', '--ports', port, '--rpc-port', port, '--check', 'ms03-026', '--save', '--data-dir', d, '--no-progress'])).err;
    } finally {
      await h.stop();
    }
  };
  const ms03026 = async (): Promise<FindingJson[]> => {
    const { out } = await vigilAsync(['findings', '--json', '--status', 'open,reopened,fixed', '--data-dir', d]);
    return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as FindingJson).filter((f) => f.vulnId === 'CVE-2003-0352');
  };
  try {
    assert.match(await scanAs('none'), /saved 1 host\(s\): 1 new asset\(s\).*findings [1-9]\d* opened/);
    const opened = await ms03026();
    assert.deepEqual(opened.map((f) => f.status), ['open']);

    assert.match(await scanAs('KB823980'), /0 new asset\(s\), 1 updated; findings 0 opened, 1 fixed/);
    const fixed = await ms03026();
    assert.deepEqual(fixed.map((f) => [f.status, f.assetId]), [['fixed', opened[0].assetId]], 'the same asset, by its address');

    assert.match(await scanAs('none'), /1 reopened/);
    assert.deepEqual((await ms03026()).map((f) => f.status), ['reopened']);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
