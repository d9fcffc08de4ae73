// TCP reassembly tests: in order, out of order, retransmitted overlap, inconsistent overlap, gaps
// (acknowledged holes, holes at close, snaplen cuts), named limits, sequence wrap-around, a stream
// split at every offset, and the connection table (client side, accept/decline, close, eviction).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Anomaly } from '../../../src/model/anomaly.js';
import { ipTcp } from '../../helpers/capture-writer.js';
import { DECODE, DecodedPacket, decodePacket } from '../../../src/protocols/pcap/packet-decoder.js';
import { TcpStream } from '../../../src/protocols/pcap/tcp-stream.js';
import { type CloseReason, type DirIndex, type TcpAppConsumer, type TcpConnection, TcpTracker } from '../../../src/protocols/pcap/tcp-tracker.js';

const LIMITS = { max_out_of_order_bytes: 1 << 20, max_out_of_order_segments: 256 };
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A stream whose consumer records data as text and gaps as `<gap n>`. */
function recorder(limits = LIMITS): { stream: TcpStream; out: () => string; anomalies: Anomaly[] } {
  let text = '';
  const anomalies: Anomaly[] = [];
  const stream = new TcpStream(
    {
      data: (b, s, e) => (text += Buffer.from(b.subarray(s, e)).toString('latin1')),
      gap: (n) => (text += `<gap ${n}>`),
      anomaly: (a) => anomalies.push(a),
    },
    limits,
  );
  return { stream, out: () => text, anomalies };
}

const seg = (stream: TcpStream, seq: number, s: string, wireLen = s.length): void => stream.segment(seq >>> 0, bytes(s), 0, s.length, wireLen);

