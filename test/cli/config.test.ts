// Configuration: precedence (flags > env > file > defaults), validation messages naming the key,
// its source and what was expected, and the documented defaults of issue 3.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isAppError } from '../../src/core/errors.js';
import { CONFIG_KEYS, loadConfig } from '../../src/cli/config.js';
import { flagsFromOptions } from '../../src/cli/config-flags.js';

const configError = (pattern: RegExp) => (e: unknown) => isAppError(e, 'VIGIL_ERR_CONFIG') && pattern.test(e.message);

describe('configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('has the defaults of issue 3 when nothing is given', () => {
    const c = loadConfig({ env: {}, cwd: dir });
    assert.equal(c.dataDir, join(dir, 'vigil-data'));
    assert.deepEqual(c.http, { host: '127.0.0.1', port: 8135, publicUrl: '' });
    assert.deepEqual(c.alerts.webhooks, [], 'no webhook unless configured');
    assert.equal(c.alerts.email.smtpUrl, '', 'e-mail off unless configured');
    assert.deepEqual(c.sensor.ports, [135, 139, 445, 593, 4444]);
    assert.equal(c.sensor.portOffset, 0);
    assert.equal(c.sensor.persona.os, 'windows-xp-sp1');
    assert.deepEqual(c.sensor.limits, {});
    assert.equal(c.store.synchronous, 'full');
    assert.equal(c.configFile, undefined);
  });

  it('merges file < environment < flags, key by key', () => {
    const f = file('layers.yaml', ['http:', '  host: 0.0.0.0', '  port: 9001', 'sensor:', '  ports: [135, 4444]', '  persona: { hostname: DC01 }', 'log: { level: debug }'].join('\n'));
    const c = loadConfig({
      file: f,
      env: { VIGIL_HTTP_PORT: '9002', VIGIL_SENSOR_PERSONA_DOMAIN: 'CORP', VIGIL_LOG_LEVEL: 'warn' },
      flags: flagsFromOptions({ httpPort: '9003', portOffset: '10000' }),
      cwd: dir,
    });
    assert.equal(c.http.host, '0.0.0.0', 'file over default');
    assert.equal(c.http.port, 9003, 'flag over env over file');
    assert.deepEqual(c.sensor.ports, [135, 4444]);
    assert.equal(c.sensor.portOffset, 10000);
    assert.deepEqual(c.sensor.persona, { hostname: 'DC01', domain: 'CORP', addresses: [], os: 'windows-xp-sp1', rpcssPatch: 'undisclosed' });
    assert.equal(c.log.level, 'warn', 'env over file');
    assert.equal(c.configFile, f);
  });

  it('reads ./vigil.yaml when present and VIGIL_CONFIG when set', () => {
    const sub = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(sub, 'vigil.yaml'), 'dataDir: here\n');
    assert.equal(loadConfig({ env: {}, cwd: sub }).dataDir, join(sub, 'here'));
    const other = file('other.yaml', 'dataDir: /srv/vigil\n');
    assert.equal(loadConfig({ env: { VIGIL_CONFIG: other }, cwd: sub }).dataDir, '/srv/vigil');
  });

  it('parses lists and the limits object from the environment', () => {
    const c = loadConfig({ env: { VIGIL_SENSOR_PORTS: '135, 593', VIGIL_SENSOR_PERSONA_ADDRESSES: '192.0.2.1,2001:db8::1', VIGIL_SENSOR_LIMITS: '{"maxConnections":512}' }, cwd: dir });
    assert.deepEqual(c.sensor.ports, [135, 593]);
    assert.deepEqual(c.sensor.persona.addresses, ['192.0.2.1', '2001:db8::1']);
    assert.deepEqual(c.sensor.limits, { maxConnections: 512 });
  });

  it('names the key, its source and what was expected when a value is wrong', () => {
    const cases: Array<[Parameters<typeof loadConfig>[0], RegExp]> = [
      [{ env: { VIGIL_HTTP_PORT: 'eighty' } }, /^environment VIGIL_HTTP_PORT: expected an integer from 1 to 65535, got "eighty"$/],
      [{ env: { VIGIL_SENSOR_PORTS: '135,135' } }, /VIGIL_SENSOR_PORTS: expected a list without duplicates/],
      [{ env: { VIGIL_SENSOR_PORTS: '135,http' } }, /VIGIL_SENSOR_PORTS: expected a non-empty list of integers from 1 to 65535/],
      [{ env: { VIGIL_SENSOR_PERSONA_OS: 'windows-95' } }, /VIGIL_SENSOR_PERSONA_OS: expected one of windows-nt4-sp6, .*windows-2003, windows-7-sp1, got "windows-95"/],
      [{ env: { VIGIL_SENSOR_LIMITS: '{oops' } }, /VIGIL_SENSOR_LIMITS: expected a JSON object/],
      [{ env: { VIGIL_SENSOR_LIMITS: '{"maxConnections":"many"}' } }, /expected an integer for sensor\.limits\.maxConnections/],
      [{ env: { VIGIL_STORE_SYNCHRONOUS: 'off' } }, /VIGIL_STORE_SYNCHRONOUS: expected one of full, normal/],
      [{ flags: { http: { port: 0 } } }, /^--http-port \(http\.port\): expected an integer from 1 to 65535, got 0$/],
      [{ flags: { sensor: { portOffset: 64000 } } }, /sensor\.portOffset: 64000 moves port 4444 past 65535/],
      [{ flags: { http: { prot: 1 } } }, /unknown configuration key "http\.prot" in flags \(known keys there: http\.host, http\.port, http\.publicUrl\)/],
      [{ file: join(dir, 'absent.yaml') }, /config file not found: .*absent\.yaml/],
    ];
    for (const [opts, pattern] of cases) assert.throws(() => loadConfig({ env: {}, cwd: dir, ...opts }), configError(pattern), String(pattern));
  });

  it('reports the file and key for bad YAML content', () => {
    assert.equal(loadConfig({ file: file('empty-section.yaml', 'http:\nsensor:\n  persona:\n'), env: {} }).http.port, 8135, 'an empty section is not an error');
    assert.throws(() => loadConfig({ file: file('bad.yaml', 'http: [unclosed'), env: {} }), configError(/bad\.yaml: not valid YAML/));
    assert.throws(() => loadConfig({ file: file('scalar.yaml', 'http: 8135\n'), env: {} }), configError(/scalar\.yaml: http: expected a mapping with keys http\.host, http\.port, http\.publicUrl, got 8135/));
    assert.throws(() => loadConfig({ file: file('list.yaml', '- 1\n- 2\n'), env: {} }), configError(/expected a mapping of keys at the top level/));
    assert.throws(() => loadConfig({ file: file('typo.yaml', 'sensor:\n  prots: [135]\n'), env: {} }), configError(/unknown configuration key "sensor\.prots" in .*typo\.yaml/));
    assert.throws(() => loadConfig({ file: file('port.yaml', 'http:\n  port: "8135"\n'), env: {} }), configError(/port\.yaml: http\.port: expected an integer from 1 to 65535, got "8135"/));
  });

  it('gives every key a distinct VIGIL_ environment variable and documentation', () => {
    assert.equal(new Set(CONFIG_KEYS.map((k) => k.env)).size, CONFIG_KEYS.length);
    for (const k of CONFIG_KEYS) {
      assert.match(k.env, /^VIGIL_[A-Z0-9_]+$/);
      assert.ok(k.doc.length > 20, `${k.path} documented`);
    }
  });

  it('reads webhook receivers and refuses a weak secret, a bad URL or duplicate names', () => {
    const hook = { name: 'soc', url: 'http://127.0.0.1:9/hook', secret: 'x'.repeat(32) };
    const c = loadConfig({ env: { VIGIL_ALERTS_WEBHOOKS: JSON.stringify([hook]) }, cwd: dir });
    assert.deepEqual(c.alerts.webhooks, [hook]);
    const bad = (hooks: unknown): void => {
      assert.throws(() => loadConfig({ env: { VIGIL_ALERTS_WEBHOOKS: JSON.stringify(hooks) }, cwd: dir }), configError(/environment VIGIL_ALERTS_WEBHOOKS: expected/));
    };
    bad([{ ...hook, secret: 'short' }]);
    bad([{ ...hook, url: 'ftp://example' }]);
    bad([hook, hook]);
    bad({ name: 'soc' });
    const f = file('alerts.yaml', 'alerts:\n  suppressSeconds:\n    surge: 21600\n  email:\n    to: [soc@example.org]\n');
    const fromFile = loadConfig({ file: f, env: {} });
    assert.deepEqual(fromFile.alerts.suppressSeconds, { surge: 21600 });
    assert.deepEqual(fromFile.alerts.email.to, ['soc@example.org']);
  });

  it('refuses webhook names that are not safe file names, naming the entry and the pattern', () => {
    const hook = { name: 'soc', url: 'http://127.0.0.1:9/hook', secret: 'x'.repeat(32) };
    const ok = ['soc', 'SOC-2.prod_eu', 'a'.repeat(64)];
    const c = loadConfig({ env: { VIGIL_ALERTS_WEBHOOKS: JSON.stringify(ok.map((name) => ({ ...hook, name }))) }, cwd: dir });
    assert.deepEqual(c.alerts.webhooks.map((w) => w.name), ok);
    for (const name of ['../../..', '..', '', '.hidden', 'a/b', 'a\\b', 'soc\u0000', 'a'.repeat(65), '-x', 7]) {
      assert.throws(() => loadConfig({ env: { VIGIL_ALERTS_WEBHOOKS: JSON.stringify([hook, { ...hook, name }]) }, cwd: dir }),
        configError(/^environment VIGIL_ALERTS_WEBHOOKS: alerts\.webhooks\[1\]\.name must match \^\[A-Za-z0-9\]\[A-Za-z0-9\._-\]\{0,63\}\$/), JSON.stringify(name));
    }
    const f = file('hooks.yaml', `alerts:\n  webhooks:\n    - {name: "../../..", url: "http://127.0.0.1:9/", secret: "${'s'.repeat(16)}"}\n`);
    assert.throws(() => loadConfig({ file: f, env: {} }), configError(/hooks\.yaml: alerts\.webhooks: alerts\.webhooks\[0\]\.name must match/));
  });
});
