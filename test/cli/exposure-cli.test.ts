// `vigil assets` and `vigil findings` through the compiled CLI: import (all files or none), list,
// show, the finding table/JSON/CSV, `findings set`, and exit codes (0 ok, 1 refused/not found,
// 2 usage naming the flag).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { skipWithoutBuild as skip, vigil } from '../helpers/cli.js';

const CSV = 'ip,hostname,os,owner,tags\n10.20.0.4,dc01,Windows Server 2003,alice,prod\n10.20.0.5,ws05,Windows XP,bob,\n';
// A snapshot taken now: one older than the finding's last change would be evidence only (an old file imported late).
const osq = (): string => `${JSON.stringify({ name: 'patches', hostIdentifier: 'ws05', unixTime: Math.ceil(Date.now() / 1000) + 1, action: 'snapshot', snapshot: [{ hotfix_id: 'KB823980' }] })}\n`;

describe('vigil assets / vigil findings', { skip }, () => {
  let root = '';
  let dataDir = '';
  const v = (...args: string[]) => vigil([...args, '--data-dir', dataDir]);
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'vigil-exposure-cli-'));
    dataDir = join(root, 'data');
    writeFileSync(join(root, 'inv.csv'), CSV);
    writeFileSync(join(root, 'bad.xml'), '<nmaprun><host><address addr="10.20.0.9"/></host>\n<oops>');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reading before anything was imported: exit 1 naming the store', () => {
    const r = v('findings');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no store at .*vigil\.db/);
  });

  it('an import with one bad file stores nothing and names the file and position (exit 1)', () => {
    const r = v('assets', 'import', join(root, 'inv.csv'), join(root, 'bad.xml'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /bad\.xml:2:\d+/);
    assert.equal(v('assets', 'list', '--json').stdout, '');
  });

  it('imports CSV, then osquery: findings open, then MS03-026 fixed on ws05 by KB823980', () => {
    const a = v('assets', 'import', join(root, 'inv.csv'));
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /inv\.csv: csv, 2 host\(s\)/);
    const before = v('findings', '--cve', 'CVE-2003-0352', '--json').stdout.trim().split('\n').map((l) => JSON.parse(l) as { asset: string; status: string });
    assert.deepEqual(before.map((f) => [f.asset, f.status]).sort(), [['10.20.0.4', 'open'], ['10.20.0.5', 'open']]);
    writeFileSync(join(root, 'oq.log'), osq());
    const b = v('assets', 'import', join(root, 'oq.log'));
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /1 fixed/);
    const fixed = v('findings', '--status', 'fixed', '--json').stdout.trim().split('\n').map((l) => JSON.parse(l) as { asset: string; vulnId: string });
    assert.deepEqual(fixed.map((f) => [f.asset, f.vulnId]), [['10.20.0.5', 'CVE-2003-0352']]);
  });

  it('lists and shows assets with provenance', () => {
    const list = v('assets', 'list');
    assert.equal(list.code, 0);
    assert.match(list.stdout, /10\.20\.0\.5\s+ws05\s+Windows XP/);
    const show = v('assets', 'show', 'ws05');
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /hotfix\s+KB823980\s+osquery/);
    assert.match(show.stdout, /owner\s+bob\s+csv/);
    assert.equal(v('assets', 'show', 'nosuch').code, 1);
    assert.equal(v('assets', 'list', '--owner', 'alice', '--json').stdout.trim().split('\n').length, 1);
  });

  it('findings set records a decision; CSV export; usage errors exit 2 naming the flag', () => {
    const id = (JSON.parse(v('findings', '--cve', 'CVE-2003-0352', '--owner', 'alice', '--json').stdout.trim()) as { id: string }).id;
    const s = v('findings', 'set', id, '--status', 'risk-accepted', '--owner', 'erin', '--note', 'isolated');
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, new RegExp(`${id}: risk-accepted, owner erin`));
    const csv = v('findings', '--owner', 'erin', '--csv').stdout.split('\r\n');
    assert.match(csv[0]!, /^id,asset_id,asset,vuln_id,status/);
    assert.match(csv[1]!, new RegExp(`^${id},.*,risk-accepted,`));
    for (const [args, flag] of [
      [['findings', '--status', 'closed'], '--status'],
      [['findings', '--limit', '0'], '--limit'],
      [['findings', '--json', '--csv'], '--json and --csv'],
      [['findings', 'set', id, '--status', 'done'], '--status'],
      [['findings', 'set', id], 'give at least one of --status'],
      [['findings', '--note', 'x'], '--note'],
      [['assets', 'import', join(root, 'inv.csv'), '--format', 'xls'], '--format'],
    ] as const) {
      const r = v(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.includes(flag), `${args.join(' ')}: ${r.stderr}`);
    }
    assert.equal(v('findings', 'set', '0123456789abcdef', '--status', 'fixed').code, 1);
    // the exposed population for `vigil simulate --preset today --exposed FILE`: ws05 is fixed, dc01's risk was accepted
    assert.equal(v('assets', 'list', '--exposed-to', 'CVE-2003-0352').stdout, '10.20.0.4\n');
    assert.equal(v('findings', '--bogus').code, 2);
  });
});
