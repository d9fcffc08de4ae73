// A capture read through ingest's one entry (detectInputFormat / readEvents) gives the events a sensor
// emits: a request that switches byte order mid-connection is a byte_order_changed anomaly event and
// a medium alert on replay, as live; DCE/RPC is recognised from the server's side too (a bind_nak
// answering a non-RPC probe, as nmap provokes); the one sniffer tells every input format apart.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DetectPipeline } from '../../src/detect/detect-pipeline.js';
import { analyzeCapture } from '../../src/ingest/capture/pcap-driver.js';
import type { PduEvent } from '../../src/ingest/capture/pcap-types.js';
import type { IngestStats } from '../../src/ingest/ingest-types.js';
import { detectInputFormat, readEvents } from '../../src/ingest/read-events.js';
import type { Alert } from '../../src/model/alert.js';
import type { AnomalyEvent, VigilEvent } from '../../src/model/event.js';
import { encodeBind, encodeBindAck, encodeBindNak, encodeRequest, encodeResponse } from '../../src/protocols/dcerpc/pdu-encode.js';
import { LINKTYPE } from '../../src/protocols/pcap/capture-types.js';
import { concat, ipTcp, pcapFileHeader, pcapngSectionHeader, pcapRecord } from '../helpers/capture-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-capture-events-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const NDR = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', versionMajor: 2, versionMinor: 0 };
const EPM = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', versionMajor: 3, versionMinor: 0 };
const C = { src: '192.0.2.10', dst: '192.0.2.20', sport: 1111, dport: 135 };
const S = { src: '192.0.2.20', dst: '192.0.2.10', sport: 135, dport: 1111 };
const ISN_C = 1000;
const ISN_S = 5000;

/** Handshake, the conversation (client and server payloads in turn), FINs; one frame per payload. */
function capture(name: string, turns: readonly { fromClient: boolean; bytes: Uint8Array }[]): string {
  let c = 0;
  let s = 0;
  const frames = [ipTcp({ ...C, seq: ISN_C, flags: 0x02 }), ipTcp({ ...S, seq: ISN_S, ack: ISN_C + 1, flags: 0x12 })];
  for (const t of turns) {
    if (t.fromClient) {
      frames.push(ipTcp({ ...C, seq: ISN_C + 1 + c, ack: ISN_S + 1 + s, payload: t.bytes }));
      c += t.bytes.length;
    } else {
      frames.push(ipTcp({ ...S, seq: ISN_S + 1 + s, ack: ISN_C + 1 + c, payload: t.bytes }));
      s += t.bytes.length;
    }
  }
  frames.push(ipTcp({ ...C, seq: ISN_C + 1 + c, ack: ISN_S + 1 + s, flags: 0x11 }), ipTcp({ ...S, seq: ISN_S + 1 + s, ack: ISN_C + 2 + c, flags: 0x11 }));
  const path = join(dir, `${name}.pcap`);
  writeFileSync(path, concat([pcapFileHeader({ linkType: LINKTYPE.RAW }), ...frames.map((f, i) => pcapRecord(1_600_000_000 + i, 0, f))]));
  return path;
}

async function eventsOf(path: string): Promise<{ events: VigilEvent[]; stats: IngestStats }> {
  const stats: IngestStats = { file: path, format: '?', records: 0, events: 0, bad: 0, skipped: 0 };
  const events: VigilEvent[] = [];
  for await (const ev of readEvents(path, stats)) events.push(ev);
  return { events, stats };
}

