// The whole capture pipeline (file -> TCP -> DCE/RPC) gives the same PDUs and calls whatever the link
// type, file format, byte order and IP version, and however the stream is cut into TCP segments:
// 1-byte segments, every split point, out of order, retransmitted with overlap; a lost segment
// becomes a gap and the PDUs after it still decode.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeCapture, type PcapStats } from '../../src/ingest/capture/pcap-driver.js';
import type { PduEvent } from '../../src/ingest/capture/pcap-types.js';
import type { CallRecord } from '../../src/model/call.js';
import { encodeBind, encodeBindAck, encodeRequest, encodeResponse } from '../../src/protocols/dcerpc/pdu-encode.js';
import {
  concat, ethernet, ipTcp, linuxSll, linuxSll2, loopback, pcapFileHeader, pcapRecord, pcapngInterface, pcapngPacket, pcapngSectionHeader,
} from '../helpers/capture-writer.js';
import { LINKTYPE } from '../../src/protocols/pcap/capture-types.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-pcap-pipeline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const NDR = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', versionMajor: 2, versionMinor: 0 };
const IFACE = { uuid: '338cd001-2244-31f1-aaaa-900038001003', versionMajor: 1, versionMinor: 0 }; // winreg: no stub decoder of ours reads it
// Inert filler stub ('A' bytes), big enough to span segments; never shellcode.
const clientBytes = concat([
  encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: IFACE, transferSyntaxes: [NDR] }] }),
  encodeRequest({ callId: 2, ctxId: 0, opnum: 0, stub: new Uint8Array(300).fill(0x41) }),
  encodeRequest({ callId: 3, ctxId: 0, opnum: 0, stub: new Uint8Array(20).fill(0x41) }),
]);
const serverBytes = concat([
  encodeBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, reason: 0, transferSyntax: NDR }] }),
  encodeResponse({ callId: 2, ctxId: 0, stub: new Uint8Array(16) }),
  encodeResponse({ callId: 3, ctxId: 0, stub: new Uint8Array(16) }),
]);

const C = { src: '192.0.2.10', dst: '192.0.2.20', sport: 1111, dport: 135 };
const S = { src: '192.0.2.20', dst: '192.0.2.10', sport: 135, dport: 1111 };
const ISN_C = 0xfffffe00; // the client's sequence numbers wrap around 2^32 inside the stream
const ISN_S = 5000;

