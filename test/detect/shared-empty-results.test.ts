// Detectors and the pipeline answer "no alerts" with one shared empty list (no array per record):
// it must be frozen, so a caller that appends to a result throws instead of making every later
// empty result carry its alerts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetectPipeline } from '../../src/detect/detect-pipeline.js';
import { SurgeDetector } from '../../src/detect/surge-detector.js';
import type { Alert } from '../../src/model/alert.js';

test('empty alert results of the pipeline and the surge detector cannot be appended to', () => {
  const p = new DetectPipeline();
  const empty = p.pushConn(1_000_000, 0x0a000001, 0x0a000002, 80, 'success');
  assert.equal(empty.length, 0);
  assert.throws(() => empty.push({} as Alert), TypeError);
  assert.equal(p.pushConn(1_001_000, 0x0a000001, 0x0a000003, 80, 'success').length, 0);
  const s = new SurgeDetector();
  const none = s.observe(1_000_000, 0x0a000001, 80);
  assert.equal(none.length, 0);
  assert.throws(() => none.push({} as Alert), TypeError);
  assert.equal(s.flush(1_000_001).length, 0);
});
