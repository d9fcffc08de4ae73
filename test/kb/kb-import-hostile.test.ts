// Hostile files in an import: a truncated or garbled EPSS .gz is rejected with its path and position
// while the rest of the tree imports, and a file whose transaction rolls back adds nothing to the report.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KbSqliteStore } from '../../src/store/sqlite/kb-sqlite-store.js';
import { KbImporter } from '../../src/kb/import/kb-importer.js';

let tmp: string;
before(() => { tmp = mkdtempSync(join(tmpdir(), 'vigil-kb-hostile-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

/** An EPSS CSV of `rows` CVEs numbered from `first`; `bad` appends a row with an impossible score. */
function epss(first: number, rows: number, bad = false): string {
  const lines = ['#model_version:v2025.03.14,score_date:2025-03-17T00:00:00+0000', 'cve,epss,percentile'];
  for (let i = 0; i < rows; i++) lines.push(`CVE-2003-${String(first + i).padStart(4, '0')},0.5,0.5`);
  if (bad) lines.push('CVE-2003-9999,1.7,0.5');
  return lines.join('\n') + '\n';
}

async function ids(store: KbSqliteStore, first: number, rows: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows; i++) if (await store.getVulnerability(`CVE-2003-${String(first + i).padStart(4, '0')}`)) n++;
  return n;
}

test('records of a file whose transaction rolls back are not counted', async () => {
  const file = join(tmp, 'epss-late-error.csv');
  writeFileSync(file, epss(300, 10, true));
  const store = await KbSqliteStore.open(':memory:');
  const r = await new KbImporter(store, { batchSize: 4 }).importPath(file);
  assert.equal(r.rejected.length, 1);
  assert.equal(r.rejected[0].pointer, 'line 13');
  assert.equal(await ids(store, 300, 10), 0, 'rolled back');
  assert.deepEqual([r.files, r.records, r.inserted, r.updated, r.unchanged], [0, 0, 0, 0, 0]);
  assert.deepEqual(r.byFormat, {});
  await store.close();
});
