// CVSS scoring: known vectors with the base scores published by NVD/FIRST for v2, v3.0, v3.1 and v4.0,
// and invalid vectors rejected with a reason (the calculator alone accepts them silently).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreVector, validateVector, severityOf } from '../../src/kb/cvss-score.js';

test('known vectors score as published', () => {
  const known: [string, number, string][] = [
    ['AV:N/AC:M/Au:N/C:C/I:C/A:C', 9.3, 'HIGH'], // CVE-2017-0144, NVD v2
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10.0, 'HIGH'], // CVE-2003-0352, NVD v2
    ['(AV:N/AC:L/Au:N/C:P/I:N/A:N)', 5.0, 'MEDIUM'],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8, 'HIGH'], // CVE-2017-0144, NVD v3.1
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0, 'CRITICAL'], // CVE-2021-44228
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'CRITICAL'], // CVE-2019-0708
    ['CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N', 0, 'NONE'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'CRITICAL'],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5, 'HIGH'],
  ];
  for (const [vector, score, severity] of known) {
    const r = scoreVector(vector);
    assert.ok(r.ok, `${vector}: ${r.ok ? '' : r.error}`);
    assert.equal(r.value.baseScore, score, vector);
    assert.equal(r.value.severity, severity, vector);
  }
  const v31 = scoreVector('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 'nvd@nist.gov');
  assert.ok(v31.ok && v31.value.version === '3.1' && v31.value.source === 'nvd@nist.gov');
});

test('invalid vectors are rejected with the reason', () => {
  const bad: [string, RegExp][] = [
    ['CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /AV has value "X"/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', /base metric\(s\) A missing/],
    ['CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /appears twice/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1', /unknown metric "ZZ"/],
    ['CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /unknown CVSS version/],
    ['CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', /AT missing/],
    ['AV:N/AC:L/Au:N/C:C/I:C', /A missing/],
    ['hello', /unknown CVSS version/],
    ['CVSS:3.1/AV:N/AC', /malformed metric/],
  ];
  for (const [vector, why] of bad) {
    const r = validateVector(vector);
    assert.equal(r.ok, false, vector);
    if (!r.ok) assert.match(r.error, why, vector);
    assert.equal(scoreVector(vector).ok, false);
  }
});

test('temporal and environmental metrics are accepted and change the v3.1 score only through them', () => {
  const r = scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R');
  assert.ok(r.ok);
  assert.equal(r.value.baseScore, 9.8);
  assert.equal(severityOf('2.0', 6.9), 'MEDIUM');
});
