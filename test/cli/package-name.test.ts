// The npm name `vigil` belongs to an unrelated registry package: ours is scoped, its command stays
// `vigil`, and no npx command in README can fetch someone else's package (issue 12 item 16).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

test('the package is scoped, the command is vigil, and README never lets npx download', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
  assert.match(pkg.name, /^@[a-z0-9-]+\/vigil$/);
  assert.deepEqual(Object.keys(pkg.bin), ['vigil']);
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { name: string };
  assert.equal(lock.name, pkg.name);
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const npx = readme.split('\n').filter((l) => /^[^`]*\bnpx\s/.test(l));
  assert.ok(npx.length > 0);
  for (const line of npx) assert.match(line, /npx --no-install vigil\b/, `README line runs npx without --no-install: ${line}`);
});
