// The share.* and alerts.syslog configuration keys: good values load (file and environment), bad
// ones are refused naming the key and what was expected.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/cli/config.js';

const load = (flags: Record<string, unknown>, env: Record<string, string> = {}) => loadConfig({ env, flags, cwd: '/tmp' });

test('share and syslog keys load from flags/file form and from the environment', () => {
  const c = load({
    alerts: { syslog: [{ name: 'siem', host: '127.0.0.1', port: 6514, transport: 'tls', facility: 'local0', minSeverity: 'high' }] },
    share: { organization: 'Example CERT', tlp: 'green', taxii: { path: '/intel/taxii', users: [{ name: 'p', token: 'p-token-0123456789ab', read: ['*'] }], poll: [{ name: 'a', url: 'https://cert.example/taxii2/root/collections/abc/', token: 't', intervalSeconds: 60 }] } },
  });
  assert.equal(c.share.taxii.path, '/intel/taxii');
  assert.deepEqual(c.share.taxii.users[0], { name: 'p', token: 'p-token-0123456789ab', read: ['*'], write: [] });
  assert.equal(c.share.taxii.poll[0]!.intervalSeconds, 60);
  assert.equal(c.alerts.syslog[0]!.transport, 'tls');
  const e = load({}, { VIGIL_SHARE_TAXII_PUSH: '[{"name":"b","url":"http://127.0.0.1:9/taxii2/vigil/collections/x/","username":"u","password":"p"}]', VIGIL_SHARE_TLP: 'red', VIGIL_SHARE_TAXII_PATH: 'off' });
  assert.equal(e.share.taxii.push[0]!.username, 'u');
  assert.equal(e.share.tlp, 'red');
  assert.equal(e.share.taxii.path, 'off');
  assert.equal(load({}).share.taxii.path, '/taxii2');
});

test('bad share and syslog values are refused, naming the key', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ alerts: { syslog: [{ name: 'x', host: 'h', port: 70000, transport: 'tcp' }] } }, /alerts\.syslog\[0\]: port/],
    [{ alerts: { syslog: [{ name: 'x', host: 'h', port: 514, transport: 'http' }] } }, /transport must be udp, tcp or tls/],
    [{ alerts: { syslog: [{ name: '../x', host: 'h', port: 514, transport: 'udp' }] } }, /alerts\.syslog\[0\]\.name must match/],
    [{ alerts: { syslog: [{ name: 'x', host: 'h', port: 514, transport: 'udp', facility: 'kern' }] } }, /facility must be one of/],
    [{ share: { taxii: { users: [{ name: 'p', token: 'short', read: [] }] } } }, /token must be at least 16/],
    [{ share: { taxii: { users: [{ name: 'admin', token: 'p-token-0123456789ab' }] } } }, /admin is the API token holder/],
    [{ share: { taxii: { users: [{ name: 'p', token: 'p-token-0123456789ab' }, { name: 'p', token: 'q-token-0123456789ab' }] } } }, /names must be distinct/],
    [{ share: { taxii: { push: [{ name: 'b', url: 'http://x/not-a-collection', token: 't' }] } } }, /url must be the http\(s\) URL of a TAXII collection/],
    [{ share: { taxii: { push: [{ name: 'b', url: 'http://x/r/collections/c/', token: 't', username: 'u', password: 'p' }] } } }, /either token, or username and password/],
    [{ share: { taxii: { poll: [{ name: 'b', url: 'http://x/r/collections/c/', token: 't', intervalSeconds: 0 }] } } }, /intervalSeconds must be an integer/],
    [{ share: { taxii: { path: '/api/v1/taxii' } } }, /share\.taxii\.path: expected a path/],
    [{ share: { taxii: { path: 'taxii2' } } }, /share\.taxii\.path: expected a path/],
    [{ share: { tlp: 'clear' } }, /one of white, green, amber, red/],
  ];
  for (const [flags, re] of bad) assert.throws(() => load(flags), re, JSON.stringify(flags));
});
