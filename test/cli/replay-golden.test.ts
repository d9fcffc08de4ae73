// Golden replays: captures from ../shared/corpus and our own logs under test/golden/replay go
// through `vigil replay` (library and CLI); alert JSON lines are diffed against the expected files
// with time-derived fields masked. UPDATE_GOLDEN=1 rewrites the expected files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertJson, replayFiles } from '../../src/cli/commands/replay.js';
import { CLI_PATH, REPO_ROOT, corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const GOLDEN = join(REPO_ROOT, 'test', 'golden', 'replay');
const MASKED = new Set(['ts', 'time', 'id', 'exploitAlertId', 'windowStart', 'bucketStart']);

/** Mask what depends on the clock (ids hash the timestamp), keep everything else byte-exact. */
export function maskLine(line: string): string {
  return JSON.stringify(JSON.parse(line, (k, v: unknown) => (MASKED.has(k) ? '<masked>' : v)));
}

interface Case {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly skip: false | string;
}

const own = (f: string): string => join(GOLDEN, f);
const CASES: Case[] = [
  { name: 'scan-conn', inputs: [own('scan-conn.log')], skip: false },
  { name: 'blaster-events', inputs: [own('blaster-events.jsonl')], skip: false },
  { name: 'eve-scan', inputs: [own('eve-scan.json')], skip: false },
  // Real, ordinary DCOM activations: must stay silent.
  { name: 'zeek_kerberos135_auth', inputs: [corpusPath('dcerpc', 'zeek_kerberos135_auth.pcapng')], skip: skipWithoutCorpus('dcerpc', 'zeek_kerberos135_auth.pcapng') },
  { name: 'sv_dcerpc-ctxids', inputs: [corpusPath('dcerpc', 'sv_dcerpc-ctxids.pcap')], skip: skipWithoutCorpus('dcerpc', 'sv_dcerpc-ctxids.pcap') },
  // A capture picked up mid-association: requests on contexts bound before the capture began.
  { name: 'zeek_mapi', inputs: [corpusPath('dcerpc', 'zeek_mapi.pcap')], skip: skipWithoutCorpus('dcerpc', 'zeek_mapi.pcap') },
  { name: 'sv_dcerpc-dcepayload-15', inputs: [corpusPath('dcerpc', 'sv_dcerpc-dcepayload-15.pcap')], skip: skipWithoutCorpus('dcerpc', 'sv_dcerpc-dcepayload-15.pcap') },
];

function expected(name: string, actual: string[]): string[] {
  const path = join(GOLDEN, `${name}.alerts.jsonl`);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual.map((l) => `${l}\n`).join(''));
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
}

for (const c of CASES) {
  test(`golden replay: ${c.name}`, { skip: c.skip }, async () => {
    const { alerts } = await replayFiles(c.inputs);
    const actual = alerts.map((a) => maskLine(alertJson(a)));
    assert.deepEqual(actual, expected(c.name, actual));
  });
}

test('golden files say what they should (guards against a golden rewritten into nonsense)', () => {
  const scan = readFileSync(join(GOLDEN, 'scan-conn.alerts.jsonl'), 'utf8');
  assert.match(scan, /"rule":"trw_scanner"/);
  assert.match(scan, /"rule":"address_scan"/);
  assert.doesNotMatch(scan, /10\.0\.0\.20/, 'the ordinary web client is not a scanner');
  const blaster = readFileSync(join(GOLDEN, 'blaster-events.alerts.jsonl'), 'utf8');
  assert.match(blaster, /"rule":"ms03_026_unc_server".*"CVE-2003-0352"/);
  assert.match(blaster, /"rule":"exploit_followup_command".*tftp:\/\/198\.51\.100\.66\/msblast\.exe/);
  assert.match(readFileSync(join(GOLDEN, 'eve-scan.alerts.jsonl'), 'utf8'), /"rule":"trw_scanner".*"src":"203\.0\.113\.9"/);
  for (const quiet of ['zeek_kerberos135_auth', 'sv_dcerpc-ctxids']) {
    const p = join(GOLDEN, `${quiet}.alerts.jsonl`);
    if (existsSync(p)) assert.equal(readFileSync(p, 'utf8'), '', `${quiet} is benign`);
  }
});

