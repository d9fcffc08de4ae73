// Interface/operation/fault name table tests: known names both styles, gaps in opnum ranges, Zeek's
// dce_rpc.log baselines in the corpus, every interface bound in the corpus captures, fault names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { CORPUS_DIR, corpusPath, skipWithoutCorpus } from '../helpers/paths.js';
import { manifestInterfaces } from '../protocols/dcerpc/interfaces/corpus-calls.js';
import { DCERPC_FAULTS, DCERPC_INTERFACES, faultLabel, faultName, interfaceLabel, interfaceName, operationName } from '../../src/kb/dcerpc-names.js';

test('port-135 interfaces by Zeek name and by Wireshark name', () => {
  assert.equal(interfaceName('000001A0-0000-0000-C000-000000000046'), 'IRemoteSCMActivator');
  assert.equal(interfaceName('000001a0-0000-0000-c000-000000000046', 'wireshark'), 'ISystemActivator');
  assert.equal(interfaceName('4d9f4ab8-7d1c-11cf-861e-0020af6e7c57', 'wireshark'), 'IRemoteActivation');
  assert.equal(interfaceName('99fcfec4-5260-101b-bbcb-00aa0021347a', 'wireshark'), 'IOXIDResolver');
  assert.equal(interfaceName('e1af8308-5d1f-11c9-91a4-08002b14a0fa'), 'epmapper');
  assert.equal(interfaceName('e1af8308-5d1f-11c9-91a4-08002b14a0fa', 'wireshark'), 'EPM');
  assert.equal(interfaceName('deadbeef-cafe-babe-1234-567890abcdef'), undefined);
});

test('the five port-135 interfaces and their calls carry Zeek\'s consts.zeek names', () => {
  // uuid_endpoint_map and operations as Zeek 6/7 ship them: what dce_rpc.log says for these calls
  const zeek: [string, string, number, string][] = [
    ['e1af8308-5d1f-11c9-91a4-08002b14a0fa', 'epmapper', 3, 'ept_map'],
    ['afa8bd80-7d8a-11c9-bef4-08002b102989', 'mgmt', 0, 'inq_if_ids'],
    ['99fcfec4-5260-101b-bbcb-00aa0021347a', 'IObjectExporter', 5, 'ServerAlive2'],
    ['4d9f4ab8-7d1c-11cf-861e-0020af6e7c57', 'IActivation', 0, 'RemoteActivation'],
    ['000001a0-0000-0000-c000-000000000046', 'IRemoteSCMActivator', 4, 'RemoteCreateInstance'],
  ];
  for (const [uuid, endpoint, opnum, operation] of zeek) {
    assert.equal(interfaceName(uuid), endpoint);
    assert.equal(interfaceName(uuid.toUpperCase()), endpoint, 'any case');
    assert.equal(operationName(uuid, opnum), operation);
  }
});

test('fault names by status, as Wireshark names them', () => {
  assert.equal(faultName(0x1c010002), 'nca_op_rng_error');
  assert.equal(faultName(0x1c010003), 'nca_unk_if');
  assert.equal(faultName(0x1c01000b), 'nca_proto_error');
  assert.equal(faultName(0x000006f7), 'nca_s_fault_ndr');
  assert.equal(faultName(0x00000005), 'nca_s_fault_access_denied');
  assert.equal(faultName(0x80070057), 'E_INVALIDARG');
  assert.equal(faultName(0x80070057 | 0), 'E_INVALIDARG', 'a signed 32-bit status reads the same');
  assert.equal(faultName(0), undefined, 'stub-defined exception: no name');
  assert.equal(faultName(0x12345678), undefined);
  for (const [status, name] of DCERPC_FAULTS) {
    assert.ok(status > 0 && status <= 0xffffffff && Number.isInteger(status), `${status}`);
    assert.match(name, /^[A-Za-z][A-Za-z0-9_]*$/);
  }
});

test('labels for tables: name beside the number or UUID, bare when unknown', () => {
  assert.equal(faultLabel(0x1c010002), '0x1c010002 nca_op_rng_error');
  assert.equal(faultLabel(0x12345678), '0x12345678');
  assert.equal(interfaceLabel('e1af8308-5d1f-11c9-91a4-08002b14a0fa'), 'epmapper (e1af8308-5d1f-11c9-91a4-08002b14a0fa)');
  assert.equal(interfaceLabel('deadbeef-cafe-babe-1234-567890abcdef'), 'deadbeef-cafe-babe-1234-567890abcdef');
});

