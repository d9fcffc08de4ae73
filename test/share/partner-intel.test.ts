// Partner indicators: which STIX patterns become watchlist addresses, versions and revocation, and a
// replayed capture whose client matches a partner's indicator raising intel/partner_indicator (library and CLI).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayFiles } from '../../src/cli/commands/replay.js';
import { watchlistFromBundles } from '../../src/cli/share/watch-bundles.js';
import { alertsToStix } from '../../src/share/stix/stix-export.js';
import { PartnerIntel, patternAddresses } from '../../src/share/taxii/partner-intel.js';
import { skipWithoutBuild, vigil } from '../helpers/cli.js';
import { corpusPath, skipWithoutCorpus } from '../helpers/paths.js';
import { storyAlerts } from './story-alerts.js';

test('patterns: plain address comparisons (OR, CIDR, ISSUBSET) are taken; anything else is not guessed at', () => {
  const cases: [string, string[] | undefined][] = [
    ["[ipv4-addr:value = '198.51.100.7']", ['198.51.100.7']],
    ["[ipv4-addr:value = '198.51.100.7' OR ipv6-addr:value = '2001:db8::1']", ['198.51.100.7', '2001:db8::1']],
    ["[ipv4-addr:value ISSUBSET '203.0.113.0/24']", ['203.0.113.0/24']],
    ["[ipv4-addr:value = '10.0.0.1'] OR [ipv4-addr:value = '10.0.0.2']", ['10.0.0.1', '10.0.0.2']],
    ["[ipv4-addr:value = '10.0.0.1' AND ipv4-addr:value = '10.0.0.2']", undefined],
    ["[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [ipv4-addr:value = '10.0.0.2']", undefined],
    ["[network-traffic:dst_ref.value = '10.0.0.1']", undefined],
    ["[file:name = 'msblast.exe']", undefined],
    [`[ipv4-addr:value = '${'9'.repeat(5000)}']`, undefined],
  ];
  for (const [p, want] of cases) assert.deepEqual(patternAddresses(p), want, p);
});

test('PartnerIntel keeps the newest version of each indicator and drops revoked ones', () => {
  const intel = new PartnerIntel();
  const ind = { type: 'indicator', id: 'indicator--0b6b2b1e-1d7a-4d4c-8a8e-333333333333', pattern: "[ipv4-addr:value = '192.0.2.5']", pattern_type: 'stix', modified: '2026-01-01T00:00:00.000Z', name: 'scanner' };
  assert.equal(intel.ingest('cert-a', [ind]), 1);
  assert.deepEqual(intel.list().map((w) => [w.value, w.partner, w.name]), [['192.0.2.5', 'cert-a', 'scanner']]);
  assert.equal(intel.ingest('cert-a', [{ ...ind, modified: '2025-01-01T00:00:00.000Z', pattern: "[ipv4-addr:value = '192.0.2.6']" }]), 0, 'an older version changes nothing');
  intel.ingest('cert-a', [{ ...ind, modified: '2026-02-01T00:00:00.000Z', revoked: true }]);
  assert.deepEqual(intel.list(), []);
});

test("a Vigil node's own STIX export is a watchlist for its partners", () => {
  const bundle = alertsToStix(storyAlerts(), { organization: 'Node A', sensor: 's', tlp: 'green' });
  const intel = new PartnerIntel();
  intel.ingest('node-a', bundle.objects as never);
  assert.deepEqual(new Set(intel.list().map((w) => w.value)), new Set(['198.51.100.7', '2001:db8::66', '203.0.113.9']));
});

const PCAP = ['dcerpc', 'sv_dcerpc-ctxids.pcap'] as const;

function partnerBundle(dir: string): string {
  const file = join(dir, 'partner.json');
  writeFileSync(file, JSON.stringify({
    type: 'bundle', id: 'bundle--0b6b2b1e-1d7a-4d4c-8a8e-444444444444',
    objects: [
      { type: 'identity', spec_version: '2.1', id: 'identity--0b6b2b1e-1d7a-4d4c-8a8e-555555555555', created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: 'Partner CERT', identity_class: 'organization' },
      { type: 'indicator', spec_version: '2.1', id: 'indicator--0b6b2b1e-1d7a-4d4c-8a8e-666666666666', created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', created_by_ref: 'identity--0b6b2b1e-1d7a-4d4c-8a8e-555555555555', name: 'DCOM scanner', pattern: "[ipv4-addr:value = '192.168.56.102']", pattern_type: 'stix', valid_from: '2020-01-01T00:00:00Z' },
    ],
  }));
  return file;
}

test('replaying a capture from a partner-listed source raises intel/partner_indicator naming the partner', { skip: skipWithoutCorpus(...PCAP) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-watch-'));
  try {
    const bundle = partnerBundle(dir);
    const { alerts } = await replayFiles([corpusPath(...PCAP)], { pipeline: { watchlist: watchlistFromBundles([bundle]) } });
    const hits = alerts.filter((a) => a.rule === 'partner_indicator');
    assert.equal(hits.length, 1, 'one alert: the router merges the rest of that source into it');
    assert.equal(hits[0]!.src, '192.168.56.102');
    assert.equal(hits[0]!.evidence.partner, 'Partner CERT');
    assert.equal(hits[0]!.evidence.indicatorId, 'indicator--0b6b2b1e-1d7a-4d4c-8a8e-666666666666');
    assert.match(hits[0]!.title, /shared by Partner CERT: DCOM scanner/);
    const without = await replayFiles([corpusPath(...PCAP)]);
    assert.equal(without.alerts.filter((a) => a.rule === 'partner_indicator').length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil replay --watch BUNDLE prints the partner alert', { skip: skipWithoutBuild || skipWithoutCorpus(...PCAP) }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-watch-'));
  try {
    const r = vigil(['replay', '--watch', partnerBundle(dir), corpusPath(...PCAP)]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.split('\n').some((l) => l.includes('"partner_indicator"') && l.includes('Partner CERT')), r.stdout);
    writeFileSync(join(dir, 'bad.json'), '{"type":"bundle"');
    assert.equal(vigil(['replay', '--watch', join(dir, 'bad.json'), corpusPath(...PCAP)]).code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
