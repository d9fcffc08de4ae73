// detect.* configuration keys (issue 12 item 7): every detector threshold is a key, reaches the
// pipeline `vigil up` builds, is checked when read, and docs/detectors.md documents the detectors.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAppError } from '../../src/core/errors.js';
import { CONFIG_KEYS, loadConfig } from '../../src/cli/config.js';
import { pipelineOptionsFrom } from '../../src/cli/detect-config.js';
import { DetectPipeline } from '../../src/detect/detect-pipeline.js';
import { EXPLOIT_LIMITS } from '../../src/detect/exploit-detector.js';
import { RECON_LIMITS } from '../../src/detect/recon-detector.js';
import { THRESHOLD_LIMITS } from '../../src/detect/scan-threshold-detector.js';
import { TRW_LIMITS } from '../../src/detect/scan-trw-detector.js';
import { SURGE_LIMITS } from '../../src/detect/surge-detector.js';
import { SWEEP_LIMITS } from '../../src/detect/sweep-detector.js';
import type { ConnEvent } from '../../src/model/event.js';
import { REPO_ROOT } from '../helpers/paths.js';

/** No ./vigil.yaml there: only the environment given counts. */
const CWD = mkdtempSync(join(tmpdir(), 'vigil-detect-config-'));
const conn = (ts: number, src: string, dst: string, dport: number): ConnEvent => ({ type: 'conn', ts, source: 'sensor', src, dst, proto: 'tcp', dport, outcome: 'failure' });

test('every named limit of every detector is a configuration key with its range and default', () => {
  const tables = { surge: SURGE_LIMITS, trw: TRW_LIMITS, threshold: THRESHOLD_LIMITS, recon: RECON_LIMITS, sweep: SWEEP_LIMITS, exploit: EXPLOIT_LIMITS };
  for (const [det, table] of Object.entries(tables)) {
    for (const [name, spec] of Object.entries(table)) {
      const key = CONFIG_KEYS.find((k) => k.path === `detect.${det}.${name}`);
      assert.ok(key, `detect.${det}.${name} is missing`);
      assert.equal(key.default, spec.default);
      assert.deepEqual(key.type, { kind: 'int', min: spec.min, max: spec.max });
    }
  }
  for (const p of ['detect.allowlist', 'detect.trw.alpha', 'detect.trw.theta0', 'detect.surge.cusumH', 'detect.exploit.minAnomalySeverity']) assert.ok(CONFIG_KEYS.some((k) => k.path === p), p);
});

test('detect.* keys from the environment and a file reach the pipeline vigil up builds', () => {
  const config = loadConfig({
    env: { VIGIL_DETECT_RECON_SWEEP_PORTS: '5', VIGIL_DETECT_ALLOWLIST: '198.51.100.0/24, 2001:db8::/32', VIGIL_DETECT_TRW_ALPHA: '0.001' },
    cwd: CWD,
  });
  assert.deepEqual(config.detect.allowlist, ['198.51.100.0/24', '2001:db8::/32']);
  assert.equal(config.detect.recon['sweepPorts'], 5);
  const p = new DetectPipeline(pipelineOptionsFrom(config));
  const sweep = (src: string) => [135, 139, 445, 593, 4444].map((port, i) => conn(i, src, '192.0.2.10', port)).flatMap((e) => p.push(e));
  assert.deepEqual(sweep('203.0.113.1').map((a) => a.evidence['ports']), [[135, 139, 445, 593, 4444]], 'sweepPorts 5: at the 5th port, not the 3rd');
  assert.deepEqual(sweep('198.51.100.9'), [], 'allowlisted');
  // alpha 0.001: eta1 = 0.99/0.001 = 990, so 5 straight failures (4^5 = 1024) instead of 4.
  const trw = Array.from({ length: 5 }, (_, i) => conn(100 + i, '203.0.113.2', `192.0.2.${50 + i}`, 445)).map((e) => p.push(e).some((a) => a.rule === 'trw_scanner'));
  assert.deepEqual(trw, [false, false, false, false, true]);
  // Defaults give the defaults.
  const d = pipelineOptionsFrom(loadConfig({ env: {}, cwd: CWD }));
  assert.equal(new DetectPipeline(d).allowlist.size, 0);
});

test('a bad detect.* value is refused naming the key and where it came from', () => {
  const refused = (env: Record<string, string>, pattern: RegExp): void =>
    assert.throws(() => loadConfig({ env, cwd: CWD }), (e) => isAppError(e, 'VIGIL_ERR_CONFIG') && pattern.test(e.message));
  refused({ VIGIL_DETECT_ALLOWLIST: '192.0.2.0/24,scanner.example' }, /detect\.allowlist.*scanner\.example/);
  refused({ VIGIL_DETECT_TRW_ALPHA: '1.5' }, /VIGIL_DETECT_TRW_ALPHA: expected a number from/);
  refused({ VIGIL_DETECT_SURGE_MIN_SOURCES: '0' }, /VIGIL_DETECT_SURGE_MIN_SOURCES: expected an integer from 1/);
});

test('docs/detectors.md explains every detector rule and tuning key; the README links it', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'detectors.md'), 'utf8');
  const rules = ['trw_scanner', 'address_scan', 'port_scan', 'recon_sensor_sweep', 'recon_nmap_service_probe', 'surge_unique_sources', 'surge_cold_start', 'worm_like_spread',
    'sequential_sweep', 'surge_new_sweepers',
    'ms03_026_unc_server', 'ms03_039_long_file_name', 'ms03_039_length_mismatch', 'ms03_039_getclassobject_properties', 'shell_command', 'exploit_followup_command'];
  for (const r of rules) assert.ok(doc.includes(r), `rule ${r} not explained`);
  for (const k of CONFIG_KEYS.filter((k) => k.path.startsWith('detect.'))) assert.ok(doc.includes(k.path.slice('detect.'.length).split('.').pop()!), `${k.path} not mentioned`);
  assert.match(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'), /\(docs\/detectors\.md\)/);
});
