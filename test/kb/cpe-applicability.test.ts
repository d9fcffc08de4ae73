// CPE matching and NVD configuration applicability: NISTIR 7696 relation cases, the version comparator's
// order, and the golden EternalBlue tests on the real NVD CVE-2017-0144 record from the shared corpus.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseCpe, parseFormattedString, quote, wfn, ANY, NA } from '../../src/kb/cpe/cpe-binding.js';
import { compareValues, isDisjoint, isSuperset, isSubset, isEqual } from '../../src/kb/cpe/cpe-match.js';
import { compareVersions, inRange } from '../../src/kb/cpe/version-compare.js';
import { evaluateConfigurations, type Configuration } from '../../src/kb/cpe/cpe-applicability.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

test('NISTIR 7696 attribute relations (table 6-2 cases)', () => {
  const cases: [unknown, unknown, string][] = [
    [ANY, ANY, 'EQUAL'], [ANY, NA, 'SUPERSET'], [ANY, 'i', 'SUPERSET'],
    [NA, ANY, 'SUBSET'], [NA, NA, 'EQUAL'], [NA, 'i', 'DISJOINT'],
    ['i', ANY, 'SUBSET'], ['i', NA, 'DISJOINT'], ['i', 'i', 'EQUAL'], ['i', 'k', 'DISJOINT'],
    ['m1*', 'm1\\.2', 'SUPERSET'], ['m1*', 'm2', 'DISJOINT'], ['?\\.0', '8\\.0', 'SUPERSET'], ['?\\.0', '10\\.0', 'DISJOINT'],
    ['*\\.0', '10\\.0', 'SUPERSET'], ['8\\.0', '8\\.*', 'UNDEFINED'], ['SP1', 'sp1', 'EQUAL'],
  ];
  for (const [s, t, r] of cases) assert.equal(compareValues(s as never, t as never), r, `${String(s)} vs ${String(t)}`);
});

test('name relations: superset, subset, equal, disjoint', () => {
  const general = parseFormattedString('cpe:2.3:o:microsoft:windows_7:*:*:*:*:*:*:*:*');
  const specific = parseFormattedString('cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:x64:*');
  assert.ok(isSuperset(general, specific));
  assert.ok(isSubset(specific, general));
  assert.ok(!isSuperset(specific, general));
  assert.ok(isEqual(specific, specific));
  assert.ok(isDisjoint(specific, parseFormattedString('cpe:2.3:o:microsoft:windows_7:-:sp2:*:*:*:*:x64:*')));
});

const plain = fc.stringMatching(/^[a-z0-9_.]{1,8}$/).map(quote);
const attr = fc.oneof(fc.constant(ANY as never), fc.constant(NA as never), plain);
const arbName = fc.tuple(attr, attr, attr).map(([vendor, product, version]) => wfn({ part: 'a', vendor, product, version }));

test('property: superset(a, b) iff subset(b, a); equal iff both; disjoint is symmetric', () => {
  fc.assert(fc.property(arbName, arbName, (a, b) => {
    assert.equal(isSuperset(a, b), isSubset(b, a));
    assert.equal(isEqual(a, b), isSuperset(a, b) && isSuperset(b, a));
    assert.equal(isDisjoint(a, b), isDisjoint(b, a));
    assert.ok(isSuperset(a, a) && !isDisjoint(a, a));
  }), { numRuns: 1000 });
});

test('version comparator: the order NVD data needs', () => {
  const ascending = ['1.0rc1', '1.0', '4.0', '4.0d', '4.0e', '5.0a', '10.0.9200', '10.0.19041', '13.21'];
  for (let i = 1; i < ascending.length; i++) assert.ok(compareVersions(ascending[i - 1], ascending[i]) < 0, `${ascending[i - 1]} < ${ascending[i]}`);
  assert.equal(compareVersions('1.0', '1.0.0'), 0);
  assert.equal(compareVersions('13.02', '13.2'), 0);
  assert.equal(compareVersions('v2.4.49', '2.4.49'), 0);
  assert.ok(compareVersions('sp1', 'sp2') < 0);
  assert.ok(compareVersions('sp2', 'sp10') < 0);
  assert.ok(inRange('4.0d', { versionStartIncluding: '4.0', versionEndExcluding: '4.0e' }));
  assert.ok(!inRange('4.0e', { versionStartIncluding: '4.0', versionEndExcluding: '4.0e' }));
  assert.ok(!inRange('3.9', { versionStartIncluding: '4.0', versionEndExcluding: '4.0e' }));
  assert.ok(inRange('2.14.1', { versionEndIncluding: '2.14.1' }) && !inRange('2.14.1', { versionStartExcluding: '2.14.1' }));
});

const version = fc.array(fc.oneof(fc.nat(30).map(String), fc.constantFrom('a', 'd', 'e', 'rc', 'beta', 'sp', 'r')), { minLength: 1, maxLength: 5 })
  .chain((parts) => fc.constantFrom('.', '-', '').map((sep) => parts.join(sep)));

