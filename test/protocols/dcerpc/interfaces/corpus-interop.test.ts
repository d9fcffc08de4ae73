// Real traffic: every EPM / IOXIDResolver / activation call in the shared corpus decodes fully and
// without anomalies, and what we decode equals what tshark dissects from the same capture.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { CORPUS_DIR, corpusPath, skipWithoutCorpus } from '../../../helpers/paths.js';
import { skipWithoutPeer } from '../../../helpers/peers.js';
import { EPM, IOXID_RESOLVER, IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR, MGMT, decodeRequestStub, decodeResponseStub, sameUuid } from '../../../../src/protocols/dcerpc/interfaces/index.js';
import { corpusCalls, manifestInterfaces, type CorpusCall } from './corpus-calls.js';

const skip = (file: string): false | string => skipWithoutCorpus('dcerpc', file) || skipWithoutPeer('tshark');

function tshark(file: string, filter: string, ...fields: string[]): string[][] {
  const args = ['-r', corpusPath('dcerpc', file), '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const r = spawnSync('tshark', args, { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

const calls = (file: string, iface: string): CorpusCall[] => corpusCalls(corpusPath('dcerpc', file)).filter((c) => sameUuid(c.ifaceUuid, iface));
const req = (c: CorpusCall) => decodeRequestStub({ ifaceUuid: c.ifaceUuid, opnum: c.opnum, stub: c.request, littleEndian: c.littleEndian });
const resp = (c: CorpusCall) => decodeResponseStub({ ifaceUuid: c.ifaceUuid, opnum: c.opnum, stub: c.response!, littleEndian: c.responseLittleEndian ?? true });

test('sv_zerologon: 21 ept_map calls; our towers give the port and address tshark dissects', { skip: skip('sv_zerologon.pcap') }, () => {
  const epm = calls('sv_zerologon.pcap', EPM.uuid);
  assert.equal(epm.length, 21);
  const expected = tshark('sv_zerologon.pcap', 'epm && dcerpc.pkt_type==2', 'epm.proto.ip', 'epm.proto.tcp_port').map(([ip, port]) => `ncacn_ip_tcp:${ip}[${port}]`);
  const ours: unknown[] = [];
  for (const c of epm) {
    const q = req(c);
    assert.deepEqual(q?.anomalies, []);
    assert.equal(q?.summary?.iface, '12345678-1234-abcd-ef00-01234567cffb');
    const s = resp(c);
    assert.deepEqual(s?.anomalies, []);
    ours.push(...((s?.summary?.bindings as string[]) ?? []));
  }
  assert.deepEqual(ours, expected);
});

test('zeek_mapi: ept_lookup and ept_map match tshark (annotation, HTTP and TCP ports)', { skip: skip('zeek_mapi.pcap') }, () => {
  const epm = calls('zeek_mapi.pcap', EPM.uuid);
  assert.deepEqual(epm.map((c) => c.opnum).sort(), [2, 3, 3]);
  const rows = tshark('zeek_mapi.pcap', 'epm && dcerpc.pkt_type==2', 'epm.annotation', 'epm.proto.tcp_port', 'epm.proto.http_port');
  const ours = epm.map((c) => {
    const s = resp(c);
    assert.deepEqual(s?.anomalies, []);
    const entries = (s?.summary?.entries as { annotation: string; binding: string }[] | undefined) ?? [];
    const bindings = entries.length ? entries.map((e) => e.binding) : (s?.summary?.bindings as string[]);
    return [entries[0]?.annotation ?? '', bindings.join()];
  });
  assert.deepEqual(ours.map(([a, b]) => [a, b.match(/\[(\d+)\]/)?.[1]]), rows.map(([a, tcp, http]) => [a, tcp || http]));
});

test('sv_dcerpc-ctxids: ServerAlive2 bindings equal tshark\'s DUALSTRINGARRAY', { skip: skip('sv_dcerpc-ctxids.pcap') }, () => {
  const [c] = calls('sv_dcerpc-ctxids.pcap', IOXID_RESOLVER.uuid);
  assert.equal(c.opnum, 5);
  assert.deepEqual(req(c)?.anomalies, []);
  const s = resp(c);
  assert.deepEqual(s?.anomalies, []);
  const [[towers, addrs]] = tshark('sv_dcerpc-ctxids.pcap', 'dcom.dualstringarray.network_addr && tcp.stream==0', 'dcom.dualstringarray.tower_id', 'dcom.dualstringarray.network_addr');
  const ours = s?.summary?.stringBindings as { towerId: number; networkAddr: string }[];
  assert.deepEqual(ours.map((b) => b.networkAddr), addrs.split(','));
  assert.deepEqual(ours.map((b) => b.towerId), towers.split(',').map(Number));
});

test('zeek_kerberos135_auth: the real RemoteCreateInstance decodes down to COSERVERINFO with no anomaly', { skip: skipWithoutCorpus('dcerpc', 'zeek_kerberos135_auth.pcapng') || skipWithoutPeer('tshark') }, () => {
  const [c] = calls('zeek_kerberos135_auth.pcapng', ISYSTEM_ACTIVATOR.uuid);
  assert.equal(c.opnum, 4);
  const d = req(c);
  assert.deepEqual(d?.anomalies, []);
  assert.equal(d?.summary?.complete, true);
  assert.deepEqual(d?.activation, {
    method: 'RemoteCreateInstance',
    clsid: '8bc3f05e-d86b-11d0-a075-00c04fb68820',
    serverName: 'BLACKCLOVER-DC',
    iids: ['f309ad18-d86a-11d0-a075-00c04fb68820'],
    protseqs: [7],
    properties: ['SpecialPropertiesData', 'InstantiationInfoData', 'ActivationContextInfoData', 'SecurityInfoData', 'LocationInfoData', 'ScmRequestInfoData'],
  });
});

test('sv_dcerpc-ctxids: the authenticated RemoteGetClassObject decodes fully; its verification trailer is recognised', { skip: skip('sv_dcerpc-ctxids.pcap') }, () => {
  const [c] = calls('sv_dcerpc-ctxids.pcap', ISYSTEM_ACTIVATOR.uuid);
  assert.equal(c.opnum, 3);
  const d = req(c);
  assert.deepEqual(d?.anomalies, []);
  assert.equal(d?.activation?.serverName, '192.168.56.101');
  assert.equal(d?.activation?.uncServer, undefined);
  assert.deepEqual([d?.summary?.verificationTrailer, d?.summary?.trailingBytes], [true, 52]);
});

test('every call of every corpus capture with our interfaces goes through the dispatchers cleanly', { skip: skipWithoutCorpus('dcerpc') || skipWithoutPeer('tshark') }, () => {
  // Captures without an interface we decode give `undefined` at once; the MANIFEST says which have one.
  const ours = [EPM, IOXID_RESOLVER, ISYSTEM_ACTIVATOR, IREMOTE_ACTIVATION, MGMT].map((i) => i.uuid);
  const files = readdirSync(`${CORPUS_DIR}/dcerpc`).filter((x) => /\.pcap(ng)?$/.test(x));
  const byCapture = manifestInterfaces(corpusPath('dcerpc', 'MANIFEST.md'));
  const relevant = files.filter((f) => (byCapture.get(f.replace(/\.pcap(ng)?$/, '')) ?? []).some((u) => ours.includes(u)));
  assert.ok(relevant.length >= 6, relevant.join());
  let decoded = 0;
  for (const f of relevant) {
    for (const c of corpusCalls(corpusPath('dcerpc', f))) {
      const q = req(c);
      const s = c.response ? resp(c) : undefined;
      if (q || s) decoded++;
      for (const a of [...(q?.anomalies ?? []), ...(s?.anomalies ?? [])]) assert.fail(`${f} call ${c.callId}: ${a.name} ${a.detail}`);
    }
  }
  // 21 zerologon ept_map + 3 mapi + 2 ctxids + 1 kerberos135, and the 42 Netlogon calls of the
  // Zerologon attack (21 NetrServerReqChallenge, 21 NetrServerAuthenticate3: worm-calls.ts)
  assert.equal(decoded, 69);
});

test('seeded mutation of real stubs: every decoder answers with data or anomalies, never an exception', { skip: skipWithoutCorpus('dcerpc') || skipWithoutPeer('tshark') }, () => {
  const real = [
    ...calls('sv_zerologon.pcap', EPM.uuid).slice(0, 1),
    ...calls('zeek_mapi.pcap', EPM.uuid),
    ...calls('sv_dcerpc-ctxids.pcap', IOXID_RESOLVER.uuid),
    ...calls('sv_dcerpc-ctxids.pcap', ISYSTEM_ACTIVATOR.uuid),
    ...calls('zeek_kerberos135_auth.pcapng', ISYSTEM_ACTIVATOR.uuid),
  ];
  let seed = 826;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  let decoded = 0;
  let flagged = 0;
  const total = 3000;
  for (let i = 0; i < total; i++) {
    const c = real[i % real.length];
    // Activation responses are not decoded (nothing downstream needs them): mutate their requests.
    const useResponse = i % 2 === 1 && c.response !== undefined && !sameUuid(c.ifaceUuid, ISYSTEM_ACTIVATOR.uuid);
    const base = useResponse ? c.response! : c.request;
    if (base.length === 0) continue;
    const m = base.slice(0, base.length - rand(Math.min(base.length, 48)));
    for (let k = rand(8); k >= 0 && m.length > 0; k--) m[rand(m.length)] = rand(256);
    const input = { ifaceUuid: c.ifaceUuid, opnum: c.opnum, stub: m, littleEndian: true };
    const d = useResponse ? decodeResponseStub(input) : decodeRequestStub(input);
    assert.ok(d);
    if (d.anomalies.length) flagged++;
    else decoded++;
  }
  assert.ok(decoded + flagged > total * 0.9);
  assert.ok(flagged > 0 && decoded > 0);
});
