// Test helper: a tiny classic-pcap writer (libpcap format, LINKTYPE_ETHERNET) that wraps byte
// payloads in Ethernet/IPv4/TCP segments of one loopback connection, handshake included, so that a
// real dissector (tshark) can judge what our encoder produced. Test-only: no options, no IPv6.

export interface TcpPayload {
  readonly fromClient: boolean;
  readonly bytes: Uint8Array;
}

function checksum(b: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function segment(src: number[], dst: number[], sport: number, dport: number, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  const ipLen = 20 + 20 + payload.length;
  const f = new Uint8Array(14 + ipLen);
  const v = new DataView(f.buffer);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0); // dst MAC, src MAC (locally administered)
  v.setUint16(12, 0x0800);
  const ip = 14;
  f[ip] = 0x45;
  v.setUint16(ip + 2, ipLen);
  v.setUint16(ip + 6, 0x4000); // DF
  f[ip + 8] = 64;
  f[ip + 9] = 6;
  f.set(src, ip + 12);
  f.set(dst, ip + 16);
  v.setUint16(ip + 10, checksum(f, ip, ip + 20));
  const tcp = ip + 20;
  v.setUint16(tcp, sport);
  v.setUint16(tcp + 2, dport);
  v.setUint32(tcp + 4, seq >>> 0);
  v.setUint32(tcp + 8, ack >>> 0);
  f[tcp + 12] = 5 << 4;
  f[tcp + 13] = flags;
  v.setUint16(tcp + 14, 65535);
  f.set(payload, tcp + 20);
  const pseudo = src[0] * 256 + src[1] + src[2] * 256 + src[3] + dst[0] * 256 + dst[1] + dst[2] * 256 + dst[3] + 6 + 20 + payload.length;
  v.setUint16(tcp + 16, checksum(f, tcp, f.length, pseudo));
  return f;
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x18;
const FIN = 0x11;

/** One TCP connection 127.0.0.1:sport -> 127.0.0.1:dport carrying the payloads, as pcap records. */
export function tcpSession(sport: number, dport: number, payloads: readonly TcpPayload[], startSec = 1_700_000_000): Uint8Array[] {
  const lo = [127, 0, 0, 1];
  let cseq = 1000;
  let sseq = 5000;
  let t = 0;
  const recs: Uint8Array[] = [];
  const rec = (frame: Uint8Array): void => {
    const h = new DataView(new ArrayBuffer(16));
    h.setUint32(0, startSec + Math.floor(t / 1000), true);
    h.setUint32(4, (t % 1000) * 1000, true);
    h.setUint32(8, frame.length, true);
    h.setUint32(12, frame.length, true);
    recs.push(new Uint8Array(h.buffer), frame);
    t += 1;
  };
  rec(segment(lo, lo, sport, dport, cseq, 0, SYN, new Uint8Array(0)));
  rec(segment(lo, lo, dport, sport, sseq, cseq + 1, SYN | ACK, new Uint8Array(0)));
  cseq++;
  sseq++;
  rec(segment(lo, lo, sport, dport, cseq, sseq, ACK, new Uint8Array(0)));
  for (const p of payloads) {
    if (p.fromClient) {
      rec(segment(lo, lo, sport, dport, cseq, sseq, PSH, p.bytes));
      cseq += p.bytes.length;
    } else {
      rec(segment(lo, lo, dport, sport, sseq, cseq, PSH, p.bytes));
      sseq += p.bytes.length;
    }
  }
  rec(segment(lo, lo, sport, dport, cseq, sseq, FIN, new Uint8Array(0)));
  rec(segment(lo, lo, dport, sport, sseq, cseq + 1, FIN, new Uint8Array(0)));
  rec(segment(lo, lo, sport, dport, cseq + 1, sseq + 1, ACK, new Uint8Array(0)));
  return recs;
}

/** A whole pcap file from records made by tcpSession. */
export function pcapFile(records: readonly Uint8Array[]): Uint8Array {
  const g = new DataView(new ArrayBuffer(24));
  g.setUint32(0, 0xa1b2c3d4, true);
  g.setUint16(4, 2, true);
  g.setUint16(6, 4, true);
  g.setUint32(16, 65535, true);
  g.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  const parts = [new Uint8Array(g.buffer), ...records];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
