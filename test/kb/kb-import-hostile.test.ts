// Hostile files in an import: a truncated or garbled EPSS .gz is rejected with its path and position
// while the rest of the tree imports, and a file whose transaction rolls back adds nothing to the report.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
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

test('a truncated and a garbled .gz are rejected with path and position; nothing of them is kept; the tree goes on', async () => {
  const dir = join(tmp, 'tree');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a-good.csv'), epss(100, 3));
  // Thousands of rows so that whole batches are applied before the damage is reached.
  const gz = gzipSync(epss(1000, 3000));
  writeFileSync(join(dir, 'b-truncated.csv.gz'), gz.subarray(0, Math.floor(gz.length * 0.8)));
  const garbled = Buffer.from(gz);
  for (let i = Math.floor(gz.length * 0.6); i < Math.floor(gz.length * 0.6) + 64; i++) garbled[i] ^= 0x5a;
  writeFileSync(join(dir, 'c-garbled.csv.gz'), garbled);
  writeFileSync(join(dir, 'd-good.csv.gz'), gzipSync(epss(200, 2)));

  const store = await KbSqliteStore.open(':memory:');
  const r = await new KbImporter(store, { batchSize: 100 }).importPath(dir);
  assert.deepEqual(r.rejected.map((x) => x.file), [join(dir, 'b-truncated.csv.gz'), join(dir, 'c-garbled.csv.gz')]);
  for (const x of r.rejected) {
    assert.ok(x.message.startsWith(x.file), x.message);
    assert.match(x.pointer ?? '', /^line \d+$/);
  }
  assert.match(r.rejected[0].message, new RegExp(`an intact gzip stream \\(unexpected end of file at compressed byte ${Math.floor(gz.length * 0.8)}\\)`));
  // Garbled deflate data may still inflate (to garbage caught by the CSV checks) or fail in zlib.
  assert.match(r.rejected[1].message, /an intact gzip stream|a well-formed EPSS CSV/);
  assert.equal(await ids(store, 1000, 3000), 0, 'the rejected files\' transactions rolled back');
  assert.equal(await ids(store, 100, 3) + await ids(store, 200, 2), 5);
  assert.deepEqual([r.files, r.records, r.inserted, r.byFormat.epss], [2, 5, 5, 5]);
  await store.close();
});

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
