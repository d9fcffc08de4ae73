// Builders for pcap / pcapng files and Ethernet, SLL, SLL2, loopback, IPv4, IPv6 and TCP frames:
// what tests and benchmarks use to write captures that tcpdump and tshark read (test-only code, so
// it lives under test/, not src/).
// Same specs as the reader (draft-ietf-opsawg-pcap, -pcapng, RFC 791, RFC 8200, RFC 9293).

import { ByteWriter } from '../../src/core/byte-writer.js';
import { LINKTYPE } from '../../src/protocols/pcap/capture-types.js';

export interface PcapHeaderOptions {
  readonly linkType: number;
  readonly bigEndian?: boolean;
  readonly nanoseconds?: boolean;
  readonly snaplen?: number;
}

export function pcapFileHeader(o: PcapHeaderOptions): Uint8Array {
  const w = new ByteWriter(!o.bigEndian, 24);
  w.u32(o.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(o.snaplen ?? 262144).u32(o.linkType);
  return w.finish();
}

/** A pcap record; `frac` is micro- or nanoseconds as the file header says. */
export function pcapRecord(tsSec: number, frac: number, data: Uint8Array, o: { bigEndian?: boolean; origLen?: number } = {}): Uint8Array {
  const w = new ByteWriter(!o.bigEndian, 16 + data.length);
  w.u32(tsSec).u32(frac).u32(data.length).u32(o.origLen ?? data.length).bytes(data);
  return w.finish();
}

function pcapngBlock(type: number, body: Uint8Array, bigEndian: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const w = new ByteWriter(!bigEndian, 12 + padded);
  w.u32(type).u32(12 + padded).bytes(body).zeros(padded - body.length).u32(12 + padded);
  return w.finish();
}

export function pcapngSectionHeader(bigEndian = false): Uint8Array {
  const w = new ByteWriter(!bigEndian, 16);
  w.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff); // section length unknown (-1)
  return pcapngBlock(0x0a0d0d0a, w.finish(), bigEndian);
}

/** An interface description; tsresol is if_tsresol as sent (6 = microseconds, 9 = nanoseconds). */
export function pcapngInterface(linkType: number, o: { tsresol?: number; bigEndian?: boolean } = {}): Uint8Array {
  const w = new ByteWriter(!o.bigEndian, 32);
  w.u16(linkType).u16(0).u32(262144);
  if (o.tsresol !== undefined) w.u16(9).u16(1).u8(o.tsresol).zeros(3);
  w.u16(0).u16(0); // opt_endofopt
  return pcapngBlock(1, w.finish(), !!o.bigEndian);
}

/** An enhanced packet block; `units` counts the interface's timestamp units since the epoch. */
export function pcapngPacket(interfaceId: number, units: bigint, data: Uint8Array, o: { bigEndian?: boolean; origLen?: number } = {}): Uint8Array {
  const w = new ByteWriter(!o.bigEndian, 20 + data.length);
  w.u32(interfaceId).u32(Number(units >> 32n)).u32(Number(units & 0xffffffffn)).u32(data.length).u32(o.origLen ?? data.length).bytes(data);
  return pcapngBlock(6, w.finish(), !!o.bigEndian);
}

export function pcapngSimplePacket(data: Uint8Array, bigEndian = false): Uint8Array {
  const w = new ByteWriter(!bigEndian, 4 + data.length);
  w.u32(data.length).bytes(data);
  return pcapngBlock(3, w.finish(), bigEndian);
}

export interface TcpSegmentSpec {
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack?: number;
  /** TCP flags byte; defaults to ACK|PSH. */
  readonly flags?: number;
  readonly payload?: Uint8Array;
}

/** An IPv4 or IPv6 packet (chosen by the address form) carrying one TCP segment. */
export function ipTcp(s: TcpSegmentSpec): Uint8Array {
  const tcp = tcpHeader(s);
  return s.src.includes(':') ? ipv6(s.src, s.dst, 6, tcp) : ipv4(s.src, s.dst, 6, tcp);
}

