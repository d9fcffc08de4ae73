// One pcapng section's state and block decoding (draft-ietf-opsawg-pcapng sections 4.1-4.4):
// byte order from the SHB magic, interfaces from IDBs (link type, if_tsresol, if_tsoffset), packets
// from EPB / SPB / the obsolete PB. Other blocks (NRB, ISB, DSB, custom) are skipped silently.

import { captureAnomaly } from './capture-anomalies.js';
import type { AnomalyHandler, PacketSlot } from './capture-types.js';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_PB_OBSOLETE = 2;
const BT_SPB = 3;
const BT_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface PcapngInterface {
  readonly linkType: number;
  /** Timestamp units per second when the resolution is a power of ten up to 10^9, else 0. */
  readonly unitsPerSec: number;
  /** if_tsresol as sent (for the bigint path: powers of two and finer than nanoseconds). */
  readonly tsresol: number;
  readonly offsetSec: number;
}

type Fail = (message: string, at: number) => never;

export class PcapngSection {
  private littleEndian = true;
  private interfaces: PcapngInterface[] = [];

  constructor(
    private readonly pkt: PacketSlot,
    private readonly fail: Fail,
    private readonly onAnomaly: AnomalyHandler,
  ) {}

  /** Total length of the block at p (validated); for an SHB this also fixes the section's byte order. */
  blockLength(view: DataView, p: number, at: number, maxBytes: number): number {
    const type = view.getUint32(p, this.littleEndian);
    if (type === BT_SHB) {
      const magicLe = view.getUint32(p + 8, true);
      if (magicLe === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (view.getUint32(p + 8, false) === BYTE_ORDER_MAGIC) this.littleEndian = false;
      else this.fail(`pcapng section header with bad byte-order magic 0x${magicLe.toString(16)}`, at + 8);
    }
    const total = view.getUint32(p + 4, this.littleEndian);
    if (total < 12 || total % 4 !== 0) this.fail(`pcapng block length ${total} is not a multiple of 4 of at least 12`, at + 4);
    if (total > maxBytes) this.fail(`pcapng block claims ${total} bytes (limit max_record_bytes=${maxBytes})`, at + 4);
    return total;
  }

  /** Decode the whole block at p; returns true when it filled `pkt` with a packet. */
  block(buf: Uint8Array, view: DataView, p: number, total: number, at: number): boolean {
    const le = this.littleEndian;
    if (view.getUint32(p + total - 4, le) !== total) this.fail(`pcapng block trailing length differs from its leading length ${total}`, at + total - 4);
    switch (view.getUint32(p, le)) {
      case BT_SHB:
        this.interfaces = []; // interface ids are scoped to their section
        return false;
      case BT_IDB:
        this.readInterface(view, p, total, at);
        return false;
      case BT_EPB:
        return this.readPacket(buf, view, p, total, at, view.getUint32(p + 8, le), 28);
      case BT_PB_OBSOLETE:
        return this.readPacket(buf, view, p, total, at, view.getUint16(p + 8, le), 28);
      case BT_SPB:
        return this.readSimplePacket(buf, view, p, total, at);
      default:
        return false;
    }
  }

  private readInterface(view: DataView, p: number, total: number, at: number): void {
    if (total < 20) this.fail(`pcapng interface description block too short (${total})`, at);
    const le = this.littleEndian;
    let tsresol = 6;
    let offsetSec = 0;
    for (let o = p + 16; o + 4 <= p + total - 4; ) {
      const code = view.getUint16(o, le);
      const len = view.getUint16(o + 2, le);
      if (code === 0) break; // opt_endofopt
      if (o + 4 + len > p + total - 4) this.fail(`pcapng option ${code} overruns its block`, at + (o - p));
      if (code === OPT_IF_TSRESOL && len >= 1) tsresol = view.getUint8(o + 4);
      if (code === OPT_IF_TSOFFSET && len >= 8) offsetSec = Number(view.getBigInt64(o + 4, le));
      o += 4 + ((len + 3) & ~3);
    }
    const unitsPerSec = tsresol & 0x80 || tsresol > 9 ? 0 : 10 ** tsresol;
    this.interfaces.push({ linkType: view.getUint16(p + 8, le), unitsPerSec, tsresol, offsetSec });
  }

  private readPacket(buf: Uint8Array, view: DataView, p: number, total: number, at: number, ifId: number, dataAt: number): boolean {
    const le = this.littleEndian;
    if (total < dataAt + 4) this.fail(`pcapng packet block too short (${total})`, at);
    const iface = this.interfaces[ifId];
    if (iface === undefined) {
      this.onAnomaly(captureAnomaly('pcap', 'pcapng_unknown_interface', `interface id ${ifId} was not declared`, at), this.pkt.index);
      return false;
    }
    const capLen = view.getUint32(p + 20, le);
    if (dataAt + capLen + 4 > total) this.fail(`pcapng packet block captured length ${capLen} overruns its block of ${total}`, at + 20);
    const pkt = this.pkt;
    this.setTime(iface, view.getUint32(p + 12, le), view.getUint32(p + 16, le));
    pkt.linkType = iface.linkType;
    pkt.interfaceId = ifId;
    pkt.capLen = capLen;
    pkt.origLen = view.getUint32(p + 24, le);
    pkt.fileOffset = at;
    pkt.buf = buf;
    pkt.offset = p + dataAt;
    return true;
  }

  private readSimplePacket(buf: Uint8Array, view: DataView, p: number, total: number, at: number): boolean {
    if (total < 16) this.fail(`pcapng simple packet block too short (${total})`, at);
    const iface = this.interfaces[0];
    if (iface === undefined) {
      this.onAnomaly(captureAnomaly('pcap', 'pcapng_unknown_interface', 'simple packet block before any interface', at), this.pkt.index);
      return false;
    }
    const origLen = view.getUint32(p + 8, this.littleEndian);
    const capLen = Math.min(origLen, total - 16);
    const pkt = this.pkt;
    pkt.tsSec = 0; // an SPB carries no timestamp
    pkt.tsNsec = 0;
    pkt.linkType = iface.linkType;
    pkt.interfaceId = 0;
    pkt.capLen = capLen;
    pkt.origLen = origLen;
    pkt.fileOffset = at;
    pkt.buf = buf;
    pkt.offset = p + 12;
    return true;
  }

  // A 64-bit count of units split into seconds and nanoseconds without BigInt in the common case:
  // long division of (hi * 2^32 + lo) by units/second in 16-bit steps keeps every intermediate
  // below 2^53 as long as the divisor is below 2^30 (true up to 10^9).
  private setTime(iface: PcapngInterface, hi: number, lo: number): void {
    const pkt = this.pkt;
    const d = iface.unitsPerSec;
    if (d === 0) {
      this.setTimeBig(iface, hi, lo);
      return;
    }
    const qHi = Math.floor(hi / d);
    const x = (hi - qHi * d) * 65536 + (lo >>> 16);
    const q2 = Math.floor(x / d);
    const y = (x - q2 * d) * 65536 + (lo & 0xffff);
    const q3 = Math.floor(y / d);
    pkt.tsSec = qHi * 4294967296 + q2 * 65536 + q3 + iface.offsetSec;
    pkt.tsNsec = (y - q3 * d) * (1e9 / d);
  }

  private setTimeBig(iface: PcapngInterface, hi: number, lo: number): void {
    const units = (BigInt(hi) << 32n) | BigInt(lo);
    const r = iface.tsresol;
    const perSec = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
    this.pkt.tsSec = Number(units / perSec) + iface.offsetSec;
    this.pkt.tsNsec = Number(((units % perSec) * 1_000_000_000n) / perSec);
  }
}
