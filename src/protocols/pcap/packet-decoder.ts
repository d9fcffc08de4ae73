// Link layer -> IPv4/IPv6 -> TCP/UDP header decoding of one captured frame into a reused object.
// Follows tcpdump.org linktypes (Ethernet + 802.1Q/802.1ad tags, Linux SLL/SLL2, raw IP, BSD NULL/LOOP),
// RFC 791, RFC 8200 (extension headers; fragments are flagged, not reassembled), RFC 9293, RFC 768.
// Hand-written and allocation-free on purpose: it runs once per packet on the hot path.

import { LINKTYPE } from './capture-types.js';

/** Outcome of decodePacket; anything but TCP/UDP leaves the transport fields unset. */
export const DECODE = {
  TCP: 0,
  UDP: 1,
  /** IP carrying something else (ICMP, ESP, ...), or a non-IP ethertype. */
  OTHER: 2,
  UNSUPPORTED_LINK: 3,
  BAD_IP: 4,
  FRAGMENT: 5,
  BAD_TCP: 6,
  BAD_UDP: 7,
} as const;
export type DecodeStatus = (typeof DECODE)[keyof typeof DECODE];

/** Decoded headers of one frame; offsets index the frame's data. Reused between frames. */
export class DecodedPacket {
  ipVersion = 0;
  /** Offset of the IP header in the frame. */
  ipStart = 0;
  /** IPv4 addresses as unsigned 32-bit numbers (valid when ipVersion is 4). */
  src4 = 0;
  dst4 = 0;
  /** Offsets of the 16-byte IPv6 addresses in the frame (valid when ipVersion is 6). */
  src6At = 0;
  dst6At = 0;
  protocol = 0;
  srcPort = 0;
  dstPort = 0;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10). */
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  payloadStart = 0;
  /** End of the captured payload (may be short of the wire length when the snaplen cut it). */
  payloadEnd = 0;
  /** Payload length on the wire according to the IP header (>= payloadEnd - payloadStart). */
  payloadWireLen = 0;
}

export const TCP_FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

const u16 = (d: Uint8Array, o: number): number => (d[o] << 8) | d[o + 1];
const u32 = (d: Uint8Array, o: number): number => ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
/** BSD address families for IPv6 differ per OS (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30). */
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);
/** At most this many IPv6 extension headers are walked (RFC 8200 4.1 expects few; bounds the loop). */
const MAX_IPV6_EXTENSIONS = 8;

/**
 * Decode the frame d[start, end) (by default all of d). Offsets written to `out` index d, so a
 * reader can pass its block buffer and the frame's bounds without making a view per packet.
 */
export function decodePacket(linkType: number, d: Uint8Array, out: DecodedPacket, start = 0, end = d.length): DecodeStatus {
  const ipAt = linkPayloadOffset(linkType, d, start, end);
  if (ipAt < 0) return ipAt === -1 ? DECODE.UNSUPPORTED_LINK : DECODE.OTHER;
  if (ipAt >= end) return DECODE.BAD_IP;
  out.ipStart = ipAt;
  const version = d[ipAt] >> 4;
  if (version === 4) return decodeIpv4(d, ipAt, end, out);
  if (version === 6) return decodeIpv6(d, ipAt, end, out);
  return DECODE.BAD_IP;
}

/** Offset of the IP header, -1 for a link type we do not decode, -2 for a non-IP frame. */
function linkPayloadOffset(linkType: number, d: Uint8Array, s: number, e: number): number {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return ethernetPayload(d, s, e);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return s;
    case LINKTYPE.LINUX_SLL:
      return e - s >= 16 && isIpEthertype(u16(d, s + 14)) ? s + 16 : -2;
    case LINKTYPE.LINUX_SLL2:
      return e - s >= 20 && isIpEthertype(u16(d, s)) ? s + 20 : -2;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      return loopbackPayload(linkType, d, s, e);
    default:
      return -1;
  }
}

function isIpEthertype(t: number): boolean {
  return t === ETHERTYPE_IPV4 || t === ETHERTYPE_IPV6;
}

function ethernetPayload(d: Uint8Array, s: number, e: number): number {
  if (e - s < 14) return -2;
  let at = s + 12;
  let type = u16(d, at);
  // 802.1Q / 802.1ad tags (possibly stacked, QinQ): 2 bytes TCI then the inner ethertype.
  for (let tags = 0; VLAN_TAGS.has(type) && tags < 4; tags++) {
    at += 4;
    if (at + 2 > e) return -2;
    type = u16(d, at);
  }
  return isIpEthertype(type) ? at + 2 : -2;
}

