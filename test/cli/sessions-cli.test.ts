// `vigil sessions` and `vigil sessions show` against a temporary data directory filled through the
// Store API: filters, JSON lines, the human table and the exit codes for missing data and bad input.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatSession, register } from '../../src/cli/commands/sessions.js';
import { isAppError } from '../../src/core/errors.js';
import { openSqliteStore, sqliteFileIn } from '../../src/store/sqlite/sqlite-store.js';
import type { CallRecord } from '../../src/model/call.js';
import type { SessionRecord } from '../../src/model/session.js';
import { T0, activationCall, lookupCall, makeSession } from '../store/fixtures.js';
import { skipWithoutBuild, vigil, vigilInProcess } from '../helpers/cli.js';

/** The command in-process (fast: no process start per case): stdout captured, errors thrown. */
const inProcess = async (args: readonly string[]): Promise<string> => (await vigilInProcess(register, args)).toString('utf8');


describe('vigil sessions', () => {
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

  it('prints JSON lines, newest first, one summary per session (compiled CLI)', { skip: skipWithoutBuild }, () => {
    const r = vigil(['sessions', '--json', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonIds(r.stdout), ['shell4444', 'blaster01', 'old135']);
    const first = JSON.parse(r.stdout.split('\n')[1]) as Record<string, unknown>;
    assert.equal(first.callCount, 2);
    assert.equal(first.anomalyCount, 1);
    assert.match(String(first.startTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('filters by --port, --since, --source, --anomalous and --limit', async () => {
    const ids = async (...args: string[]) => jsonIds(await inProcess(['sessions', '--json', '--data-dir', dir, ...args]));
    assert.deepEqual(await ids('--port', '135'), ['blaster01', 'old135']);
    assert.deepEqual(await ids('--since', '2h'), ['shell4444', 'blaster01']);
    assert.deepEqual(await ids('--since', '2003-08-12T00:00:00Z', '--port', '135'), ['blaster01']);
    assert.deepEqual(await ids('--source', '198.51.100.23'), ['old135']);
    assert.deepEqual(await ids('--source', '::FFFF:198.51.100.23'), ['old135'], 'normalised like the sensor records it');
    assert.deepEqual(await ids('--anomalous'), ['blaster01', 'old135']);
    assert.deepEqual(await ids('--limit', '1'), ['shell4444']);
  });

  it('finds the data directory through VIGIL_DATA_DIR and prints a table by default', async () => {
    const saved = process.env.VIGIL_DATA_DIR;
    process.env.VIGIL_DATA_DIR = dir;
    let stdout: string;
    try {
      stdout = await inProcess(['sessions']);
    } finally {
      if (saved === undefined) delete process.env.VIGIL_DATA_DIR;
      else process.env.VIGIL_DATA_DIR = saved;
    }
    const lines = stdout.trim().split('\n');
    assert.match(lines[0], /^START\s+ID\s+SOURCE\s+PORT/);
    assert.equal(lines.length, 4);
    assert.match(lines[2], /blaster01\s+192\.0\.2\.77\s+135\s+dcerpc/);
  });

  it('shows one session with its decoded calls, as text and as JSON equal to the stored record', async () => {
    const text = await inProcess(['sessions', 'show', 'blaster01', '--data-dir', dir]);
    assert.match(text, /IRemoteSCMActivator RemoteCreateInstance/);
    assert.match(text, /epmapper ept_lookup/);
    assert.match(text, /0x1c010002 nca_op_rng_error/);
    const json = await inProcess(['sessions', '--data-dir', dir, 'show', 'blaster01', '--json']);
    const { startTime, ...record } = JSON.parse(json) as SessionRecord & { startTime: string };
    // the stored record, plus the fault's name beside its number
    assert.deepEqual(record, { ...blaster, calls: [blaster.calls[0], { ...blaster.calls[1], faultName: 'nca_op_rng_error' }] });
    assert.equal(typeof startTime, 'string');
  });

  it('names an interface beside its UUID and leaves unknown UUIDs and faults bare', () => {
    // records as stored without names (an older sensor, or an interface the table lacked then)
    const bare = (ifaceUuid: string, callId: number, faultStatus?: number): CallRecord => ({
      ts: now, callId, ctxId: 0, ifaceUuid, opnum: 2, reqFrags: 1, respFrags: 1, reqStubLen: 76, respStubLen: 8, anomalies: [],
      ...(faultStatus !== undefined && { faultStatus }),
    });
    const unnamed = bare('e1af8308-5d1f-11c9-91a4-08002b14a0fa', 1);
    const stranger = bare('deadbeef-cafe-babe-1234-567890abcdef', 2, 0x12345678);
    const text = formatSession(makeSession({ id: 'names01', startTs: now, calls: [unnamed, stranger] }));
    assert.match(text, /epmapper \(e1af8308-5d1f-11c9-91a4-08002b14a0fa\) opnum 2/);
    assert.match(text, /deadbeef-cafe-babe-1234-567890abcdef opnum 2 .*0x12345678 /);
  });

  it('fails with coded errors for an unknown session, a missing store and bad arguments', async () => {
    const rejects = (args: string[], code: string, pattern: RegExp) => assert.rejects(inProcess(args), (e) => isAppError(e) && e.code === code && pattern.test(e.message));
    await rejects(['sessions', 'show', 'nope', '--data-dir', dir], 'VIGIL_ERR_NOT_FOUND', /no session nope/);
    await rejects(['sessions', '--data-dir', join(dir, 'absent')], 'VIGIL_ERR_NOT_FOUND', /no store at/);
    await rejects(['sessions', '--since', 'yesterday-ish', '--data-dir', dir], 'VIGIL_ERR_BAD_ARGUMENT', /--since: expected an RFC 3339 date-time/);
    await rejects(['sessions', '--port', '70000', '--data-dir', dir], 'VIGIL_ERR_BAD_ARGUMENT', /--port: expected an integer from 0 to 65535/);
    await rejects(['sessions', '--source', 'example.org', '--data-dir', dir], 'VIGIL_ERR_BAD_ARGUMENT', /--source: expected an IPv4 or IPv6 address/);
  });

  it('maps those errors to exit codes 1 and 2 in the compiled CLI', { skip: skipWithoutBuild }, () => {
    const unknown = vigil(['sessions', 'show', 'nope', '--data-dir', dir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no session nope/);
    const badSince = vigil(['sessions', '--since', 'yesterday-ish', '--data-dir', dir]);
    assert.equal(badSince.code, 2);
  });
});
