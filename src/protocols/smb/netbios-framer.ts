// NetBIOS session service framing (RFC 1002 4.3, MS-SMB2 2.1): a 4-byte header (type, then a 24-bit
// big-endian length; on 139 only 17 bits are defined, the rest are zero) before every SMB message on
// 139 and on direct-hosted 445. The framer yields whole messages, copying only across chunks, and
// after a hole resynchronises on the next `00 len FF|FE|FD|FC 'SMB'`.

import type { Anomaly } from '../../model/anomaly.js';
import { smbAnomaly } from './smb-anomalies.js';

export const NBSS = { MESSAGE: 0x00, SESSION_REQUEST: 0x81, POSITIVE_RESPONSE: 0x82, NEGATIVE_RESPONSE: 0x83, RETARGET: 0x84, KEEPALIVE: 0x85 } as const;
const KNOWN_TYPES = new Set<number>(Object.values(NBSS));
const HEADER = 4;

export interface NbssSink {
  /** One NetBIOS message: its type and its payload (a view valid during the call). */
  (type: number, payload: Uint8Array, streamOffset: number): void;
}

export class NbssFramer {
  private buf: Uint8Array = new Uint8Array(0);
  private offset = 0;
  /** Bytes of an over-long message still to skip. */
  private skipping = 0;
  /** After a hole, drop bytes until something that looks like an SMB message header. */
  private resync: boolean;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly onAnomaly: (a: Anomaly) => void,
    afterGap = false,
  ) {
    this.resync = afterGap;
  }

  get buffered(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array, sink: NbssSink): void {
    let b = chunk;
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, b.length);
      this.skipping -= n;
      this.offset += n;
      b = b.subarray(n);
    }
    if (this.buf.length > 0) {
      const joined = new Uint8Array(this.buf.length + b.length);
      joined.set(this.buf);
      joined.set(b, this.buf.length);
      b = joined;
    }
    let at = 0;
    while (b.length - at >= HEADER) {
      if (this.resync) {
        const found = findSmbStart(b, at);
        if (found < 0) {
          // keep the last bytes: a header may straddle the chunk boundary
          const keep = Math.max(at, b.length - 8);
          this.dropped(keep - at);
          at = keep;
          break;
        }
        if (found > at) this.dropped(found - at);
        at = found;
        this.resync = false;
      }
      const type = b[at];
      const len = (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
      if (!KNOWN_TYPES.has(type)) {
        this.onAnomaly(smbAnomaly('nbss_unknown_type', `type 0x${type.toString(16)}`, this.offset + at));
        this.resync = true;
        at++;
        continue;
      }
      if (len > this.maxMessageBytes) {
        this.onAnomaly(smbAnomaly('smb_message_too_long', `length ${len} > maxMessageBytes ${this.maxMessageBytes}`, this.offset + at));
        const avail = b.length - at - HEADER;
        if (avail >= len) {
          at += HEADER + len;
          continue;
        }
        this.skipping = len - avail;
        this.offset += b.length;
        this.buf = new Uint8Array(0);
        return;
      }
      if (b.length - at - HEADER < len) break;
      sink(type, b.subarray(at + HEADER, at + HEADER + len), this.offset + at);
      at += HEADER + len;
    }
    this.offset += at;
    this.buf = at === b.length ? new Uint8Array(0) : b.slice(at);
  }

  private dropped(n: number): void {
    if (n > 0) this.onAnomaly(smbAnomaly('smb_resync_garbage_skipped', `${n} byte(s)`, this.offset));
  }
}

/** Offset of the next `00 xx xx xx (FF|FE|FD|FC) S M B` at or after `from`, or -1. */
export function findSmbStart(b: Uint8Array, from: number): number {
  for (let i = from; i + 8 <= b.length; i++) {
    if (b[i] === 0 && b[i + 5] === 0x53 && b[i + 6] === 0x4d && b[i + 7] === 0x42 && b[i + 4] >= 0xfc) return i;
  }
  return -1;
}

/** The 4-byte header for a session message of `len` bytes (the 24-bit form both ports accept). */
export function nbssHeader(type: number, len: number): Uint8Array {
  return new Uint8Array([type, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
}

/** One session message, header and payload. */
export function encodeNbss(payload: Uint8Array, type: number = NBSS.MESSAGE): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  out.set(nbssHeader(type, payload.length));
  out.set(payload, HEADER);
  return out;
}

/** Whether these bytes open a NetBIOS session stream carrying SMB (a message with an SMB protocol
 * id, or a session request on 139). Used to take a TCP connection by content. */
export function looksLikeSmb(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 8) return false;
  if (b[start] === NBSS.SESSION_REQUEST) return end - start >= 72 || b[start + 1] === 0;
  return b[start] === 0 && b[start + 5] === 0x53 && b[start + 6] === 0x4d && b[start + 7] === 0x42 && b[start + 4] >= 0xfc;
}
