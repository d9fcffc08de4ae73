// The client side of every DCE/RPC connection in a capture, as the TCP segments' payloads in order
// (through the project's own TCP reassembly): what a test replays live against a sensor.

import { resolveLimits } from '../../src/core/limits.js';
import { readCaptureFile } from '../../src/ingest/capture/capture-file.js';
import { packetTimeMs } from '../../src/protocols/pcap/capture-types.js';
import { CAPTURE_LIMITS } from '../../src/protocols/pcap/capture-limits.js';
import { looksLikeDcerpcCo } from '../../src/protocols/pcap/content-sniff.js';
import { DECODE, DecodedPacket, decodePacket } from '../../src/protocols/pcap/packet-decoder.js';
import { TcpTracker, type TcpAppConsumer, type TcpConnection } from '../../src/protocols/pcap/tcp-tracker.js';

/** Client payloads of up to `max` DCE/RPC connections that start with a PDU from the client (gaps
 * end a connection's stream there: what follows a hole cannot be sent as it was). */
export function clientStreams(path: string, max: number): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  const handler = {
    accept(conn: TcpConnection, dir: 0 | 1, b: Uint8Array, start: number, end: number): TcpAppConsumer | undefined {
      if (dir !== 0 || out.length >= max || !looksLikeDcerpcCo(b, start, end)) return undefined;
      void conn;
      const chunks: Uint8Array[] = [];
      let cut = false;
      out.push(chunks);
      return {
        data: (d, bytes, s, e) => {
          if (d === 0 && !cut) chunks.push(bytes.slice(s, e));
        },
        gap: (d) => {
          if (d === 0) cut = true;
        },
        anomaly: () => undefined,
        close: () => undefined,
      };
    },
  };
  const tracker = new TcpTracker(handler, resolveLimits(CAPTURE_LIMITS, {}, 'capture'));
  const decoded = new DecodedPacket();
  readCaptureFile(path, (pkt) => {
    if (decodePacket(pkt.linkType, pkt.buf, decoded, pkt.offset, pkt.offset + pkt.capLen) === DECODE.TCP) tracker.segment(pkt.buf, decoded, packetTimeMs(pkt));
  });
  tracker.finish();
  return out.filter((c) => c.length > 0);
}
