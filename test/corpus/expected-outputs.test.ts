// Where the corpus ships a peer's expected output, the facts we both log agree: every row of Zeek's
// dce_rpc.log baselines (flow, rtt, named pipe / secondary address, names where ours are known), and
// every suricata-verify filter on EVE `dcerpc` events (counts of binds, requests, opnums, interfaces,
// fragment counts, stub sizes). Where a peer is wrong or counts differently, the test says so.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeCapture } from '../../src/ingest/capture/pcap-driver.js';
import { CallNames } from '../../src/kb/call-names.js';
import type { FlowJson, PduEvent } from '../../src/ingest/capture/pcap-types.js';
import type { CallRecord } from '../../src/model/call.js';
import { HAS_CORPUS, corpusPath, skipWithoutCorpus } from '../helpers/paths.js';
import { at, eveEvents, readDcerpcFilters, readZeekLog, type EveEvent, type EveFilter, type ZeekRow } from './peer-logs.js';

function decode(file: string): { pdus: PduEvent[]; calls: { call: CallRecord; flow: FlowJson }[] } {
  const pdus: PduEvent[] = [];
  const calls: { call: CallRecord; flow: FlowJson }[] = [];
  analyzeCapture(corpusPath('dcerpc', file), { names: new CallNames().lookup, onPdu: (e) => pdus.push(e), onCall: (call, flow) => calls.push({ call, flow }) });
  return { pdus, calls };
}

const ZEEK_BASELINES: readonly [capture: string, log: string][] = [
  ['zeek_mapi.pcap', 'zeek_mapi.expected.dce_rpc.log.txt'],
  ['zeek_cs_window7-join_stream092.pcap', 'zeek_cs_window7-join_stream092.expected.dce_rpc.log.txt'],
  ['zeek_dce_rpc_netlogon.pcapng', 'zeek_dce_rpc_netlogon.expected.dce_rpc.log.txt'],
];

const rowKey = (r: { orig_h: string; orig_p: number; resp_h: string; resp_p: number; rtt: string }): string => `${r.orig_h}:${r.orig_p} > ${r.resp_h}:${r.resp_p} rtt=${r.rtt}`;

describe('Zeek dce_rpc.log baselines', { skip: skipWithoutCorpus('dcerpc') }, () => {
  for (const [capture, log] of ZEEK_BASELINES) {
    it(`${capture}: one call per logged row, same flow and rtt to the microsecond`, () => {
      const { pdus, calls } = decode(capture);
      const rows = readZeekLog(corpusPath('dcerpc', log));
      // Zeek logs calls on a bound interface; calls of connections picked up after their bind are not
      // logged. The baselines list DCE/RPC over TCP only: the calls we now find inside SMB named pipes
      // (ncacn_np, checked PDU for PDU against tshark in dcerpc-tshark.test.ts) have no rows there.
      const bound = calls.filter((c) => c.call.ifaceUuid !== undefined && c.call.transport !== 'ncacn_np');
      const zeek = rows.map(rowKey);
      // Zeek is wrong about a call that never got a response: at the end of the connection it logs
      // the previous call's row again (zeek_mapi: call 7, an unanswered EcDoRpc on port 1032, appears
      // as a second, identical EcRRegisterPushNotification row with the same rtt).
      for (const { flow } of bound.filter((c) => c.call.respFrags === 0)) {
        const i = zeek.findIndex((k, j) => j > 0 && k === zeek[j - 1] && k.startsWith(`${flow.src}:${flow.sport} `));
        assert.ok(i > 0, `no repeated Zeek row for the unanswered call on ${flow.src}:${flow.sport}`);
        zeek.splice(i, 1);
      }
      const ours = bound.filter((c) => c.call.respFrags > 0).map(({ call, flow }) =>
        rowKey({ orig_h: flow.src, orig_p: flow.sport, resp_h: flow.dst, resp_p: flow.dport, rtt: ((call.rttMs ?? NaN) / 1000).toFixed(6) }));
      assert.deepEqual(ours.sort(), zeek.sort());
      assertNamedPipes(rows, pdus);
      assertKnownNames(rows, calls);
    });
  }
});

