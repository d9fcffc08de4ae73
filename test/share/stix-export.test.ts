// STIX 2.1 export: every object Vigil emits validates against the OASIS STIX 2.1 JSON schemas (and
// their interop profile), ids are deterministic (re-export and reordering change nothing), and
// Blaster is named only when its commands are seen.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeAlert } from '../../src/detect/alert-factory.js';
import { alertsToStix, StixExporter } from '../../src/share/stix/stix-export.js';
import { uuidv5, scoId } from '../../src/share/stix/stix-id.js';
import { patternString } from '../../src/share/stix/stix-patterns.js';
import { skipWithoutCorpus } from '../helpers/paths.js';
import { loadStixValidator } from './stix-schemas.js';
import { storyAlerts, T0 } from './story-alerts.js';

const OPTS = { organization: 'Example CERT', sensor: 'sensor-1', tlp: 'amber' } as const;

test('uuidv5 matches RFC 9562 and the STIX 2.1 SCO id of the spec example', () => {
  // RFC 9562 appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace.
  assert.equal(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  // The stix2 library's documented deterministic id for ipv4-addr 8.8.8.8 ... computed by the same rule
  // (namespace 00abedb4-..., name = canonical JSON of {"value": ...}); checked for shape and stability here.
  const id = scoId('ipv4-addr', { value: '8.8.8.8' });
  assert.match(id, /^ipv4-addr--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(id, scoId('ipv4-addr', { value: '8.8.8.8' }));
});

test('pattern strings escape quotes and backslashes (STIX 2.1 section 9.3)', () => {
  assert.equal(patternString("a'b\\c"), "'a\\'b\\\\c'");
});

test('every exported object validates against the OASIS STIX 2.1 schemas and interop profile', { skip: skipWithoutCorpus('kb', 'stix', 'schemas') }, () => {
  const v = loadStixValidator();
  const bundle = alertsToStix(storyAlerts(), OPTS);
  assert.equal(v.checkBundle(bundle), undefined);
  const types = new Set<string>();
  for (const o of bundle.objects) {
    assert.equal(v.check(o), undefined, `${o.id}: ${v.check(o)}`);
    types.add(o.type);
  }
  for (const t of ['identity', 'indicator', 'sighting', 'observed-data', 'vulnerability', 'malware', 'infrastructure', 'relationship', 'marking-definition', 'ipv4-addr', 'ipv6-addr', 'network-traffic']) {
    assert.ok(types.has(t), `bundle has a ${t}`);
  }
  // A broken object is refused, so the check above is not vacuous.
  const bad = { ...bundle.objects.find((o) => o.type === 'sighting')!, sighting_of_ref: 'not-an-id' };
  assert.notEqual(v.check(bad), undefined);
});

test('ids and content are deterministic: the same alerts in any order give the same bundle', () => {
  const a = alertsToStix(storyAlerts(), OPTS);
  const b = alertsToStix(storyAlerts().reverse(), OPTS);
  assert.deepEqual(b, a);
  assert.equal(new Set(a.objects.map((o) => o.id)).size, a.objects.length, 'no duplicate ids');
});

test('the story bundle: sightings by the sensor, Blaster exploiting CVE-2003-0352, TLP on every SDO/SRO', () => {
  const { objects } = alertsToStix(storyAlerts(), OPTS);
  const byType = (t: string) => objects.filter((o) => o.type === t);
  const sensor = byType('identity').find((o) => o.identity_class === 'system')!;
  const org = byType('identity').find((o) => o.identity_class === 'organization')!;
  assert.equal(org.name, 'Example CERT');
  for (const s of byType('sighting')) assert.deepEqual(s.where_sighted_refs, [sensor.id]);
  const attacker = byType('indicator').find((o) => o.pattern === "[ipv4-addr:value = '198.51.100.7']")!;
  // Two alerts from the same attacker: one indicator spanning both, two sightings of it.
  assert.equal(attacker.valid_from, new Date(T0).toISOString());
  assert.equal(attacker.modified, new Date(T0 + 2000).toISOString());
  assert.equal(byType('sighting').filter((s) => s.sighting_of_ref === attacker.id).length, 2);
  const blaster = byType('malware');
  assert.equal(blaster.length, 1);
  assert.equal(blaster[0]!.name, 'Blaster');
  const cve = byType('vulnerability').find((o) => o.name === 'CVE-2003-0352')!;
  assert.deepEqual((cve.external_references as unknown[])[0], { source_name: 'cve', external_id: 'CVE-2003-0352' });
  assert.ok(byType('relationship').some((r) => r.relationship_type === 'exploits' && r.source_ref === blaster[0]!.id && r.target_ref === cve.id));
  assert.ok(byType('indicator').some((o) => o.pattern === "[file:name = 'msblast.exe']"));
  assert.ok(byType('infrastructure').some((o) => (o.infrastructure_types as string[])[0] === 'reconnaissance' && o.name === 'scanner 2001:db8::66'));
  const tlp = byType('marking-definition')[0]!;
  assert.equal(tlp.name, 'TLP:AMBER');
  for (const o of objects) if (o.created_by_ref !== undefined) assert.deepEqual(o.object_marking_refs, [tlp.id]);
  // A later alert for a known indicator makes a new version (same id, later modified), not a new object.
  const x = new StixExporter(OPTS);
  for (const a of storyAlerts()) x.add(a);
  x.add(makeAlert({ ts: T0 + 86_400_000, detector: 'exploit', rule: 'ms03_026_unc_server', severity: 'critical', title: 'again', src: '198.51.100.7', dport: 135 }));
  const again = x.objects().filter((o) => o.id === attacker.id);
  assert.equal(again.length, 1);
  assert.equal(again[0]!.modified, new Date(T0 + 86_400_000).toISOString());
});
