// `vigil sessions` and `vigil sessions show` against a temporary data directory filled through the
// Store API: filters, JSON lines, the human table and the exit codes for missing data and bad input.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteStore, sqliteFileIn } from '../../src/store/sqlite/sqlite-store.js';
import type { SessionRecord } from '../../src/model/session.js';
import { T0, activationCall, lookupCall, makeSession } from '../store/fixtures.js';
import { CLI_PATH } from '../helpers/paths.js';

const skipWithoutBuild: false | string = existsSync(CLI_PATH) ? false : `${CLI_PATH} missing (run npm run build first; npm test does)`;

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function vigil(args: readonly string[], env: Record<string, string> = {}, cwd = tmpdir()): CliResult {
  // A clean VIGIL_* environment and a neutral working directory (no ./vigil.yaml), so the
  // developer's own settings cannot leak into a test.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_')));
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { cwd, env: { ...base, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('vigil sessions', { skip: skipWithoutBuild }, () => {
  let dir = '';
  const now = Date.now();
  const blaster = makeSession({ id: 'blaster01', startTs: now - 3_600_000, src: '192.0.2.77', calls: [lookupCall(now - 3_600_000), activationCall(now - 3_599_000)] });
  const shell = makeSession({ id: 'shell4444', startTs: now - 60_000, dport: 4444, src: '192.0.2.77', service: 'shell', calls: [] });
  const old = makeSession({ id: 'old135', startTs: T0, src: '198.51.100.23', anomalies: [{ name: 'garbage_before_pdu', proto: 'dcerpc' }] });
  const all: SessionRecord[] = [blaster, shell, old];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    const store = await openSqliteStore({ file: sqliteFileIn(dir) });
    await store.saveSessions(all);
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const jsonIds = (stdout: string): string[] => stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);

  it('prints JSON lines, newest first, one summary per session', () => {
    const r = vigil(['sessions', '--json', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonIds(r.stdout), ['shell4444', 'blaster01', 'old135']);
    const first = JSON.parse(r.stdout.split('\n')[1]) as Record<string, unknown>;
    assert.equal(first.callCount, 2);
    assert.equal(first.anomalyCount, 1);
    assert.match(String(first.startTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('filters by --port, --since, --source, --anomalous and --limit', () => {
    const ids = (...args: string[]) => jsonIds(vigil(['sessions', '--json', '--data-dir', dir, ...args]).stdout);
    assert.deepEqual(ids('--port', '135'), ['blaster01', 'old135']);
    assert.deepEqual(ids('--since', '2h'), ['shell4444', 'blaster01']);
    assert.deepEqual(ids('--since', '2003-08-12T00:00:00Z', '--port', '135'), ['blaster01']);
    assert.deepEqual(ids('--source', '198.51.100.23'), ['old135']);
    assert.deepEqual(ids('--anomalous'), ['blaster01', 'old135']);
    assert.deepEqual(ids('--limit', '1'), ['shell4444']);
  });

  it('finds the data directory through VIGIL_DATA_DIR and prints a table by default', () => {
    const r = vigil(['sessions'], { VIGIL_DATA_DIR: dir });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^START\s+ID\s+SOURCE\s+PORT/);
    assert.equal(lines.length, 4);
    assert.match(lines[2], /blaster01\s+192\.0\.2\.77\s+135\s+dcerpc/);
  });

  it('shows one session with its decoded calls, as text and as JSON equal to the stored record', () => {
    const text = vigil(['sessions', 'show', 'blaster01', '--data-dir', dir]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /ISystemActivator RemoteCreateInstance/);
    assert.match(text.stdout, /epmapper ept_lookup/);
    assert.match(text.stdout, /0x1c010002/);
    const json = vigil(['sessions', 'show', 'blaster01', '--json', '--data-dir', dir]);
    const { startTime, ...record } = JSON.parse(json.stdout) as SessionRecord & { startTime: string };
    assert.deepEqual(record, blaster);
    assert.equal(typeof startTime, 'string');
  });

  it('exits 1 for an unknown session or a missing store, 2 for a bad argument', () => {
    const unknown = vigil(['sessions', 'show', 'nope', '--data-dir', dir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no session nope/);
    const missing = vigil(['sessions', '--data-dir', join(dir, 'absent')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no store at/);
    const badSince = vigil(['sessions', '--since', 'yesterday-ish', '--data-dir', dir]);
    assert.equal(badSince.code, 2);
    assert.match(badSince.stderr, /--since: expected an RFC 3339 date-time/);
    const badPort = vigil(['sessions', '--port', '70000', '--data-dir', dir]);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port: expected an integer from 0 to 65535/);
  });
});
