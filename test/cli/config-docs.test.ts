// docs/configuration.md carries the key table generated from src/cli/config-keys.ts; this keeps the
// document and the code from drifting (regenerate with configurationTable()).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { configurationTable } from '../../src/cli/config-docs.js';
import { REPO_ROOT } from '../helpers/paths.js';

it('docs/configuration.md contains the current table of configuration keys', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
  assert.ok(doc.includes(configurationTable()), 'regenerate the table in docs/configuration.md from configurationTable()');
});