describe('TcpStream', () => {
  it('delivers in-order data and starts mid-stream at the first data seen', () => {
    const r = recorder();
    seg(r.stream, 1000, 'abc');
    seg(r.stream, 1003, 'def');
    assert.equal(r.out(), 'abcdef');
    assert.deepEqual(r.anomalies, []);
  });

  it('reorders out-of-order segments', () => {
    const r = recorder();
    r.stream.syn(99);
    seg(r.stream, 106, 'ghi');
    seg(r.stream, 103, 'def');
    assert.equal(r.out(), '');
    seg(r.stream, 100, 'abc');
    assert.equal(r.out(), 'abcdefghi');
    assert.equal(r.stream.pendingBytes, 0);
  });

  it('drops retransmissions and keeps only the new tail of an overlapping segment', () => {
    const r = recorder();
    seg(r.stream, 0, 'abcd');
    seg(r.stream, 0, 'abcd');
    seg(r.stream, 2, 'cdefg');
    assert.equal(r.out(), 'abcdefg');
  });

  it('keeps the first copy and flags a held overlap whose bytes disagree', () => {
    const r = recorder();
    seg(r.stream, 0, 'a');
    seg(r.stream, 3, 'XYZ');
    seg(r.stream, 2, 'cdef');
    seg(r.stream, 1, 'b');
    assert.equal(r.out(), 'abcXYZ');
    assert.deepEqual(r.anomalies.map((a) => a.name), ['tcp_overlap_inconsistent']);
  });

  it('declares a gap when the peer acknowledges data the capture never saw', () => {
    const r = recorder();
    seg(r.stream, 0, 'abc');
    seg(r.stream, 10, 'klm');
    r.stream.acked(5); // acknowledges part of the hole
    assert.equal(r.out(), 'abc<gap 2>');
    r.stream.acked(13);
    assert.equal(r.out(), 'abc<gap 2><gap 5>klm');
    assert.deepEqual(r.anomalies.map((a) => [a.name, a.offset]), [['tcp_content_gap', 3], ['tcp_content_gap', 5]]);
  });

  it('delivers held data after its hole when the connection ends', () => {
    const r = recorder();
    seg(r.stream, 0, 'ab');
    seg(r.stream, 4, 'ef');
    r.stream.flush();
    assert.equal(r.out(), 'ab<gap 2>ef');
    assert.equal(r.stream.gapBytes, 2);
  });

  it('turns the bytes a snaplen cut into a gap', () => {
    const r = recorder();
    seg(r.stream, 0, 'abc', 6);
    seg(r.stream, 6, 'ghi');
    assert.equal(r.out(), 'abc<gap 3>ghi');
  });

  it('bounds out-of-order bytes (max_out_of_order_bytes)', () => {
    const r = recorder({ max_out_of_order_bytes: 4, max_out_of_order_segments: 100 });
    seg(r.stream, 0, 'a');
    seg(r.stream, 5, 'fgh');
    seg(r.stream, 9, 'jk'); // 5 bytes held: over the limit, the first hole becomes a gap
    assert.equal(r.out(), 'a<gap 4>fgh');
    assert.deepEqual(r.anomalies.map((a) => a.name), ['tcp_reassembly_limit', 'tcp_content_gap']);
    assert.equal(r.stream.pendingBytes, 2);
    r.stream.flush();
    assert.equal(r.out(), 'a<gap 4>fgh<gap 1>jk');
  });

  it('bounds out-of-order segments (max_out_of_order_segments)', () => {
    const r = recorder({ max_out_of_order_bytes: 1000, max_out_of_order_segments: 2 });
    seg(r.stream, 0, 'a');
    seg(r.stream, 3, 'd');
    seg(r.stream, 5, 'f');
    assert.equal(r.out(), 'a');
    seg(r.stream, 7, 'h');
    assert.equal(r.out(), 'a<gap 2>d');
    assert.deepEqual(r.anomalies.map((a) => a.name), ['tcp_reassembly_limit', 'tcp_content_gap']);
  });

  it('follows the sequence space across 2^32', () => {
    const r = recorder();
    seg(r.stream, 0xfffffffe, 'ab');
    seg(r.stream, 2, 'ef');
    seg(r.stream, 0, 'cd');
    assert.equal(r.out(), 'abcdef');
  });

  it('gives the same stream for a message split at every offset, in both arrival orders', () => {
    const message = 'the quick brown fox jumps over the lazy dog';
    for (let cut = 1; cut < message.length; cut++) {
      for (const swap of [false, true]) {
        const r = recorder();
        r.stream.syn(41);
        const parts: [number, string][] = [[42, message.slice(0, cut)], [42 + cut, message.slice(cut)]];
        if (swap) parts.reverse();
        for (const [seq, s] of parts) seg(r.stream, seq, s);
        assert.equal(r.out(), message, `cut ${cut} swap ${swap}`);
      }
    }
  });
});

interface Event {
  conn: number;
  what: string;
}

/** A tracker whose handler takes connections whose first byte is 0x05 and records what it gets. */
function tracked(maxFlows = 100, idleS = 0): { feed: (spec: Parameters<typeof ipTcp>[0], tsMs?: number) => void; events: Event[]; conns: TcpConnection[]; tracker: TcpTracker; anomalies: Anomaly[] } {
  const events: Event[] = [];
  const conns: TcpConnection[] = [];
  const anomalies: Anomaly[] = [];
  const tracker = new TcpTracker(
    {
      accept(conn, dir, b, s) {
        conns.push(conn);
        if (b[s] !== 5) return undefined;
        // Content says the first sender was the server: fix the roles (as the DCE/RPC driver does).
        if (b[s + 1] === 0xff && dir === 0) conn.swapRoles();
        const consumer: TcpAppConsumer = {
          data: (d: DirIndex, buf, from, to) => events.push({ conn: conn.id, what: `${d}:${Buffer.from(buf.subarray(from, to)).toString('hex')}` }),
          gap: (d: DirIndex, n) => events.push({ conn: conn.id, what: `${d}:gap ${n}` }),
          anomaly: (_d, a) => anomalies.push(a),
          close: (reason: CloseReason) => events.push({ conn: conn.id, what: `close ${reason}` }),
        };
        return consumer;
      },
    },
    { ...LIMITS, max_flows: maxFlows, tcp_idle_timeout_s: idleS },
    (a) => anomalies.push(a),
  );
  const p = new DecodedPacket();
  const feed = (spec: Parameters<typeof ipTcp>[0], tsMs = 0): void => {
    const frame = ipTcp(spec);
    assert.equal(decodePacket(101, frame, p), DECODE.TCP);
    tracker.segment(frame, p, tsMs);
  };
  return { feed, events, conns, tracker, anomalies };
}