test('vigil replay (CLI): same lines as the golden, bad records reported with file and line, exit 0', { skip: existsSync(CLI_PATH) ? false : `${CLI_PATH} not built (npm run build)` }, () => {
  const r = spawnSync(process.execPath, [CLI_PATH, 'replay', own('scan-conn.log'), own('blaster-events.jsonl')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l.length > 0).map(maskLine);
  const want = [...readFileSync(join(GOLDEN, 'scan-conn.alerts.jsonl'), 'utf8').split('\n'), ...readFileSync(join(GOLDEN, 'blaster-events.alerts.jsonl'), 'utf8').split('\n')].filter((l) => l.length > 0);
  assert.deepEqual(lines, want);
  assert.match(r.stderr, /scan-conn\.log:45: /);
  assert.match(r.stderr, /1 bad record\(s\) skipped/);
  const missing = spawnSync(process.execPath, [CLI_PATH, 'replay', own('no-such-file.log')], { encoding: 'utf8' });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no-such-file\.log: cannot open/);
});

test('vigil replay --store, then vigil alerts lists them (JSON and table) and acknowledges one', { skip: existsSync(CLI_PATH) ? false : `${CLI_PATH} not built (npm run build)` }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-replay-store-'));
  try {
    const r = spawnSync(process.execPath, [CLI_PATH, 'replay', '--store', dataDir, own('blaster-events.jsonl')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const replayed = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; rule: string });
    const again = spawnSync(process.execPath, [CLI_PATH, 'replay', '--store', dataDir, own('blaster-events.jsonl')], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    const listed = spawnSync(process.execPath, [CLI_PATH, 'alerts', '--data-dir', dataDir, '--json', '--since', '2003-01-01T00:00:00Z'], { encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    const rows = listed.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; acknowledged: boolean });
    assert.deepEqual(rows.map((x) => x.id).sort(), replayed.map((x) => x.id).sort(), 'stored once each, replay twice');
    const ack = spawnSync(process.execPath, [CLI_PATH, 'alerts', '--data-dir', dataDir, '--ack', replayed[0]!.id, '--by', 'tester'], { encoding: 'utf8' });
    assert.equal(ack.status, 0, ack.stderr);
    const open = spawnSync(process.execPath, [CLI_PATH, 'alerts', '--data-dir', dataDir, '--unacknowledged', '--cve', 'CVE-2003-0352'], { encoding: 'utf8' });
    // the table: a header line, then one row per unacknowledged alert
    assert.equal(open.stdout.trim().split('\n').length, 1 + replayed.length - 1);
    assert.match(open.stdout, /critical/);
    const bad = spawnSync(process.execPath, [CLI_PATH, 'alerts', '--data-dir', dataDir, '--since', 'yesterday'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--since: expected an RFC 3339/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('vigil replay reads the configuration like vigil up: an allowlisted source raises nothing, --store goes to the configured data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-config-'));
  try {
    const input = own('blaster-events.jsonl');
    const plain = spawnSync(process.execPath, [CLI_PATH, 'replay', input], { encoding: 'utf8', cwd: dir });
    assert.equal(plain.status, 0, plain.stderr);
    assert.ok(plain.stdout.includes('198.51.100.66'), 'the source alerts without configuration');
    const dataDir = join(dir, 'data');
    writeFileSync(join(dir, 'vigil.yaml'), `dataDir: ${dataDir}\ndetect:\n  allowlist: ["198.51.100.0/24"]\n`);
    const quiet = spawnSync(process.execPath, [CLI_PATH, 'replay', input, '--store'], { encoding: 'utf8', cwd: dir });
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.ok(!quiet.stdout.includes('198.51.100.66'), quiet.stdout);
    assert.ok(existsSync(join(dataDir, 'vigil.db')), 'stored in the configured data directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
