// `vigil kb` through the compiled CLI without the shared corpus (issue 12): failures exit non-zero,
// the import summary is said once and in plain words, and the display and search of the starter data.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { skipWithoutBuild as skip, vigil } from '../helpers/cli.js';

describe('vigil kb', { skip }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-kb-msg-'));
    const r = vigil(['kb', 'import', '--starter', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('import of a path that does not exist fails with exit 1 and says why', () => {
    const r = vigil(['kb', 'import', join(dir, 'nonexistent'), '--data-dir', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot import .*nonexistent: ENOENT/);
    assert.match(r.stdout, /1 path could not be read/);
  });

  it('import says once, in plain words, what it read and what it did', () => {
    const csv = join(dir, 'epss.csv');
    writeFileSync(csv, '#model_version:v2025.03.14,score_date:2025-03-17T00:00:00+0000\ncve,epss,percentile\nCVE-2003-0352,0.9,0.99\n');
    const r = vigil(['kb', 'import', csv, '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const summaries = r.stdout.split('\n').filter((l) => /already up to date/.test(l));
    assert.equal(summaries.length, 1, r.stdout);
    assert.match(summaries[0], /^imported 1 record in 1 file \(epss 1\): 1 new, 0 updated, 0 already up to date \(entries per vulnerability and source\)$/);
  });

  it('kb show gives the starter cases their NVD CVSS', () => {
    const r = vigil(['kb', 'show', 'MS03-026', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^CVSS 2\.0 7\.5 HIGH AV:N\/AC:L\/Au:N\/C:P\/I:P\/A:P \[nvd@nist\.gov\]$/m);
    const eternal = vigil(['kb', 'show', 'CVE-2017-0144', '--data-dir', dir]).stdout;
    assert.match(eternal, /^CVSS 3\.1 8\.8 HIGH CVSS:3\.1\/AV:N\/AC:L\/PR:L\/UI:N\/S:U\/C:H\/I:H\/A:H/m);
    const search = vigil(['kb', 'search', '--data-dir', dir]);
    assert.equal(search.code, 0, search.stderr);
    const rows = search.stdout.split('\n').filter((l) => /^CVE-/.test(l));
    assert.equal(rows.length, 12, 'the eleven 2003-2017 cases and Zerologon');
    assert.deepEqual(rows.filter((l) => /cvss -/.test(l)), [], 'every starter case has a score');
  });

  it('--cvss-above uses the newest CVSS version present (CVE-2017-0144: v3.1 8.8, not v2 9.3)', () => {
    const r = vigil(['kb', 'search', '--cvss-above', '9', '--json', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const ids = (JSON.parse(r.stdout) as { items: { id: string; cvssMax: number }[] }).items.map((i) => i.id).sort();
    assert.ok(!ids.includes('CVE-2017-0144'), ids.join(' '));
    assert.ok(ids.includes('CVE-2021-44228') && ids.includes('CVE-2019-0708'), ids.join(' '));
    const show = vigil(['kb', 'search', 'EternalBlue', '--json', '--data-dir', dir]);
    assert.equal((JSON.parse(show.stdout) as { items: { cvssMax: number }[] }).items[0]?.cvssMax, 8.8);
  });

  it('kb search --help describes every option and the text argument', () => {
    const help = vigil(['kb', 'search', '--help']).stdout;
    const lines = help.split('\n').filter((l) => /^  \S/.test(l));
    assert.ok(lines.length >= 12, help);
    for (const l of lines) assert.match(l, /^  \S.*?\s{2,}\S/, `no description: ${l}`);
  });
});