/** Zeek's named_pipe of a TCP call is the bind_ack secondary address of its connection. */
function assertNamedPipes(rows: readonly ZeekRow[], pdus: readonly PduEvent[]): void {
  for (const r of rows) {
    const acks = pdus.filter((e) => e.flow.src === r.orig_h && e.flow.sport === r.orig_p && e.pdu?.type === 'bind_ack');
    const addresses = acks.map((e) => (e.pdu?.type === 'bind_ack' ? e.pdu.secondaryAddress : ''));
    assert.ok(addresses.includes(r.named_pipe.replaceAll('\\\\', '\\')), `${rowKey(r)}: named_pipe ${r.named_pipe} vs ${addresses.join(',')}`);
  }
}

/** Endpoint and operation names agree wherever our name table knows the interface. */
function assertKnownNames(rows: readonly ZeekRow[], calls: readonly { call: CallRecord; flow: FlowJson }[]): void {
  for (const r of rows) {
    const mine = calls.find(({ call, flow }) => flow.sport === r.orig_p && ((call.rttMs ?? NaN) / 1000).toFixed(6) === r.rtt);
    assert.ok(mine, rowKey(r));
    if (mine.call.endpoint === undefined) continue;
    assert.deepEqual([mine.call.endpoint, mine.call.operation], [r.endpoint, r.operation]);
  }
}

/**
 * How we translate Suricata's EVE fields where it counts differently, checked on the corpus:
 * - req.stub_data_size includes the 16-byte object UUID of a PFC_OBJECT_UUID request
 *   (sv_dcerpc-dce-iface-02: 24 = 8 stub + 16 UUID; tshark and C706 12.6.4.9 say 8);
 * - res.stub_data_size counts from the end of the common header, so it includes alloc_hint,
 *   p_cont_id and cancel_count (same capture: 68 = 60 stub + 8; tshark says 60).
 */
function suricataValue(event: EveEvent, path: string): unknown {
  const v = at(event, path);
  const req = at(event, 'dcerpc.req') as { object_uuid?: string } | undefined;
  if (path === 'dcerpc.req.stub_data_size' && typeof v === 'number') return v + (req?.object_uuid ? 16 : 0);
  if (path === 'dcerpc.res.stub_data_size' && typeof v === 'number') return v + 8;
  return v;
}

/** Keys we cannot hold Suricata to: its packet counter at the time it logs. */
const UNCOMPARABLE = [/^pcap_cnt$/];

function matches(event: EveEvent, filter: EveFilter): boolean {
  return Object.entries(filter.match).every(([path, want]) => path === 'event_type' || UNCOMPARABLE.some((re) => re.test(path)) || suricataValue(event, path) === want);
}

/** The capture a test.yaml reads: its own (same name) or the one its `pcap:` line points at. */
function captureOf(yamlFile: string, text: string): string {
  const m = /^pcap: .*\/([^/]+)\/input\.pcap/m.exec(text);
  return m ? `sv_${m[1]}.pcap` : yamlFile.replace('.test.yaml.txt', '.pcap');
}

const yamls = HAS_CORPUS ? readdirSync(corpusPath('dcerpc')).filter((f) => f.endsWith('.test.yaml.txt')).sort() : [];

describe('suricata-verify EVE dcerpc expectations', { skip: skipWithoutCorpus('dcerpc') }, () => {
  let checked = 0;
  let declared = 0;
  for (const yamlFile of yamls) {
    const filters = readDcerpcFilters(corpusPath('dcerpc', yamlFile));
    // Connectionless DCE/RPC over UDP is recognised and counted, not decoded into calls (yet).
    const comparable = filters.filter((f) => f.match.proto !== 'UDP');
    if (comparable.length === 0) continue;
    declared += comparable.length;
    it(`${yamlFile}: ${comparable.length} dcerpc event filter(s) match as many of our events`, () => {
      const capture = captureOf(yamlFile, readFileSync(corpusPath('dcerpc', yamlFile), 'utf8'));
      const { pdus, calls } = decode(capture);
      const events = eveEvents(pdus, calls);
      for (const f of comparable) {
        const n = events.filter((e) => matches(e, f)).length;
        assert.equal(n, f.count, `${capture}: ${JSON.stringify(f.match)}`);
        checked++;
      }
    });
  }
  it('compared every filter outside connectionless UDP', () => {
    assert.equal(checked, declared);
    assert.ok(declared >= 30, `${declared} filters`);
  });
});