export function tcpHeader(s: TcpSegmentSpec): Uint8Array {
  const payload = s.payload ?? new Uint8Array(0);
  const w = new ByteWriter(false, 20 + payload.length);
  w.u16(s.sport).u16(s.dport).u32(s.seq >>> 0).u32((s.ack ?? 0) >>> 0).u8(0x50).u8(s.flags ?? 0x18).u16(65535).u16(0).u16(0);
  return w.bytes(payload).finish();
}

export function udpDatagram(src: string, dst: string, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const w = new ByteWriter(false, 8 + payload.length);
  w.u16(sport).u16(dport).u16(8 + payload.length).u16(0).bytes(payload);
  return src.includes(':') ? ipv6(src, dst, 17, w.finish()) : ipv4(src, dst, 17, w.finish());
}

export function ipv4(src: string, dst: string, protocol: number, body: Uint8Array, o: { id?: number; fragment?: number } = {}): Uint8Array {
  const w = new ByteWriter(false, 20 + body.length);
  w.u8(0x45).u8(0).u16(20 + body.length).u16(o.id ?? 0).u16(o.fragment ?? 0x4000).u8(64).u8(protocol).u16(0);
  for (const part of src.split('.')) w.u8(Number(part));
  for (const part of dst.split('.')) w.u8(Number(part));
  const header = w.finish();
  const sum = ipChecksum(header);
  header[10] = sum >> 8;
  header[11] = sum & 0xff;
  return concat([header, body]);
}

/** IPv6 with optional extension headers given as [type, body] (bodies already sized to 8n-2 bytes). */
export function ipv6(src: string, dst: string, protocol: number, body: Uint8Array, extensions: readonly (readonly [number, Uint8Array])[] = []): Uint8Array {
  const ext = new ByteWriter(false);
  extensions.forEach(([, extBody], i) => {
    const next = i + 1 < extensions.length ? extensions[i + 1][0] : protocol;
    ext.u8(next).u8((extBody.length + 2) / 8 - 1).bytes(extBody);
  });
  const extBytes = ext.finish();
  const w = new ByteWriter(false, 40);
  w.u32(0x60000000).u16(extBytes.length + body.length).u8(extensions.length ? extensions[0][0] : protocol).u8(64);
  w.bytes(ipv6Bytes(src)).bytes(ipv6Bytes(dst));
  return concat([w.finish(), extBytes, body]);
}

export function ethernet(ip: Uint8Array, vlanIds: readonly number[] = []): Uint8Array {
  const w = new ByteWriter(false, 18 + ip.length);
  w.bytes(new Uint8Array([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6]));
  vlanIds.forEach((id, i) => w.u16(i === 0 && vlanIds.length > 1 ? 0x88a8 : 0x8100).u16(id));
  return w.u16(ip[0] >> 4 === 6 ? 0x86dd : 0x0800).bytes(ip).finish();
}

export function linuxSll(ip: Uint8Array): Uint8Array {
  const w = new ByteWriter(false, 16 + ip.length);
  w.u16(0).u16(1).u16(6).bytes(new Uint8Array([0, 1, 2, 3, 4, 5, 0, 0]));
  return w.u16(ip[0] >> 4 === 6 ? 0x86dd : 0x0800).bytes(ip).finish();
}

export function linuxSll2(ip: Uint8Array): Uint8Array {
  const w = new ByteWriter(false, 20 + ip.length);
  w.u16(ip[0] >> 4 === 6 ? 0x86dd : 0x0800).u16(0).u32(1).u16(1).u8(0).u8(6);
  return w.bytes(new Uint8Array([0, 1, 2, 3, 4, 5, 0, 0])).bytes(ip).finish();
}

/** BSD loopback: family 2 (IPv4) or 30 (macOS IPv6), in the writer's byte order for NULL, big-endian for LOOP. */
export function loopback(ip: Uint8Array, linkType: number, bigEndian = false): Uint8Array {
  const w = new ByteWriter(linkType === LINKTYPE.LOOP ? false : !bigEndian, 4 + ip.length);
  return w.u32(ip[0] >> 4 === 6 ? 30 : 2).bytes(ip).finish();
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function ipChecksum(h: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += (h[i] << 8) | h[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv6Bytes(text: string): Uint8Array {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}
