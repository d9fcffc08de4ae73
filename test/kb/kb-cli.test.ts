// `vigil kb` and `vigil advisory` end to end through the compiled CLI (needs `npm run build`, as
// `npm test` does): import with the report as JSON, idempotent re-import, show by alias, advisory
// lifecycle, and `advisory validate` exit codes on official conformance documents.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const skip = !existsSync(CLI_PATH) ? `compiled CLI not found at ${CLI_PATH} (run npm run build)` : skipWithoutCorpus('kb', 'cve');
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'vigil-kb-cli-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

function vigil(...args: string[]): { code: number | null; out: string; err: string } {
  const env = { ...process.env };
  delete env.VIGIL_CONFIG;
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: 120_000, env, cwd: dir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('kb import --json, re-import unchanged, kb show by alias', { skip }, () => {
  const first = vigil('kb', 'import', '--starter', corpusPath('kb', 'cve'), '--json', '--data-dir', dir);
  assert.equal(first.code, 0, first.err);
  const r = JSON.parse(first.out.trim().split('\n').pop() as string);
  assert.equal(r.byFormat.cve5, 10);
  assert.ok(r.inserted > 10);
  const again = JSON.parse(vigil('kb', 'import', '--starter', corpusPath('kb', 'cve'), '--json', '--data-dir', dir).out.trim().split('\n').pop() as string);
  assert.equal(again.inserted + again.updated, 0);
  const show = vigil('kb', 'show', 'MS03-026', '--json', '--data-dir', dir);
  assert.equal(show.code, 0, show.err);
  assert.equal(JSON.parse(show.out).id, 'CVE-2003-0352');
  assert.equal(vigil('kb', 'show', 'CVE-1999-9999', '--data-dir', dir).code, 1);
});

test('advisory new -> publish; validate prints per-test results and exits 1 on an invalid document', { skip }, () => {
  const created = vigil('advisory', 'new', 'VIGIL-2025-0100', '--cve', 'CVE-2003-0352', '--namespace', 'https://cert.example', '--data-dir', dir);
  assert.equal(created.code, 0, created.err);
  const pub = vigil('advisory', 'publish', 'VIGIL-2025-0100', '--out', join(dir, 'out'), '--data-dir', dir);
  assert.equal(pub.code, 0, pub.err);
  assert.match(pub.out, /published as version 1/);
  assert.ok(existsSync(join(dir, 'out', 'vigil-2025-0100.json')) && existsSync(join(dir, 'out', 'vigil-2025-0100.html')));
  const bad = vigil('advisory', 'validate', corpusPath('kb', 'csaf', 'testcases', 'mandatory', 'oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json'));
  assert.equal(bad.code, 1);
  assert.match(bad.out, /INVALID[\s\S]*FAIL mandatory +6\.1\.1\n.*definition of product id missing/);
  assert.equal(vigil('advisory', 'new', 'X-1', '--data-dir', dir).code, 2, 'missing --cve is a usage error');
});
