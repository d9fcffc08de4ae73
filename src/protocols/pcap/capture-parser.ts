// Push parser for pcap (draft-ietf-opsawg-pcap: both byte orders, micro- and nanosecond magic) and
// pcapng (draft-ietf-opsawg-pcapng: SHB, IDB with if_tsresol/if_tsoffset, EPB, SPB, obsolete PB).
// Hand-written: no maintained pure-JS reader handles both formats without copying every packet.
// The caller owns the bytes and the I/O: feed() parses whole records in place and returns how many
// bytes it consumed, so a partial record at the end of a block is carried over by the caller.

import { AppError } from '../../core/errors.js';
import { resolveLimits, type ResolvedLimits } from '../../core/limits.js';
import { captureAnomaly } from './capture-anomalies.js';
import { CAPTURE_LIMITS, type CaptureLimitName } from './capture-limits.js';
import { PacketSlot, type AnomalyHandler, type CaptureFormat, type PacketHandler } from './capture-types.js';
import { PcapngSection } from './pcapng-section.js';

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAP_FILE_HEADER = 24;
const PCAP_RECORD_HEADER = 16;

export interface CaptureParserOptions {
  /** Name used in error messages (the file path). */
  readonly source?: string;
  readonly limits?: Partial<Record<CaptureLimitName, number>>;
  readonly onAnomaly?: AnomalyHandler;
}

export class CaptureParser {
  format: CaptureFormat | undefined;
  /** Packets handed out so far. */
  packets = 0;
  /** Absolute file offset of the next unconsumed byte. */
  offset = 0;
  /** Bytes the next record needs in total (header included), so callers can size their buffer. */
  needed = PCAP_FILE_HEADER;
  readonly limits: ResolvedLimits<typeof CAPTURE_LIMITS>;
  private readonly source: string;
  private readonly onPacket: PacketHandler;
  private readonly onAnomaly: AnomalyHandler;
  private pcapLittleEndian = true;
  private pcapNanos = false;
  private pcapLinkType = 0;
  private readonly ng: PcapngSection;
  /** Reused for every packet (see CapturedPacket). */
  private readonly pkt = new PacketSlot();

  constructor(onPacket: PacketHandler, options: CaptureParserOptions = {}) {
    this.onPacket = onPacket;
    this.source = options.source ?? 'capture';
    this.onAnomaly = options.onAnomaly ?? (() => {});
    this.limits = resolveLimits(CAPTURE_LIMITS, options.limits, 'capture');
    this.ng = new PcapngSection(this.pkt, (msg, at) => this.fail(msg, at), this.onAnomaly);
  }

  /** Parse every whole record in buf[start, end); returns the number of bytes consumed. */
  feed(buf: Uint8Array, start: number, end: number): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.base = start;
    let p = start;
    if (this.format === undefined) {
      if (end - start < PCAP_FILE_HEADER) return 0;
      p += this.readFileHeader(view, p);
    }
    p = this.format === 'pcap' ? this.feedPcap(buf, view, p, end) : this.feedPcapng(buf, view, p, end);
    this.offset += p - start;
    return p - start;
  }

  /** End of input with `leftover` unconsumed bytes: a cut-off last record is an anomaly, not an error. */
  finish(leftover: number): void {
    if (this.format === undefined) {
      this.fail(`file too short for a pcap or pcapng header (${leftover} bytes)`, 0);
    }
    if (leftover > 0) {
      const a = captureAnomaly('pcap', 'truncated_record', `last record cut short: ${leftover} of ${this.needed} bytes present`, this.offset);
      this.onAnomaly(a, this.packets);
    }
  }

  private fail(message: string, at: number): never {
    throw new AppError('VIGIL_ERR_BAD_FILE', `${this.source}: ${message} at byte offset ${at}`, { path: this.source, offset: at });
  }

  private readFileHeader(view: DataView, p: number): number {
    const be = view.getUint32(p, false);
    const le = view.getUint32(p, true);
    if (be === PCAPNG_SHB) {
      this.format = 'pcapng';
      return 0; // the SHB is parsed as an ordinary block
    }
    if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) this.pcapLittleEndian = false;
    else if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) this.pcapLittleEndian = true;
    else this.fail(`not a pcap or pcapng file (magic 0x${be.toString(16).padStart(8, '0')})`, this.offset);
    this.format = 'pcap';
    this.pcapNanos = (this.pcapLittleEndian ? le : be) === PCAP_MAGIC_NS;
    const major = view.getUint16(p + 4, this.pcapLittleEndian);
    if (major !== 2) this.fail(`unsupported pcap version ${major}`, this.offset + 4);
    // Upper bits of the link-type field carry FCS information (draft-ietf-opsawg-pcap 4).
    this.pcapLinkType = view.getUint32(p + 20, this.pcapLittleEndian) & 0xffff;
    return PCAP_FILE_HEADER;
  }

  private feedPcap(buf: Uint8Array, view: DataView, p: number, end: number): number {
    const le = this.pcapLittleEndian;
    const maxRecord = this.limits.max_record_bytes;
    const pkt = this.pkt;
    const nsScale = this.pcapNanos ? 1 : 1000;
    while (end - p >= PCAP_RECORD_HEADER) {
      const capLen = view.getUint32(p + 8, le);
      if (capLen > maxRecord) {
        this.fail(`pcap record claims ${capLen} captured bytes (limit max_record_bytes=${maxRecord})`, this.at(p));
      }
      const total = PCAP_RECORD_HEADER + capLen;
      if (end - p < total) {
        this.needed = total;
        return p;
      }
      pkt.index = ++this.packets;
      pkt.tsSec = view.getUint32(p, le);
      pkt.tsNsec = view.getUint32(p + 4, le) * nsScale;
      pkt.linkType = this.pcapLinkType;
      pkt.interfaceId = 0;
      pkt.capLen = capLen;
      pkt.origLen = view.getUint32(p + 12, le);
      pkt.fileOffset = this.at(p);
      pkt.buf = buf;
      pkt.offset = p + PCAP_RECORD_HEADER;
      this.onPacket(pkt);
      p += total;
    }
    this.needed = PCAP_RECORD_HEADER;
    return p;
  }

  private feedPcapng(buf: Uint8Array, view: DataView, p: number, end: number): number {
    const ng = this.ng;
    while (end - p >= 12) {
      const at = this.at(p);
      const total = ng.blockLength(view, p, at, this.limits.max_record_bytes);
      if (end - p < total) {
        this.needed = total;
        return p;
      }
      if (ng.block(buf, view, p, total, at)) {
        this.pkt.index = ++this.packets;
        this.onPacket(this.pkt);
      }
      p += total;
    }
    this.needed = 12;
    return p;
  }

  // feed() adds what it consumed to `offset` only when it returns, so inside a feed the absolute
  // file position of buffer index p is offset + (p - base), base being that feed's start.
  private base = 0;
  private at(p: number): number {
    return this.offset + (p - this.base);
  }
}
