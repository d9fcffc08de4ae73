// Time arguments of the API and CLI: RFC 3339 (with offsets and fractions), epoch ms, durations
// before now; anything else is a coded bad-argument error naming the parameter.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isAppError } from '../../src/core/errors.js';
import { parseTimeArg } from '../../src/server/time-param.js';

const NOW = Date.UTC(2003, 7, 11, 16, 0, 0);

it('parses RFC 3339, epoch milliseconds and durations before now', () => {
  assert.equal(parseTimeArg('2003-08-11T16:00:00Z', 'since', NOW), NOW);
  assert.equal(parseTimeArg('2003-08-11T18:00:00.250+02:00', 'since', NOW), NOW + 250);
  assert.equal(parseTimeArg('2003-08-11', 'since', NOW), Date.UTC(2003, 7, 11));
  assert.equal(parseTimeArg(String(NOW), 'since', 0), NOW);
  assert.equal(parseTimeArg('90s', 'since', NOW), NOW - 90_000);
  assert.equal(parseTimeArg('15m', 'since', NOW), NOW - 900_000);
  assert.equal(parseTimeArg('24h', 'since', NOW), NOW - 86_400_000);
  assert.equal(parseTimeArg('7d', 'since', NOW), NOW - 7 * 86_400_000);
});

it('rejects anything else with the parameter named', () => {
  for (const bad of ['', 'yesterday', '15 minutes', '2003-13-45T00:00:00Z', '-5m', '12', '2003-08-11T16:00:00Zjunk']) {
    assert.throws(() => parseTimeArg(bad, '--until', NOW), (e) => isAppError(e, 'VIGIL_ERR_BAD_ARGUMENT') && e.message.startsWith('--until: expected'), JSON.stringify(bad));
  }
});