// NULL stores the family in the writer's host byte order, which the file does not tell us; the
// family is small, so whichever reading is below 256 is the right one. LOOP is always big-endian.
function loopbackPayload(linkType: number, d: Uint8Array, s: number, e: number): number {
  if (e - s < 4) return -2;
  const be = u32(d, s);
  const family = linkType === LINKTYPE.LOOP || be < 256 ? be : (d[s] | (d[s + 1] << 8) | (d[s + 2] << 16) | (d[s + 3] << 24)) >>> 0;
  return family === AF_INET || AF_INET6.has(family) ? s + 4 : -2;
}

function decodeIpv4(d: Uint8Array, at: number, frameEnd: number, out: DecodedPacket): DecodeStatus {
  if (frameEnd - at < 20) return DECODE.BAD_IP;
  const ihl = (d[at] & 0x0f) * 4;
  const total = u16(d, at + 2);
  if (ihl < 20 || total < ihl || at + ihl > frameEnd) return DECODE.BAD_IP;
  out.ipVersion = 4;
  out.src4 = u32(d, at + 12);
  out.dst4 = u32(d, at + 16);
  out.protocol = d[at + 9];
  // MF flag or a non-zero fragment offset: one piece of a datagram we do not reassemble.
  if ((u16(d, at + 6) & 0x3fff) !== 0) return DECODE.FRAGMENT;
  // Ethernet pads short frames: the IP total length, not the frame, says where the datagram ends.
  return decodeTransport(d, at + ihl, at + total, frameEnd, out);
}

function decodeIpv6(d: Uint8Array, at: number, frameEnd: number, out: DecodedPacket): DecodeStatus {
  if (frameEnd - at < 40) return DECODE.BAD_IP;
  out.ipVersion = 6;
  out.src6At = at + 8;
  out.dst6At = at + 24;
  const payloadLen = u16(d, at + 4);
  // Payload length 0 means a jumbogram (RFC 2675) or a cut header: use what was captured.
  const end = payloadLen === 0 ? frameEnd : at + 40 + payloadLen;
  let next = d[at + 6];
  let p = at + 40;
  for (let i = 0; i < MAX_IPV6_EXTENSIONS; i++) {
    if (next === 6 || next === 17) break;
    if (next !== 0 && next !== 43 && next !== 60 && next !== 44 && next !== 51) break;
    if (p + 8 > frameEnd || p + 8 > end) return DECODE.BAD_IP;
    if (next === 44) {
      const offsetAndMore = u16(d, p + 2);
      if ((offsetAndMore & 0xfff9) !== 0) {
        out.protocol = d[p];
        return DECODE.FRAGMENT;
      }
      // An atomic fragment (offset 0, no more fragments; RFC 6946) is the whole datagram.
      next = d[p];
      p += 8;
      continue;
    }
    const len = next === 51 ? (d[p + 1] + 2) * 4 : (d[p + 1] + 1) * 8;
    next = d[p];
    p += len;
  }
  out.protocol = next;
  return decodeTransport(d, p, end, frameEnd, out);
}

function decodeTransport(d: Uint8Array, at: number, ipEnd: number, frameEnd: number, out: DecodedPacket): DecodeStatus {
  const capEnd = Math.min(ipEnd, frameEnd);
  if (out.protocol === 6) {
    if (capEnd - at < 20) return DECODE.BAD_TCP;
    const doff = (d[at + 12] >> 4) * 4;
    if (doff < 20 || at + doff > capEnd) return DECODE.BAD_TCP;
    out.srcPort = u16(d, at);
    out.dstPort = u16(d, at + 2);
    out.seq = u32(d, at + 4);
    out.ack = u32(d, at + 8);
    out.tcpFlags = d[at + 13];
    out.payloadStart = at + doff;
    out.payloadEnd = capEnd;
    out.payloadWireLen = ipEnd - at - doff;
    return DECODE.TCP;
  }
  if (out.protocol === 17) {
    if (capEnd - at < 8) return DECODE.BAD_UDP;
    const ulen = u16(d, at + 4);
    if (ulen < 8 || at + ulen > ipEnd) return DECODE.BAD_UDP;
    out.srcPort = u16(d, at);
    out.dstPort = u16(d, at + 2);
    out.tcpFlags = 0;
    out.payloadStart = at + 8;
    out.payloadEnd = Math.min(at + ulen, capEnd);
    out.payloadWireLen = ulen - 8;
    return DECODE.UDP;
  }
  return DECODE.OTHER;
}

/** Textual form of an IPv4 address held as an unsigned 32-bit number. */
export function ipv4ToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** RFC 5952 text of the 16-byte IPv6 address at d[at]: lower case, longest zero run compressed. */
export function ipv6ToString(d: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(u16(d, at + i * 2));
  let bestAt = -1;
  let bestLen = 1; // a single zero group is not compressed (RFC 5952 4.2.2)
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}
