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
});
