// Shapes shared by the capture reader, the packet decoder and the TCP reassembler. Packets are
// handed out as one reused object whose `data` is a view valid only during the callback (no copy).

import type { Anomaly } from '../../model/anomaly.js';

/** LINKTYPE_* values (tcpdump.org linktypes.html) that the packet decoder understands. */
export const LINKTYPE = {
  NULL: 0, // BSD loopback: 4-byte address family in the writer's byte order
  ETHERNET: 1,
  RAW_DLT12: 12, // DLT_RAW as most BSDs number it
  RAW_DLT14: 14, // DLT_RAW on OpenBSD
  RAW: 101,
  LOOP: 108, // OpenBSD loopback: address family in network byte order
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export type CaptureFormat = 'pcap' | 'pcapng';

/** One captured frame. The reader reuses this object: copy what must outlive the callback. */
export interface CapturedPacket {
  /** 1-based frame number in file order (what tshark calls frame.number). */
  index: number;
  /** Seconds since the epoch. */
  tsSec: number;
  /** Nanoseconds within the second (microsecond files are scaled up). */
  tsNsec: number;
  linkType: number;
  /** pcapng interface id; 0 for pcap. */
  interfaceId: number;
  /** Bytes captured (data.length). */
  capLen: number;
  /** Bytes the packet had on the wire. */
  origLen: number;
  /** Byte offset of the record in the file (for error messages and anomalies). */
  fileOffset: number;
  /** The reader's block buffer and where the frame starts in it: the hot path reads the frame in
   * place (buf[offset, offset + capLen)) without making a view per packet. Valid only during the callback. */
  buf: Uint8Array;
  offset: number;
  /** The captured bytes as a view (made on demand), valid only during the callback. */
  readonly data: Uint8Array;
}

/** The reused packet object of the readers: `data` is a view made only when asked for. */
export class PacketSlot implements CapturedPacket {
  index = 0;
  tsSec = 0;
  tsNsec = 0;
  linkType = 0;
  interfaceId = 0;
  capLen = 0;
  origLen = 0;
  fileOffset = 0;
  buf: Uint8Array = new Uint8Array(0);
  offset = 0;
  get data(): Uint8Array {
    return this.buf.subarray(this.offset, this.offset + this.capLen);
  }
}

export type PacketHandler = (packet: CapturedPacket) => void;
export type AnomalyHandler = (anomaly: Anomaly, packetIndex: number) => void;

/** Milliseconds since the epoch (fractional) of a packet, the time unit of Vigil's model. */
export function packetTimeMs(p: { tsSec: number; tsNsec: number }): number {
  return p.tsSec * 1000 + p.tsNsec / 1e6;
}
