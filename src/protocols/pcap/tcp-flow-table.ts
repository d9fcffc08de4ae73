// The TCP connection table: both directions of a 4-tuple find the same entry. IPv4 entries sit in
// chains under a symmetric 30-bit hash (a small integer: the per-packet lookup allocates nothing);
// IPv6 entries are keyed by text, built only for IPv6 packets.

import { type DecodedPacket, ipv6ToString } from './packet-decoder.js';

export interface FlowEntry {
  clientIp4: number;
  serverIp4: number;
  clientPort: number;
  serverPort: number;
  /** IPv6 only: "address.port" of each end, and the table key (both ends, sorted). */
  clientV6: string;
  serverV6: string;
  v6Key: string;
  /** IPv4 only: the bucket and the next entry in it. */
  bucketHash: number;
  bucketNext: FlowEntry | undefined;
}

/** Each end (address, port) mixed on its own (murmur3's finaliser), then added: the sum is the same
 * for both directions, and unlike src ^ dst it does not cancel when both addresses share the bits
 * that differ between connections (e.g. many hosts renumbered by the same offset, which put whole
 * captures' connections in one chain); masked to a V8 small integer. */
const mixEnd = (addr: number, port: number): number => {
  let h = addr ^ Math.imul(port, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
};
const hash4 = (p: DecodedPacket): number => (mixEnd(p.src4, p.srcPort) + mixEnd(p.dst4, p.dstPort)) & 0x3fffffff;

const v6Endpoint = (d: Uint8Array, at: number, port: number): string => `${ipv6ToString(d, at)}.${port}`;

export class FlowTable<T extends FlowEntry> {
  private readonly v4 = new Map<number, T>();
  private readonly v6 = new Map<string, T>();

  find(d: Uint8Array, p: DecodedPacket): T | undefined {
    if (p.ipVersion !== 4) return this.v6.get(v6Key(d, p));
    for (let e = this.v4.get(hash4(p)); e !== undefined; e = e.bucketNext as T | undefined) {
      if (sameIpv4Connection(e, p)) return e;
    }
    return undefined;
  }

  /** Register `e` for the connection of packet p; `srcIsClient` says which end p came from. */
  add(d: Uint8Array, p: DecodedPacket, e: T, srcIsClient: boolean): void {
    if (p.ipVersion === 4) {
      e.clientIp4 = srcIsClient ? p.src4 : p.dst4;
      e.serverIp4 = srcIsClient ? p.dst4 : p.src4;
      e.bucketHash = hash4(p);
      e.bucketNext = this.v4.get(e.bucketHash);
      this.v4.set(e.bucketHash, e);
      return;
    }
    const src = v6Endpoint(d, p.src6At, p.srcPort);
    const dst = v6Endpoint(d, p.dst6At, p.dstPort);
    e.clientV6 = srcIsClient ? src : dst;
    e.serverV6 = srcIsClient ? dst : src;
    e.v6Key = v6Key(d, p);
    this.v6.set(e.v6Key, e);
  }

  remove(e: T): void {
    if (e.v6Key !== '') {
      this.v6.delete(e.v6Key);
      return;
    }
    let prev: FlowEntry | undefined;
    for (let cur: FlowEntry | undefined = this.v4.get(e.bucketHash); cur !== undefined; prev = cur, cur = cur.bucketNext) {
      if (cur !== e) continue;
      if (prev !== undefined) prev.bucketNext = cur.bucketNext;
      else if (cur.bucketNext !== undefined) this.v4.set(e.bucketHash, cur.bucketNext as T);
      else this.v4.delete(e.bucketHash);
      return;
    }
  }
}

/** Whether packet p travels from the entry's client. */
export function fromClient(e: FlowEntry, d: Uint8Array, p: DecodedPacket): boolean {
  if (p.ipVersion === 4) return p.src4 === e.clientIp4 && p.srcPort === e.clientPort;
  return v6Endpoint(d, p.src6At, p.srcPort) === e.clientV6;
}

function sameIpv4Connection(e: FlowEntry, p: DecodedPacket): boolean {
  if (p.src4 === e.clientIp4 && p.srcPort === e.clientPort) return p.dst4 === e.serverIp4 && p.dstPort === e.serverPort;
  return p.src4 === e.serverIp4 && p.srcPort === e.serverPort && p.dst4 === e.clientIp4 && p.dstPort === e.clientPort;
}

function v6Key(d: Uint8Array, p: DecodedPacket): string {
  const a = v6Endpoint(d, p.src6At, p.srcPort);
  const b = v6Endpoint(d, p.dst6At, p.dstPort);
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
