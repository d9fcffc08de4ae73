// Test helper: write client/server TCP payloads as a classic pcap (Ethernet, IPv4, TCP with a
// handshake) so that tshark can dissect what our encoders produce. Loopback-only addresses.

import { ByteWriter } from '../../../../src/core/byte-writer.js';

export interface Segment {
  readonly fromClient: boolean;
  readonly payload: Uint8Array;
}

const CLIENT = [127, 0, 0, 1];
const SERVER = [127, 0, 0, 2];
const TCP = { SYN: 0x02, ACK: 0x10, PSH: 0x08 };

function ipChecksum(h: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += (h[i] << 8) | h[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function frame(fromClient: boolean, seq: number, ack: number, flags: number, payload: Uint8Array, ports: [number, number]): Uint8Array {
  const [src, dst] = fromClient ? [CLIENT, SERVER] : [SERVER, CLIENT];
  const [sport, dport] = fromClient ? ports : [ports[1], ports[0]];
  const ip = new ByteWriter(false, 20);
  ip.u8(0x45).u8(0).u16(40 + payload.length).u16(0).u16(0x4000).u8(64).u8(6).u16(0);
  for (const b of [...src, ...dst]) ip.u8(b);
  const iph = ip.finish();
  const c = ipChecksum(iph);
  iph[10] = c >> 8;
  iph[11] = c & 0xff;
  const w = new ByteWriter(false, 54 + payload.length);
  w.bytes(new Uint8Array([0, 0, 0, 0, 0, fromClient ? 2 : 1, 0, 0, 0, 0, 0, fromClient ? 1 : 2])).u16(0x0800);
  w.bytes(iph);
  w.u16(sport).u16(dport).u32(seq).u32(ack).u8(0x50).u8(flags).u16(65535).u16(0).u16(0);
  return w.bytes(payload).finish();
}

/** A pcap with one TCP connection carrying `segments` after a three-way handshake. */
export function tcpPcap(segments: readonly Segment[], serverPort = 135, clientPort = 49200): Uint8Array {
  const ports: [number, number] = [clientPort, serverPort];
  let cseq = 1000;
  let sseq = 5000;
  const frames: Uint8Array[] = [
    frame(true, cseq++, 0, TCP.SYN, new Uint8Array(), ports),
    frame(false, sseq++, cseq, TCP.SYN | TCP.ACK, new Uint8Array(), ports),
    frame(true, cseq, sseq, TCP.ACK, new Uint8Array(), ports),
  ];
  for (const s of segments) {
    frames.push(frame(s.fromClient, s.fromClient ? cseq : sseq, s.fromClient ? sseq : cseq, TCP.PSH | TCP.ACK, s.payload, ports));
    if (s.fromClient) cseq += s.payload.length;
    else sseq += s.payload.length;
  }
  const w = new ByteWriter(true, 24);
  w.u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(262144).u32(1);
  frames.forEach((f, i) => w.u32(1_700_000_000).u32(i * 1000).u32(f.length).u32(f.length).bytes(f));
  return w.finish();
}