const C = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 135 };
const S = { src: '10.0.0.2', dst: '10.0.0.1', sport: 135, dport: 40000 };
const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const RST = 0x04;

describe('TcpTracker', () => {
  it('takes the SYN sender as client, reassembles both directions and closes after both FINs', () => {
    const t = tracked();
    t.feed({ ...C, seq: 100, flags: SYN });
    t.feed({ ...S, seq: 500, ack: 101, flags: SYN | ACK });
    t.feed({ ...C, seq: 101, ack: 501, payload: new Uint8Array([5, 0]) });
    t.feed({ ...S, seq: 501, ack: 103, payload: new Uint8Array([5, 1]) });
    t.feed({ ...C, seq: 103, ack: 503, flags: FIN | ACK });
    t.feed({ ...S, seq: 503, ack: 104, flags: FIN | ACK });
    assert.deepEqual([t.conns[0].client, t.conns[0].clientPort, t.conns[0].server, t.conns[0].serverPort, t.conns[0].handshakeSeen], ['10.0.0.1', 40000, '10.0.0.2', 135, true]);
    assert.deepEqual(t.events.map((e) => e.what), ['0:0500', '1:0501', 'close fin']);
  });

  it('guesses the client mid-stream by the well-known port and lets content swap the roles', () => {
    const t = tracked();
    t.feed({ ...S, seq: 1, payload: new Uint8Array([5, 2]) });
    assert.deepEqual([t.conns[0].client, t.conns[0].serverPort], ['10.0.0.1', 135]);
    const u = tracked();
    const high = { src: '10.0.0.2', dst: '10.0.0.1', sport: 49155, dport: 40000 };
    u.feed({ ...high, seq: 1, payload: new Uint8Array([5, 0xff]) }); // content says: a reply
    u.feed({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 49155, seq: 7, payload: new Uint8Array([5, 3]) });
    assert.deepEqual([u.conns[0].client, u.conns[0].clientPort, u.conns[0].serverPort], ['10.0.0.1', 40000, 49155]);
    assert.deepEqual(u.events.map((e) => e.what), ['1:05ff', '0:0503']);
  });

  it('never reassembles a declined connection and forgets it on reset', () => {
    const t = tracked();
    t.feed({ ...C, seq: 1, payload: bytes('GET /') });
    t.feed({ ...C, seq: 6, payload: new Uint8Array([5, 0]) });
    assert.equal(t.events.length, 0);
    t.feed({ ...S, seq: 9, flags: RST });
    t.feed({ ...C, seq: 8, payload: new Uint8Array([5, 0]) }); // a new connection for the table
    assert.equal(t.conns.length, 2);
    assert.deepEqual(t.events.map((e) => e.what), ['0:0500']);
  });

  it('flags a content gap the server acknowledged and closes on reset', () => {
    const t = tracked();
    t.feed({ ...C, seq: 1, payload: new Uint8Array([5, 0]) });
    t.feed({ ...C, seq: 8, payload: new Uint8Array([5, 9]) });
    t.feed({ ...S, seq: 70, ack: 10, flags: ACK | RST });
    assert.deepEqual(t.events.map((e) => e.what), ['0:0500', '0:gap 5', '0:0509', 'close reset']);
    assert.deepEqual(t.anomalies.map((a) => a.name), ['tcp_content_gap']);
  });

  it('evicts the oldest connection over max_flows', () => {
    const t = tracked(2);
    for (let i = 0; i < 3; i++) t.feed({ ...C, sport: 40000 + i, seq: 1, payload: new Uint8Array([5, i]) });
    assert.deepEqual(t.events.map((e) => `${e.conn} ${e.what}`), ['1 0:0500', '2 0:0501', '1 close evicted', '3 0:0502']);
    assert.deepEqual(t.anomalies.map((a) => a.name), ['tcp_flow_limit']);
    t.tracker.finish();
    assert.deepEqual(t.events.slice(4).map((e) => `${e.conn} ${e.what}`), ['2 close end_of_capture', '3 close end_of_capture']);
  });

  it('closes a connection idle for longer than tcp_idle_timeout_s, by packet time, and starts afresh after it', () => {
    const t = tracked(100, 300);
    const other = { ...C, sport: 41000 };
    t.feed({ ...C, seq: 1, payload: new Uint8Array([5, 0]) }, 1_000);
    t.feed({ ...other, seq: 1, payload: new Uint8Array([5, 1]) }, 1_000);
    t.feed({ ...other, seq: 3, payload: new Uint8Array([5, 2]) }, 200_000);
    // 300 s after the first connection's last packet: not yet (more than the timeout is needed)
    t.feed({ ...other, seq: 5, payload: new Uint8Array([5, 3]) }, 301_000);
    assert.deepEqual(t.events.map((e) => `${e.conn} ${e.what}`), ['1 0:0500', '2 0:0501', '2 0:0502', '2 0:0503']);
    // the next sweep after it is due closes it; the busy one stays open
    t.feed({ ...other, seq: 7, payload: new Uint8Array([5, 4]) }, 340_000);
    assert.deepEqual(t.events.slice(4).map((e) => `${e.conn} ${e.what}`), ['1 close idle', '2 0:0504']);
    // its 4-tuple again: a new connection, picked up mid-stream
    t.feed({ ...C, seq: 3, payload: new Uint8Array([5, 5]) }, 341_000);
    assert.deepEqual(t.events.slice(6).map((e) => `${e.conn} ${e.what}`), ['3 0:0505']);
    t.tracker.finish();
    assert.deepEqual(t.events.slice(7).map((e) => `${e.conn} ${e.what}`), ['2 close end_of_capture', '3 close end_of_capture']);
    // 0 turns it off
    const never = tracked(100, 0);
    never.feed({ ...C, seq: 1, payload: new Uint8Array([5, 0]) }, 0);
    never.feed({ ...other, seq: 1, payload: new Uint8Array([5, 1]) }, 86_400_000);
    assert.deepEqual(never.events.map((e) => e.what), ['0:0500', '0:0501']);
  });

  it('tracks IPv6 connections', () => {
    const t = tracked();
    t.feed({ src: '2001:db8::1', dst: '2001:db8::2', sport: 5000, dport: 135, seq: 1, payload: new Uint8Array([5, 0]) });
    t.feed({ src: '2001:db8::2', dst: '2001:db8::1', sport: 135, dport: 5000, seq: 1, payload: new Uint8Array([5, 1]) });
    assert.deepEqual([t.conns.length, t.conns[0].client, t.conns[0].server], [1, '2001:db8::1', '2001:db8::2']);
    assert.deepEqual(t.events.map((e) => e.what), ['0:0500', '1:0501']);
  });

  it('starts a new connection when a SYN reuses the ports with a new sequence number', () => {
    const t = tracked();
    t.feed({ ...C, seq: 100, flags: SYN });
    t.feed({ ...C, seq: 101, payload: new Uint8Array([5, 0]) });
    t.feed({ ...C, seq: 9000, flags: SYN });
    t.feed({ ...C, seq: 9001, payload: new Uint8Array([5, 1]) });
    assert.deepEqual(t.events.map((e) => `${e.conn} ${e.what}`), ['1 0:0500', '1 close reused', '2 0:0501']);
  });
});
