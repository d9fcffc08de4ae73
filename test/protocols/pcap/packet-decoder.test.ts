// Packet decoder tests: every supported link type carrying IPv4 and IPv6 TCP, VLAN tags, IPv6
// extension headers, fragments flagged, Ethernet padding trimmed, snaplen cuts, must-fail headers.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LINKTYPE } from '../../../src/protocols/pcap/capture-types.js';
import {
  concat, ethernet, ipTcp, ipv4, ipv6, linuxSll, linuxSll2, loopback, tcpHeader, udpDatagram,
} from '../../helpers/capture-writer.js';
import { DECODE, DecodedPacket, decodePacket, ipv4ToString, ipv6ToString } from '../../../src/protocols/pcap/packet-decoder.js';

const payload = new TextEncoder().encode('hello');
const v4 = ipTcp({ src: '10.1.2.3', dst: '192.168.0.135', sport: 1234, dport: 135, seq: 0xfffffff0, ack: 5, flags: 0x18, payload });
const v6 = ipTcp({ src: '2001:db8::1', dst: 'fe80::1:2', sport: 50000, dport: 135, seq: 1, flags: 0x02, payload });

function decoded(linkType: number, frame: Uint8Array): { status: number; p: DecodedPacket; text: string[] } {
  const p = new DecodedPacket();
  const status = decodePacket(linkType, frame, p);
  const text = p.ipVersion === 4 ? [ipv4ToString(p.src4), ipv4ToString(p.dst4)] : p.ipVersion === 6 ? [ipv6ToString(frame, p.src6At), ipv6ToString(frame, p.dst6At)] : [];
  return { status, p, text };
}

describe('link types', () => {
  const framings: readonly [string, number, (ip: Uint8Array) => Uint8Array][] = [
    ['Ethernet', LINKTYPE.ETHERNET, (ip) => ethernet(ip)],
    ['Ethernet + 802.1Q', LINKTYPE.ETHERNET, (ip) => ethernet(ip, [42])],
    ['Ethernet + 802.1ad QinQ', LINKTYPE.ETHERNET, (ip) => ethernet(ip, [7, 42])],
    ['Linux SLL', LINKTYPE.LINUX_SLL, linuxSll],
    ['Linux SLL2', LINKTYPE.LINUX_SLL2, linuxSll2],
    ['raw IP (101)', LINKTYPE.RAW, (ip) => ip],
    ['raw IP (DLT 12)', LINKTYPE.RAW_DLT12, (ip) => ip],
    ['BSD NULL little-endian', LINKTYPE.NULL, (ip) => loopback(ip, LINKTYPE.NULL, false)],
    ['BSD NULL big-endian', LINKTYPE.NULL, (ip) => loopback(ip, LINKTYPE.NULL, true)],
    ['OpenBSD LOOP', LINKTYPE.LOOP, (ip) => loopback(ip, LINKTYPE.LOOP)],
  ];
  for (const [name, linkType, frame] of framings) {
    it(`${name} carrying IPv4 and IPv6`, () => {
      const a = decoded(linkType, frame(v4));
      assert.equal(a.status, DECODE.TCP);
      assert.deepEqual(a.text, ['10.1.2.3', '192.168.0.135']);
      assert.deepEqual([a.p.srcPort, a.p.dstPort, a.p.seq, a.p.ack, a.p.tcpFlags], [1234, 135, 0xfffffff0, 5, 0x18]);
      assert.equal(Buffer.from(frame(v4).subarray(a.p.payloadStart, a.p.payloadEnd)).toString(), 'hello');
      const b = decoded(linkType, frame(v6));
      assert.equal(b.status, DECODE.TCP);
      assert.deepEqual(b.text, ['2001:db8::1', 'fe80::1:2']);
      assert.deepEqual([b.p.srcPort, b.p.dstPort, b.p.payloadWireLen], [50000, 135, 5]);
    });
  }
  it('IPv4 and IPv6 link types', () => {
    assert.equal(decoded(LINKTYPE.IPV4, v4).status, DECODE.TCP);
    assert.equal(decoded(LINKTYPE.IPV6, v6).status, DECODE.TCP);
  });
  it('an unknown link type and a non-IP ethertype are told apart', () => {
    assert.equal(decoded(147, v4).status, DECODE.UNSUPPORTED_LINK);
    const arp = ethernet(v4);
    arp[12] = 0x08;
    arp[13] = 0x06;
    assert.equal(decoded(LINKTYPE.ETHERNET, arp).status, DECODE.OTHER);
  });
});

describe('frames read in place inside a larger buffer', () => {
  it('decodes d[start, end) with offsets into d, never reading past end', () => {
    const frame = ethernet(v4);
    const block = concat([new Uint8Array(7).fill(0xee), frame, new Uint8Array(9).fill(0xee)]);
    const p = new DecodedPacket();
    assert.equal(decodePacket(LINKTYPE.ETHERNET, block, p, 7, 7 + frame.length), DECODE.TCP);
    assert.equal(Buffer.from(block.subarray(p.payloadStart, p.payloadEnd)).toString(), 'hello');
    assert.equal(p.ipStart, 7 + 14);
    // The same frame cut 3 bytes short by `end`: the bytes after it in the block are not payload.
    assert.equal(decodePacket(LINKTYPE.ETHERNET, block, p, 7, 7 + frame.length - 3), DECODE.TCP);
    assert.deepEqual([p.payloadEnd - p.payloadStart, p.payloadWireLen], [2, 5]);
  });
});

