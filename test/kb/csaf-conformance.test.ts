// CSAF 2.0 conformance: for every test id in the official OASIS set (testcases.json), our validator
// wrapper flags every "failures" document and passes every "valid" one. Excluded, as stated in
// EXCLUDED_TESTS: 6.3.6 and 6.3.7 (network) and 6.3.8 (hunspell).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EXCLUDED_TESTS, flags, runCsafTest, validateCsaf } from '../../src/kb/csaf/csaf-validator.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

interface Case { name: string; valid: boolean }
interface TestCase { id: string; group: string; failures?: Case[]; valid?: Case[] }
const skip = skipWithoutCorpus('kb', 'csaf', 'testcases', 'testcases.json');
const load = (name: string): unknown => JSON.parse(readFileSync(corpusPath('kb', 'csaf', 'testcases', name), 'utf8'));

test('official conformance set: every failing document flagged for its test id, every valid one passes', { skip }, async () => {
  const index = load('testcases.json') as { tests: TestCase[] };
  const wrong: string[] = [];
  let checked = 0;
  for (const t of index.tests) {
    if (t.id in EXCLUDED_TESTS) continue;
    const cases = [...(t.failures ?? []).map((c) => ({ ...c, shouldFlag: true })), ...(t.valid ?? []).map((c) => ({ ...c, shouldFlag: false }))];
    for (const c of cases) {
      const r = await runCsafTest(t.id, load(c.name));
      assert.ok(r, `no validator test for ${t.id}`);
      checked++;
      if (flags(r) !== c.shouldFlag) wrong.push(`${t.id} ${c.name}: expected ${c.shouldFlag ? 'flagged' : 'clean'}`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 220, `checked ${checked} documents`);
});

test('full validation: mandatory failures make a document invalid, optional findings are only warnings', { skip }, async () => {
  const bad = await validateCsaf(load('mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json'));
  assert.equal(bad.valid, false);
  assert.ok(bad.tests.some((t) => t.id === '6.1.1' && !t.isValid));
  const opt = await validateCsaf(load('optional/oasis_csaf_tc-csaf_2_0-2021-6-2-01-01.json'));
  assert.equal(opt.valid, true);
  assert.ok(opt.warningCount > 0);
  assert.ok(opt.tests.some((t) => t.id === '6.2.1' && t.warnings.length > 0));
  const prohibited = await validateCsaf(load('mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-26-04.json'));
  assert.equal(prohibited.valid, false, '"csafsecurityadvisory" is a profile value without separators');
});

test('the OASIS example advisories validate (strict schema + mandatory)', { skip: skipWithoutCorpus('kb', 'csaf', 'examples') }, async () => {
  for (const f of ['bsi-2022-0001.json', 'rhsa-2021_5186.json', 'csaf_vex/2022-evd-uc-01-a-001.json']) {
    const r = await validateCsaf(JSON.parse(readFileSync(corpusPath('kb', 'csaf', 'examples', f), 'utf8')));
    assert.equal(r.valid, true, `${f}: ${r.tests.filter((t) => !t.isValid).map((t) => `${t.id} ${t.errors[0]?.message}`).join('; ')}`);
  }
});