test('property: the comparator is a total preorder (antisymmetric, transitive)', () => {
  fc.assert(fc.property(version, version, version, (a, b, c) => {
    assert.equal(compareVersions(a, a), 0);
    assert.equal(Math.sign(compareVersions(a, b)), 0 - Math.sign(compareVersions(b, a)) || 0);
    if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) assert.ok(compareVersions(a, c) <= 0, `${a} <= ${b} <= ${c}`);
  }), { numRuns: 3000 });
});

test('lenient mode: an nmap URI without a version possibly matches a versioned criteria', () => {
  const configs: Configuration[] = [{ nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:o:microsoft:windows_xp:-:sp1:*:*:*:*:*:*' }] }] }];
  assert.equal(evaluateConfigurations(configs, ['cpe:/o:microsoft:windows_xp::sp1']).affected, false);
  assert.equal(evaluateConfigurations(configs, ['cpe:/o:microsoft:windows_xp::sp1'], { lenient: true }).affected, true);
  assert.equal(evaluateConfigurations(configs, ['cpe:/o:microsoft:windows_xp::sp2'], { lenient: true }).affected, false);
});

test('negated node: applies only when the excluded product is absent', () => {
  const configs: Configuration[] = [{ operator: 'AND', nodes: [
    { operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:vendor:app:*:*:*:*:*:*:*:*', versionEndExcluding: '2.0' }] },
    { operator: 'OR', negate: true, cpeMatch: [{ vulnerable: false, criteria: 'cpe:2.3:a:vendor:hotfix:*:*:*:*:*:*:*:*' }] },
  ] }];
  assert.equal(evaluateConfigurations(configs, ['cpe:2.3:a:vendor:app:1.5:*:*:*:*:*:*:*']).affected, true);
  assert.equal(evaluateConfigurations(configs, ['cpe:2.3:a:vendor:app:1.5:*:*:*:*:*:*:*', 'cpe:2.3:a:vendor:hotfix:1:*:*:*:*:*:*:*']).affected, false);
  assert.equal(evaluateConfigurations(configs, ['cpe:2.3:a:vendor:app:2.0:*:*:*:*:*:*:*']).affected, false);
});

const NVD = ['kb', 'nvd', 'CVE-2017-0144.nvd-api-2.0.cve.json'];
test('golden: NVD EternalBlue record (running-on/with and version ranges)', { skip: skipWithoutCorpus(...NVD) }, () => {
  const rec = JSON.parse(readFileSync(corpusPath(...NVD), 'utf8')) as { configurations: Configuration[] };
  const smb1 = 'cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*';
  const win7sp1 = 'cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*';
  const win7sp1x64 = 'cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:x64:*';
  const sc2000 = 'cpe:2.3:h:siemens:acuson_sc2000:-:*:*:*:*:*:*:*';
  const fw = (v: string): string => `cpe:2.3:o:siemens:acuson_sc2000_firmware:${v}:*:*:*:*:*:*:*`;
  const on = (cpes: string[]) => evaluateConfigurations(rec.configurations, cpes);

  const w7 = on([win7sp1, smb1]);
  assert.equal(w7.affected, true);
  assert.deepEqual(w7.vulnerableCpes, [smb1]);
  assert.equal(w7.configuration, 0);
  assert.equal(on([win7sp1x64, smb1]).affected, true, 'criteria ANY target_hw covers x64');
  assert.equal(on([smb1]).affected, false, 'SMBv1 alone: the running-on platform is missing');
  assert.equal(on([win7sp1]).affected, false, 'Windows 7 alone: the vulnerable component is missing');
  assert.equal(on(['cpe:2.3:o:microsoft:windows_7:-:sp2:*:*:*:*:*:*', smb1]).affected, false);
  assert.equal(on(['cpe:/o:microsoft:windows_7:-:sp1', 'cpe:/a:microsoft:server_message_block:1.0']).affected, true, 'URI bindings');

  assert.equal(on([fw('4.0d'), sc2000]).affected, true, 'firmware 4.0d is in [4.0, 4.0e)');
  assert.equal(on([fw('4.0'), sc2000]).affected, true, 'start is inclusive');
  assert.equal(on([fw('4.0e'), sc2000]).affected, false, 'end is exclusive');
  assert.equal(on([fw('5.0a'), sc2000]).affected, true, 'listed exact version');
  assert.equal(on([fw('5.0b'), sc2000]).affected, false);
  assert.equal(on([fw('4.0d')]).affected, false, 'firmware without its hardware');
  assert.equal(on([fw('4.0d'), 'cpe:2.3:h:siemens:acuson_x700:-:*:*:*:*:*:*:*']).affected, false, 'firmware on other hardware');
  assert.equal(parseCpe(fw('4.0d')).version, '4\\.0d');
});
