// Builds the large capture of the pcap throughput benchmark: the TCP DCE/RPC connections of the shared
// corpus, repeated until the file is big enough, every copy on its own IPv4 addresses (ports kept,
// checksums fixed per RFC 1624) so that no tool can take a copy for a retransmission of another.

import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeCapture } from '../src/ingest/capture/pcap-driver.js';
import { readCaptureFile } from '../src/ingest/capture/capture-file.js';
import { packetTimeMs } from '../src/protocols/pcap/capture-types.js';
import { pcapFileHeader } from '../test/helpers/capture-writer.js';
import { DECODE, DecodedPacket, decodePacket } from '../src/protocols/pcap/packet-decoder.js';

interface TemplatePacket {
  /** Time from the start of the round, ms. */
  readonly atMs: number;
  readonly ip: Uint8Array;
  readonly origLen: number;
  readonly srcHost: number;
  readonly dstHost: number;
}

export interface CaptureTemplate {
  readonly packets: readonly TemplatePacket[];
  readonly hosts: number;
  /** Server ports of the DCE/RPC connections (tshark needs `-d tcp.port==N,dcerpc` for the dynamic ones). */
  readonly serverPorts: readonly number[];
  readonly roundMs: number;
  readonly sources: readonly string[];
}

export interface BuiltCapture {
  readonly path: string;
  readonly bytes: number;
  readonly copies: number;
  readonly packets: number;
}

const ETHERNET_HEADER = new Uint8Array([0, 0x1b, 0x21, 0, 0, 1, 0, 0x1b, 0x21, 0, 0, 2, 0x08, 0x00]);

/** The TCP connections of every capture in `corpusDir` that carry DCE/RPC directly (`carrier`
 * 'tcp', the pcap bench's mix) or in SMB named pipes ('smb'), as packets ready to repeat. */
export function captureTemplate(corpusDir: string, carrier: 'tcp' | 'smb' = 'tcp'): CaptureTemplate {
  const files = readdirSync(corpusDir).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  const packets: TemplatePacket[] = [];
  // Hosts are per source file: several corpus files reuse the same addresses and ports.
  const hostIds = new Map<string, number>();
  const host = (file: number, a: number): number => {
    const k = `${file}/${a}`;
    return hostIds.get(k) ?? (hostIds.set(k, hostIds.size), hostIds.size - 1);
  };
  const serverPorts = new Set<number>();
  const sources: string[] = [];
  let roundMs = 0;
  for (const [fileIndex, f] of files.entries()) {
    const path = join(corpusDir, f);
    const flows = new Set<string>();
    analyzeCapture(path, {
      onPdu: (e) => {
        if ((e.transport === 'ncacn_np') !== (carrier === 'smb')) return;
        flows.add(`${e.flow.src}:${e.flow.sport}|${e.flow.dst}:${e.flow.dport}`);
        serverPorts.add(e.flow.dport);
      },
    });
    if (flows.size === 0) continue;
    sources.push(f);
    const p = new DecodedPacket();
    let first: number | undefined;
    let last = 0;
    readCaptureFile(path, (pkt) => {
      if (decodePacket(pkt.linkType, pkt.data, p) !== DECODE.TCP || p.ipVersion !== 4) return;
      const a = `${ipText(p.src4)}:${p.srcPort}`;
      const b = `${ipText(p.dst4)}:${p.dstPort}`;
      if (!flows.has(`${a}|${b}`) && !flows.has(`${b}|${a}`)) return;
      const t = packetTimeMs(pkt);
      first ??= t;
      last = t;
      packets.push({ atMs: roundMs + (t - first), ip: pkt.data.slice(p.ipStart), origLen: pkt.origLen - p.ipStart, srcHost: host(fileIndex, p.src4), dstHost: host(fileIndex, p.dst4) });
    });
    roundMs += last - (first ?? 0) + 1000;
  }
  return { packets, hosts: hostIds.size, serverPorts: [...serverPorts].sort((x, y) => x - y), roundMs, sources };
}

/** Write copies of the template to `path` until it holds at least `minBytes`. */
export function buildCapture(path: string, template: CaptureTemplate, minBytes: number, startSec = 1_700_000_000): BuiltCapture {
  return writeCopies(path, template, (copies, bytes) => copies > 0 && bytes >= minBytes, startSec);
}

/** Write exactly `copies` copies of the template (the pcap bench's larger file: a multiple of the
 * copies of the first, so both files hold the same traffic mix). */
export function buildCaptureCopies(path: string, template: CaptureTemplate, copies: number, startSec = 1_700_000_000): BuiltCapture {
  return writeCopies(path, template, (done) => done >= Math.max(1, copies), startSec);
}

function writeCopies(path: string, template: CaptureTemplate, enough: (copies: number, bytes: number) => boolean, startSec: number): BuiltCapture {
  const fd = openSync(path, 'w');
  const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
  let used = 0;
  let bytes = 0;
  let copies = 0;
  let packets = 0;
  const put = (b: Uint8Array): void => {
    if (used + b.length > chunk.length) flush();
    chunk.set(b, used);
    used += b.length;
    bytes += b.length;
  };
  const flush = (): void => {
    writeSync(fd, chunk, 0, used);
    used = 0;
  };
  try {
    put(pcapFileHeader({ linkType: 1 }));
    while (!enough(copies, bytes)) {
      for (const t of template.packets) {
        const ip = t.ip.slice();
        readdress(ip, copyAddress(copies, template.hosts, t.srcHost), copyAddress(copies, template.hosts, t.dstHost));
        const ms = copies * template.roundMs + t.atMs;
        const header = Buffer.allocUnsafe(16);
        header.writeUInt32LE(startSec + Math.floor(ms / 1000), 0);
        header.writeUInt32LE(Math.floor((ms % 1000) * 1000), 4);
        header.writeUInt32LE(ETHERNET_HEADER.length + ip.length, 8);
        header.writeUInt32LE(ETHERNET_HEADER.length + t.origLen, 12);
        put(header);
        put(ETHERNET_HEADER);
        put(ip);
        packets++;
      }
      copies++;
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { path, bytes, copies, packets };
}

/** Copy k, host h -> an address of 10.0.0.0/8 no other (copy, host) pair gets. */
function copyAddress(copy: number, hosts: number, h: number): number {
  return (0x0a000001 + copy * hosts + h) >>> 0;
}

// New addresses in place; the IPv4 header checksum is recomputed and the TCP checksum (whose
// pseudo-header covers the addresses) adjusted incrementally: C' = ~(~C + ~m + m') (RFC 1624).
function readdress(ip: Uint8Array, src: number, dst: number): void {
  const v = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
  const ihl = (ip[0] & 0x0f) * 4;
  const oldWords = [v.getUint16(12), v.getUint16(14), v.getUint16(16), v.getUint16(18)];
  v.setUint32(12, src);
  v.setUint32(16, dst);
  const newWords = [v.getUint16(12), v.getUint16(14), v.getUint16(16), v.getUint16(18)];
  v.setUint16(10, 0);
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += v.getUint16(i);
  v.setUint16(10, ~fold(sum) & 0xffff);
  if (ip.length >= ihl + 18) {
    let c = ~v.getUint16(ihl + 16) & 0xffff;
    for (let i = 0; i < 4; i++) c += (~oldWords[i] & 0xffff) + newWords[i];
    v.setUint16(ihl + 16, ~fold(c) & 0xffff);
  }
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function ipText(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}