test('operations by opnum, with unused opnums and out-of-range opnums unknown', () => {
  assert.equal(operationName('000001a0-0000-0000-c000-000000000046', 4), 'RemoteCreateInstance');
  assert.equal(operationName('000001a0-0000-0000-c000-000000000046', 3), 'RemoteGetClassObject');
  assert.equal(operationName('4d9f4ab8-7d1c-11cf-861e-0020af6e7c57', 0), 'RemoteActivation');
  assert.equal(operationName('99fcfec4-5260-101b-bbcb-00aa0021347a', 5), 'ServerAlive2');
  assert.equal(operationName('e1af8308-5d1f-11c9-91a4-08002b14a0fa', 3), 'ept_map');
  assert.equal(operationName('afa8bd80-7d8a-11c9-bef4-08002b102989', 0), 'inq_if_ids');
  assert.equal(operationName('12345678-1234-abcd-ef00-01234567cffb', 26), 'NetrServerAuthenticate3');
  assert.equal(operationName('4b324fc8-1670-01d3-1278-5a47bf6ee188', 0x36), undefined);
  assert.equal(operationName('4b324fc8-1670-01d3-1278-5a47bf6ee188', 0x37), 'NetrServerAliasEnum');
  assert.equal(operationName('df1941c5-fe89-4e79-bf10-463657acf44d', 10), undefined);
  assert.equal(operationName('df1941c5-fe89-4e79-bf10-463657acf44d', 12), 'EfsRpcFileKeyInfo');
  assert.equal(operationName('e1af8308-5d1f-11c9-91a4-08002b14a0fa', 42), undefined);
  assert.equal(operationName('deadbeef-cafe-babe-1234-567890abcdef', 0), undefined);
});

test('the table is well formed: lower-case UUID keys, non-empty names', () => {
  for (const [uuid, e] of Object.entries(DCERPC_INTERFACES)) {
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(e.name.length > 0);
    for (const op of e.ops ?? []) assert.ok(/^[A-Za-z_][\w-]*$|^-$/.test(op), `${uuid}: ${op}`);
  }
});

test('every endpoint/operation in Zeek\'s dce_rpc.log baselines is in the table', { skip: skipWithoutCorpus('dcerpc') }, () => {
  const pairs = new Set<string>();
  for (const f of readdirSync(`${CORPUS_DIR}/dcerpc`).filter((x) => x.endsWith('.dce_rpc.log.txt'))) {
    const lines = readFileSync(corpusPath('dcerpc', f), 'utf8').split('\n');
    const fields = lines.find((l) => l.startsWith('#fields'))?.split('\t').slice(1) ?? [];
    const [ep, op] = [fields.indexOf('endpoint'), fields.indexOf('operation')];
    for (const l of lines.filter((x) => x && !x.startsWith('#'))) pairs.add(`${l.split('\t')[ep]}/${l.split('\t')[op]}`);
  }
  assert.ok(pairs.size >= 5);
  const ours = new Set(Object.values(DCERPC_INTERFACES).flatMap((e) => (e.ops ?? []).map((o) => `${e.name}/${o}`)));
  for (const p of pairs) assert.ok(ours.has(p), `missing ${p}`);
});

test('every interface of the corpus captures has a name', { skip: skipWithoutCorpus('dcerpc', 'MANIFEST.md') }, () => {
  // deadbeef-... is arkime's deliberately unknown interface; 5d2b62aa-... is a third-party
  // application's interface in a user's capture (Suricata issue 7187), named by no public source;
  // the scapy UDP capture binds random UUIDs.
  const deliberatelyUnknown = new Set(['deadbeef-cafe-babe-1234-567890abcdef', '5d2b62aa-ee0a-4a95-91ae-b064fdb471fc']);
  const byCapture = manifestInterfaces(corpusPath('dcerpc', 'MANIFEST.md'));
  byCapture.delete('sv_dcerpc-udp-scapy');
  const seen = new Set([...byCapture.values()].flat());
  assert.ok(seen.size >= 25);
  const missing = [...seen].filter((u) => !deliberatelyUnknown.has(u) && interfaceName(u) === undefined);
  assert.deepEqual(missing, []);
});