describe('capture events', () => {
  // binds little-endian, then sends its request big-endian (inert filler stub)
  const switched = capture('byte-order', [
    { fromClient: true, bytes: encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [NDR] }] }) },
    { fromClient: false, bytes: encodeBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, reason: 0, transferSyntax: NDR }] }) },
    { fromClient: true, bytes: encodeRequest({ callId: 2, ctxId: 0, opnum: 3, stub: new Uint8Array(24).fill(0x41), littleEndian: false }) },
    { fromClient: false, bytes: encodeResponse({ callId: 2, ctxId: 0, stub: new Uint8Array(16) }) },
  ]);

  it('a byte order switched mid-connection is one anomaly event, shaped as a sensor emits it', async () => {
    const { events, stats } = await eventsOf(switched);
    assert.equal(stats.format, 'pcap');
    const anomalies = events.filter((e): e is AnomalyEvent => e.type === 'anomaly');
    assert.deepEqual(anomalies.map((e) => e.anomaly.name), ['byte_order_changed']);
    const [e] = anomalies;
    assert.deepEqual(
      { type: e.type, source: e.source, src: e.src, dst: e.dst, proto: e.proto, sport: e.sport, dport: e.dport, session: e.session, proto2: e.anomaly.proto, callId: e.anomaly.callId },
      { type: 'anomaly', source: 'pcap', src: C.src, dst: C.dst, proto: 'tcp', sport: C.sport, dport: C.dport, session: '192.0.2.10:1111>192.0.2.20:135', proto2: 'dcerpc', callId: 2 },
    );
    assert.equal(e.ts, 1_600_000_004_000, 'the time of the frame that carried the request');
    const calls = events.filter((x) => x.type === 'call');
    assert.equal(calls.length, 1);
    assert.ok(calls.every((x) => x.type === 'call' && !x.call.anomalies.some((a) => a.name === 'byte_order_changed')), 'not carried by the call as well');
  });

  it('replayed through the detectors, it raises the medium alert a live sensor raises', async () => {
    const pipeline = new DetectPipeline();
    const alerts: Alert[] = [];
    for (const ev of (await eventsOf(switched)).events) alerts.push(...pipeline.push(ev));
    alerts.push(...pipeline.flush());
    const byteOrder = alerts.filter((a) => a.title.includes('byte_order_changed'));
    assert.equal(byteOrder.length, 1, alerts.map((a) => a.title).join('; '));
    assert.equal(byteOrder[0].severity, 'medium');
  });

  it('two different copies of the same request bytes (a TCP overlap evasion) are an anomaly event and a medium alert', async () => {
    const bind = encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: EPM, transferSyntaxes: [NDR] }] });
    const ack = encodeBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, reason: 0, transferSyntax: NDR }] });
    const req = encodeRequest({ callId: 2, ctxId: 0, opnum: 3, stub: new Uint8Array(24).fill(0x41) });
    const decoy = req.slice();
    decoy.fill(0x42, 24); // same length and header, other stub bytes
    const seqReq = ISN_C + 1 + bind.length;
    const frames = [
      ipTcp({ ...C, seq: ISN_C, flags: 0x02 }),
      ipTcp({ ...S, seq: ISN_S, ack: ISN_C + 1, flags: 0x12 }),
      ipTcp({ ...C, seq: ISN_C + 1, ack: ISN_S + 1, payload: bind }),
      ipTcp({ ...S, seq: ISN_S + 1, ack: seqReq, payload: ack }),
      // the tail of the request first (out of order, buffered), then a different copy of it
      ipTcp({ ...C, seq: seqReq + 16, ack: ISN_S + 1 + ack.length, payload: decoy.subarray(16) }),
      ipTcp({ ...C, seq: seqReq + 16, ack: ISN_S + 1 + ack.length, payload: req.subarray(16) }),
      ipTcp({ ...C, seq: seqReq, ack: ISN_S + 1 + ack.length, payload: req.subarray(0, 16) }),
    ];
    const path = join(dir, 'overlap.pcap');
    writeFileSync(path, concat([pcapFileHeader({ linkType: LINKTYPE.RAW }), ...frames.map((f, i) => pcapRecord(1_600_000_000 + i, 0, f))]));
    const { events } = await eventsOf(path);
    const tcp = events.filter((e): e is AnomalyEvent => e.type === 'anomaly' && e.anomaly.proto === 'tcp');
    assert.deepEqual(tcp.map((e) => [e.anomaly.name, e.src, e.dport]), [['tcp_overlap_inconsistent', C.src, 135]]);
    const pipeline = new DetectPipeline();
    const alerts: Alert[] = [];
    for (const ev of events) alerts.push(...pipeline.push(ev));
    alerts.push(...pipeline.flush());
    const overlap = alerts.filter((a) => a.title.includes('tcp_overlap_inconsistent'));
    assert.deepEqual(overlap.map((a) => a.severity), ['medium'], alerts.map((a) => a.title).join('; '));
  });

  it('recognises DCE/RPC from the server side: a bind_nak answering a non-RPC probe is decoded, the probe a bad_version as live', async () => {
    const probe = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');
    const path = capture('probe-nak', [
      { fromClient: true, bytes: probe },
      { fromClient: false, bytes: encodeBindNak({ callId: 0, rejectReason: 4 }) },
    ]);
    const pdus: PduEvent[] = [];
    const stats = analyzeCapture(path, { onPdu: (e) => pdus.push(e) });
    assert.equal(stats.dcerpcConnections, 1);
    assert.deepEqual(pdus.map((p) => [p.direction, p.pdu?.type, p.frame, p.flow.src, p.flow.dport]), [['to_client', 'bind_nak', 4, C.src, 135]]);
    assert.equal(pdus[0].pdu?.type === 'bind_nak' && pdus[0].pdu.rejectReason, 4);
    assert.deepEqual(stats.pdusByType, { bind_nak: 1 });
    const anomalies = (await eventsOf(path)).events.filter((e): e is AnomalyEvent => e.type === 'anomaly');
    assert.deepEqual(anomalies.map((e) => [e.anomaly.name, e.anomaly.detail, e.src]), [['bad_version', 'rpc_vers 71.69', C.src]]);
  });

  it('leaves a connection alone when neither side speaks DCE/RPC', () => {
    const path = capture('http', [
      { fromClient: true, bytes: new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n') },
      { fromClient: false, bytes: new TextEncoder().encode('HTTP/1.0 200 OK\r\n\r\n') },
    ]);
    const stats = analyzeCapture(path);
    assert.deepEqual([stats.tcpConnections, stats.dcerpcConnections, stats.pdus, stats.anomalies], [1, 0, 0, {}]);
  });
});

describe('detectInputFormat', () => {
  const file = (name: string, body: string | Uint8Array): string => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };
  it('tells every input apart with one sniffer', () => {
    const cases: [string, string | Uint8Array, string | undefined][] = [
      ['a.pcap', pcapFileHeader({ linkType: LINKTYPE.RAW }), 'pcap'],
      ['b.pcap', pcapFileHeader({ linkType: LINKTYPE.RAW, bigEndian: true }), 'pcap'],
      ['c.pcapng', pcapngSectionHeader(), 'pcapng'],
      ['conn.log', '#separator \\x09\n#fields\tts\n', 'zeek-tsv'],
      ['conn.json', '\n{"ts":1,"id.orig_h":"192.0.2.1"}\n', 'zeek-json'],
      ['eve.json', '{"event_type":"flow"}\r\n', 'eve'],
      ['events.jsonl', '{"type":"conn","src":"192.0.2.1"}\n', 'events'],
      ['other.txt', 'hello\n', undefined],
      ['empty', '', undefined],
    ];
    for (const [name, body, want] of cases) assert.equal(detectInputFormat(file(name, body)), want, name);
    assert.throws(() => detectInputFormat(join(dir, 'missing')), /cannot open/);
  });
});
