// Scope first: out-of-scope targets (a private and a public address, a name that resolves outside)
// are refused before any socket opens, exclusions win over the scope, and the parsing of addresses,
// CIDRs and ranges (IPv4 and IPv6) that the check rests on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { isAppError } from '../../src/core/errors.js';
import { formatRange, parseRange } from '../../src/scan/ip-ranges.js';
import { Scope, resolveTargets } from '../../src/scan/scope.js';
import { runScan } from '../../src/scan/scanner.js';
import { socketConnector, type Connector } from '../../src/scan/probes/tcp-connect.js';

/** A connector that counts every connection the scanner asks for (probe or conversation) and opens none. */
function countingFactory(): { connector: Connector; count: () => number } {
  let n = 0;
  return {
    connector: socketConnector(() => {
      n++;
      const s = new Socket();
      queueMicrotask(() => s.emit('error', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })));
      return s;
    }),
    count: () => n,
  };
}

const noNames = async (): Promise<string[]> => {
  throw Object.assign(new Error('no'), { code: 'ENOTFOUND' });
};

for (const target of ['10.1.2.3', '8.8.8.8', '192.168.0.0/24', '2001:db8::1', '127.0.0.1-128.0.0.1']) {
  test(`${target} is refused by the default (loopback) scope with no socket opened`, async () => {
    const c = countingFactory();
    await assert.rejects(
      runScan({ targets: ['127.0.0.1', target], scope: Scope.of(undefined), connector: c.connector, resolver: noNames, onResult: () => undefined }),
      (e: unknown) => isAppError(e, 'VIGIL_ERR_SCOPE') && e.message.includes(target) && e.message.includes('127.0.0.0/8') && e.message.includes('nothing was sent'),
    );
    assert.equal(c.count(), 0, 'no connection may be attempted when any target is out of scope');
  });
}

test('a host name resolving outside the scope is refused, naming the name and the address', async () => {
  const c = countingFactory();
  const resolver = async (n: string): Promise<string[]> => (n === 'files.example' ? ['127.0.0.5', '10.9.9.9'] : []);
  await assert.rejects(
    runScan({ targets: ['files.example'], scope: Scope.of(undefined), connector: c.connector, resolver, onResult: () => undefined }),
    (e: unknown) => isAppError(e, 'VIGIL_ERR_SCOPE') && /files\.example \(10\.9\.9\.9\)/.test(e.message),
  );
  assert.equal(c.count(), 0);
});

test('an explicit scope admits its targets; exclusions win even inside it', async () => {
  const c = countingFactory();
  const seen: string[] = [];
  const scope = Scope.of(['10.0.0.0/30'], ['10.0.0.2']);
  const s = await runScan({ targets: ['10.0.0.0/30'], ports: [135], scope, connector: c.connector, resolver: noNames, reportAll: true, onResult: (r) => void seen.push(r.address) });
  assert.deepEqual(seen.sort(), ['10.0.0.0', '10.0.0.1', '10.0.0.3']);
  assert.equal(s.hostsTotal, 3);
  assert.equal(c.count(), 3, 'one connect per host and port, none to the excluded address');
});

test('a scope file entry that is not an address is a usage error', () => {
  assert.throws(() => Scope.of(['10.0.0.0/33']), (e: unknown) => isAppError(e, 'VIGIL_ERR_BAD_ARGUMENT') && e.message.includes('scope entry'));
  assert.throws(() => Scope.of(['example.com']), (e: unknown) => isAppError(e, 'VIGIL_ERR_BAD_ARGUMENT'));
});

test('addresses, CIDRs and ranges parse to intervals (IPv4, IPv6, mapped, nmap last-octet ranges)', () => {
  const t = (s: string): string | undefined => {
    const r = parseRange(s);
    return r && formatRange(r);
  };
  assert.equal(t('127.0.0.0/16'), '127.0.0.0/16');
  assert.equal(t('10.1.2.3/24'), '10.1.2.0/24');
  assert.equal(t('10.0.0.1-20'), '10.0.0.1-10.0.0.20');
  assert.equal(t('10.0.0.0-10.0.0.255'), '10.0.0.0/24');
  assert.equal(t('::1'), '::1');
  assert.equal(t('2001:db8::/126'), '2001:db8::/126');
  assert.equal(t('::ffff:127.0.0.1'), '127.0.0.1');
  for (const bad of ['10', '1.2.3', '10.0.0.5-10.0.0.1', '10.0.0.0/40', 'fe80::1%eth0', '', '1.2.3.4/']) assert.equal(parseRange(bad), undefined, bad);
});

test('targets beyond scan.maxTargets are refused before scanning', async () => {
  await assert.rejects(resolveTargets(['127.0.0.0/8'], Scope.of(undefined), noNames, 65536), (e: unknown) => isAppError(e, 'VIGIL_ERR_LIMIT'));
});