describe('IP layer', () => {
  it('trims Ethernet padding by the IP total length', () => {
    const small = ipTcp({ src: '1.2.3.4', dst: '5.6.7.8', sport: 1, dport: 2, seq: 0 });
    const padded = concat([ethernet(small), new Uint8Array(6).fill(0xee)]);
    const r = decoded(LINKTYPE.ETHERNET, padded);
    assert.equal(r.status, DECODE.TCP);
    assert.equal(r.p.payloadEnd - r.p.payloadStart, 0);
  });
  it('walks IPv6 hop-by-hop, routing and destination options headers to TCP', () => {
    const ip = ipv6('::1', '::2', 6, tcpHeader({ src: '::1', dst: '::2', sport: 9, dport: 135, seq: 3, payload }), [
      [0, new Uint8Array(6)], [43, new Uint8Array(14)], [60, new Uint8Array(6)],
    ]);
    const r = decoded(LINKTYPE.RAW, ip);
    assert.equal(r.status, DECODE.TCP);
    assert.deepEqual([r.p.dstPort, r.p.payloadEnd - r.p.payloadStart], [135, 5]);
  });
  it('passes an IPv6 atomic fragment and flags a real one', () => {
    const tcp = tcpHeader({ src: '::1', dst: '::2', sport: 9, dport: 135, seq: 3, payload });
    const atomic = ipv6('::1', '::2', 6, tcp, [[44, new Uint8Array(6)]]);
    assert.equal(decoded(LINKTYPE.RAW, atomic).status, DECODE.TCP);
    const more = ipv6('::1', '::2', 6, tcp, [[44, new Uint8Array([0, 1, 0, 0, 0, 9])]]);
    assert.equal(decoded(LINKTYPE.RAW, more).status, DECODE.FRAGMENT);
  });
  it('flags IPv4 fragments (more-fragments bit, or an offset)', () => {
    const body = tcpHeader({ src: '1.1.1.1', dst: '2.2.2.2', sport: 1, dport: 135, seq: 0, payload });
    assert.equal(decoded(LINKTYPE.RAW, ipv4('1.1.1.1', '2.2.2.2', 6, body, { fragment: 0x2000 })).status, DECODE.FRAGMENT);
    assert.equal(decoded(LINKTYPE.RAW, ipv4('1.1.1.1', '2.2.2.2', 6, body, { fragment: 0x0010 })).status, DECODE.FRAGMENT);
  });
  it('reports the wire length of a payload the snaplen cut', () => {
    const r = decoded(LINKTYPE.RAW, v4.subarray(0, v4.length - 2));
    assert.equal(r.status, DECODE.TCP);
    assert.deepEqual([r.p.payloadEnd - r.p.payloadStart, r.p.payloadWireLen], [3, 5]);
  });
  it('decodes UDP', () => {
    const r = decoded(LINKTYPE.RAW, udpDatagram('10.0.0.1', '10.0.0.2', 34567, 135, payload));
    assert.equal(r.status, DECODE.UDP);
    assert.deepEqual([r.p.srcPort, r.p.dstPort, r.p.payloadEnd - r.p.payloadStart], [34567, 135, 5]);
  });
});

describe('must-fail headers', () => {
  const withByte = (b: Uint8Array, at: number, v: number): Uint8Array => {
    const c = b.slice();
    c[at] = v;
    return c;
  };
  const cases: readonly [string, Uint8Array, number][] = [
    ['IPv4 header length 16', withByte(v4, 0, 0x44), DECODE.BAD_IP],
    ['IP version 5', withByte(v4, 0, 0x55), DECODE.BAD_IP],
    ['IPv4 cut at 19 bytes', v4.subarray(0, 19), DECODE.BAD_IP],
    ['IPv6 cut at 39 bytes', v6.subarray(0, 39), DECODE.BAD_IP],
    ['TCP data offset 4 words', withByte(v4, 20 + 12, 0x40), DECODE.BAD_TCP],
    ['TCP data offset past the packet', withByte(v4, 20 + 12, 0xf0), DECODE.BAD_TCP],
    ['TCP header cut', v4.subarray(0, 30), DECODE.BAD_TCP],
    ['UDP length 7', withByte(udpDatagram('1.1.1.1', '2.2.2.2', 1, 2, payload), 20 + 5, 7), DECODE.BAD_UDP],
  ];
  for (const [name, ip, status] of cases) {
    it(name, () => assert.equal(decoded(LINKTYPE.RAW, ip).status, status));
  }
});

describe('address text', () => {
  const cases: readonly [string, string][] = [
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
  ];
  for (const [full, expected] of cases) {
    it(`${full} -> ${expected} (RFC 5952)`, () => {
      const ip = ipv6(full, '::1', 59, new Uint8Array(0));
      assert.equal(ipv6ToString(ip, 8), expected);
    });
  }
});