interface Segment {
  readonly fromClient: boolean;
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** How frames are written: link type and framing, file format and byte order, address family. */
interface Framing {
  readonly name: string;
  readonly linkType: number;
  readonly wrap: (ip: Uint8Array) => Uint8Array;
  readonly bigEndian?: boolean;
  readonly pcapng?: boolean;
  readonly ipv6?: boolean;
}
const RAW: Framing = { name: 'raw IPv4', linkType: LINKTYPE.RAW, wrap: (ip) => ip };
const V6 = { C: { src: '2001:db8::10', dst: '2001:db8::20', sport: 1111, dport: 135 }, S: { src: '2001:db8::20', dst: '2001:db8::10', sport: 135, dport: 1111 } };

/** Write a capture: handshake, then the given data segments, then FINs. */
function capture(name: string, segments: readonly Segment[], framing: Framing = RAW): string {
  const [c, srv] = framing.ipv6 ? [V6.C, V6.S] : [C, S];
  const frames = [
    ipTcp({ ...c, seq: ISN_C, flags: 0x02 }),
    ipTcp({ ...srv, seq: ISN_S, ack: ISN_C + 1, flags: 0x12 }),
    ...segments.map((s) =>
      s.fromClient
        ? ipTcp({ ...c, seq: ISN_C + 1 + s.offset, ack: ISN_S + 1, payload: s.bytes })
        : ipTcp({ ...srv, seq: ISN_S + 1 + s.offset, ack: ISN_C + 1, payload: s.bytes })),
    ipTcp({ ...c, seq: ISN_C + 1 + clientBytes.length, ack: ISN_S + 1 + serverBytes.length, flags: 0x11 }),
    ipTcp({ ...srv, seq: ISN_S + 1 + serverBytes.length, ack: ISN_C + 2 + clientBytes.length, flags: 0x11 }),
  ].map(framing.wrap);
  const be = framing.bigEndian;
  const file = framing.pcapng
    ? [pcapngSectionHeader(be), pcapngInterface(framing.linkType, { tsresol: 9, bigEndian: be }), ...frames.map((f, i) => pcapngPacket(0, 1_600_000_000_000_000_000n + BigInt(i), f, { bigEndian: be }))]
    : [pcapFileHeader({ linkType: framing.linkType, bigEndian: be }), ...frames.map((f, i) => pcapRecord(1_600_000_000, i, f, { bigEndian: be }))];
  const path = join(dir, `${name}.pcap`);
  writeFileSync(path, concat(file));
  return path;
}

/** Cut a direction's bytes at the given offsets. */
function cut(fromClient: boolean, bytes: Uint8Array, at: readonly number[]): Segment[] {
  const points = [0, ...at, bytes.length];
  return points.slice(1).map((end, i) => ({ fromClient, offset: points[i], bytes: bytes.subarray(points[i], end) }));
}

/** Client segments interleaved with the server's, in conversation order (requests before replies). */
function conversation(clientCuts: readonly number[], serverCuts: readonly number[] = []): Segment[] {
  return [...cut(true, clientBytes, clientCuts), ...cut(false, serverBytes, serverCuts)];
}

function run(path: string): { stats: PcapStats; pdus: string[]; calls: CallRecord[]; anomalies: string[] } {
  const pdus: string[] = [];
  const calls: CallRecord[] = [];
  const anomalies: string[] = [];
  const stats = analyzeCapture(path, {
    onPdu: (e: PduEvent) => {
      pdus.push(`${e.direction} ${e.pdu?.type ?? 'undecoded'} ${e.header.callId} ${e.header.fragLength}`);
      anomalies.push(...e.anomalies.map((a) => a.name));
    },
    onCall: (c) => calls.push(c),
  });
  return { stats, pdus, calls, anomalies };
}

const whole = run(capture('whole', conversation([])));

describe('capture pipeline', () => {
  it('decodes the reference conversation', () => {
    assert.deepEqual(whole.pdus, [
      `to_server bind 1 ${72}`, 'to_server request 2 324', 'to_server request 3 44',
      'to_client bind_ack 1 60', 'to_client response 2 40', 'to_client response 3 40',
    ]);
    assert.deepEqual(whole.calls.map((c) => [c.callId, c.ifaceUuid, c.reqStubLen, c.respFrags]), [[2, IFACE.uuid, 300, 1], [3, IFACE.uuid, 20, 1]]);
    assert.deepEqual(whole.stats.anomalies, {});
  });

  const framings: readonly Framing[] = [
    { name: 'Ethernet, big-endian pcap', linkType: LINKTYPE.ETHERNET, wrap: (ip) => ethernet(ip), bigEndian: true },
    { name: 'Ethernet + 802.1Q over IPv6, pcapng', linkType: LINKTYPE.ETHERNET, wrap: (ip) => ethernet(ip, [100]), pcapng: true, ipv6: true },
    { name: 'Linux SLL', linkType: LINKTYPE.LINUX_SLL, wrap: linuxSll },
    { name: 'Linux SLL2 over IPv6, big-endian pcapng', linkType: LINKTYPE.LINUX_SLL2, wrap: linuxSll2, pcapng: true, bigEndian: true, ipv6: true },
    { name: 'BSD NULL', linkType: LINKTYPE.NULL, wrap: (ip) => loopback(ip, LINKTYPE.NULL) },
    { name: 'OpenBSD LOOP over IPv6', linkType: LINKTYPE.LOOP, wrap: (ip) => loopback(ip, LINKTYPE.LOOP), ipv6: true },
    { name: 'LINKTYPE_IPV4', linkType: LINKTYPE.IPV4, wrap: (ip) => ip },
    { name: 'LINKTYPE_IPV6', linkType: LINKTYPE.IPV6, wrap: (ip) => ip, ipv6: true },
  ];
  for (const framing of framings) {
    it(`gives the same PDUs and calls from a ${framing.name} capture`, () => {
      const r = run(capture(framing.name.replace(/\W+/g, '-'), conversation([30, 100]), framing));
      assert.deepEqual([r.pdus, r.calls.map((c) => [c.callId, c.reqStubLen]), r.stats.anomalies], [whole.pdus, [[2, 300], [3, 20]], {}]);
      assert.equal(r.stats.format, framing.pcapng ? 'pcapng' : 'pcap');
    });
  }

  it('gives the same PDUs from 1-byte segments', () => {
    const ones = Array.from({ length: clientBytes.length - 1 }, (_, i) => i + 1);
    const r = run(capture('bytes', conversation(ones, Array.from({ length: serverBytes.length - 1 }, (_, i) => i + 1))));
    assert.deepEqual([r.pdus, r.calls.length, r.stats.anomalies], [whole.pdus, 2, {}]);
  });

  it('gives the same PDUs for a split at every offset of the client stream', () => {
    for (let at = 1; at < clientBytes.length; at += 7) {
      const r = run(capture(`split-${at}`, conversation([at])));
      assert.deepEqual(r.pdus, whole.pdus, `split at ${at}`);
    }
  });

  it('reorders segments that arrive out of order', () => {
    const segs = conversation([50, 100, 200, 300]);
    const client = segs.filter((s) => s.fromClient).reverse();
    const r = run(capture('reordered', [...client, ...segs.filter((s) => !s.fromClient)]));
    assert.deepEqual([r.pdus, r.stats.anomalies], [whole.pdus, {}]);
  });

  it('keeps one copy of retransmitted and overlapping segments', () => {
    const segs = conversation([60, 160]);
    const overlap: Segment = { fromClient: true, offset: 40, bytes: clientBytes.subarray(40, 190) };
    const r = run(capture('retransmitted', [segs[0], segs[1], overlap, segs[1], segs[2], ...segs.slice(3)]));
    assert.deepEqual([r.pdus, r.stats.anomalies], [whole.pdus, {}]);
  });

  it('turns a lost segment into a gap and decodes the PDUs after it', () => {
    // Lose bytes 100..200 of the first request (bind is 72 bytes, request 2 spans 72..396).
    const segs = conversation([100, 200, 396]).filter((s) => !(s.fromClient && s.offset === 100));
    const r = run(capture('gap', segs));
    assert.ok(r.stats.anomalies.tcp_content_gap === 1, JSON.stringify(r.stats.anomalies));
    assert.ok(r.pdus.includes('to_server request 3 44'), r.pdus.join('; '));
    assert.ok(!r.pdus.includes('to_server request 2 324'));
    assert.ok(r.anomalies.includes('tcp_content_gap'), 'the gap rides on the next PDU of its direction');
  });
});
