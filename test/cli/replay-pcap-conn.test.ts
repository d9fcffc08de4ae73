// Captures feed the scanner detectors like a Zeek conn.log does: one conn event per TCP connection,
// its outcome from the handshake (Zeek conn_state), so `vigil replay x.pcap` raises TRW/threshold alerts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { captureEvents, replayFiles } from '../../src/cli/commands/replay.js';
import { analyzeCapture } from '../../src/ingest/capture/pcap-driver.js';
import type { ConnEvent } from '../../src/model/event.js';
import { LINKTYPE } from '../../src/protocols/pcap/capture-types.js';
import { concat, ipTcp, pcapFileHeader, pcapRecord, type TcpSegmentSpec, udpDatagram } from '../helpers/capture-writer.js';
import { CLI_PATH, corpusPath, skipWithoutCorpus } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-pcap-conn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;
const T0 = Date.UTC(2003, 7, 11, 16, 0, 0); // 2003-08-11, the day Blaster spread
const SCANNER = '198.51.100.77';

interface Frame {
  readonly ms: number;
  readonly seg?: TcpSegmentSpec;
  /** A UDP datagram instead: [src, dst, sport, dport, payload length]. */
  readonly udp?: readonly [string, string, number, number, number];
}

function frameBytes(f: Frame): Uint8Array {
  if (f.seg) return ipTcp(f.seg);
  const [src, dst, sport, dport, len] = f.udp!;
  return udpDatagram(src, dst, sport, dport, new Uint8Array(len).fill(0x41));
}

let files = 0;
function writeCapture(frames: readonly Frame[]): string {
  const path = join(dir, `c${files++}.pcap`);
  const recs = frames.map((f) => pcapRecord(Math.floor(f.ms / 1000), (f.ms % 1000) * 1000, frameBytes(f)));
  writeFileSync(path, concat([pcapFileHeader({ linkType: LINKTYPE.RAW }), ...recs]));
  return path;
}

/** Segments of one connection from client c:sport to server s:dport, each `[fromClient, flags, payloadLength]`. */
function conn(ms: number, c: string, s: string, sport: number, dport: number, steps: readonly (readonly [boolean, number, number])[]): Frame[] {
  const seq = [1000, 9000];
  return steps.map(([fromClient, flags, len], i) => {
    const k = fromClient ? 0 : 1;
    const seg: TcpSegmentSpec = {
      src: fromClient ? c : s, dst: fromClient ? s : c, sport: fromClient ? sport : dport, dport: fromClient ? dport : sport,
      seq: seq[k], ack: seq[1 - k], flags, payload: new Uint8Array(len).fill(0x41), // inert filler
    };
    seq[k] += len + (flags & (F.SYN | F.FIN) ? 1 : 0);
    return { ms: ms + i * 10, seg };
  });
}

const HANDSHAKE: (readonly [boolean, number, number])[] = [[true, F.SYN, 0], [false, F.SYN | F.ACK, 0], [true, F.ACK, 0]];
const CASES: { name: string; steps: (readonly [boolean, number, number])[]; state: string; outcome: ConnEvent['outcome'] }[] = [
  { name: 'SYN unanswered', steps: [[true, F.SYN, 0]], state: 'S0', outcome: 'failure' },
  { name: 'SYN answered by RST', steps: [[true, F.SYN, 0], [false, F.RST | F.ACK, 0]], state: 'REJ', outcome: 'failure' },
  { name: 'SYN then FIN, no answer', steps: [[true, F.SYN, 0], [true, F.FIN, 0]], state: 'SH', outcome: 'failure' },
  { name: 'handshake, data, FINs', steps: [...HANDSHAKE, [true, F.PSH | F.ACK, 7], [false, F.PSH | F.ACK, 5], [true, F.FIN | F.ACK, 0], [false, F.FIN | F.ACK, 0]], state: 'SF', outcome: 'success' },
  { name: 'handshake, no close', steps: HANDSHAKE, state: 'S1', outcome: 'success' },
  { name: 'connect() scan: handshake then RST, no data', steps: [...HANDSHAKE, [true, F.RST | F.ACK, 0]], state: 'RSTO', outcome: 'failure' },
  { name: 'handshake, data, responder resets', steps: [...HANDSHAKE, [true, F.PSH | F.ACK, 3], [false, F.RST | F.ACK, 0]], state: 'RSTR', outcome: 'success' },
  { name: 'picked up mid-stream', steps: [[true, F.PSH | F.ACK, 4], [false, F.PSH | F.ACK, 4]], state: 'OTH', outcome: 'unknown' },
];

describe('pcap conn events: outcome from the handshake, as Zeek conn_state', () => {
  for (const c of CASES) {
    it(`${c.name} -> ${c.state} -> ${c.outcome}`, () => {
      const path = writeCapture(conn(T0 + 5, '192.0.2.10', '192.0.2.20', 3333, 135, c.steps));
      const got: [ConnEvent, string][] = [];
      const stats = analyzeCapture(path, { onConnection: (ev, state) => got.push([ev, state]) });
      assert.equal(got.length, 1);
      const [ev, state] = got[0];
      assert.equal(state, c.state);
      assert.equal(ev.outcome, c.outcome);
      assert.deepEqual(
        { type: ev.type, source: ev.source, ts: ev.ts, src: ev.src, sport: ev.sport, dst: ev.dst, dport: ev.dport, proto: ev.proto },
        { type: 'conn', source: 'pcap', ts: T0 + 5, src: '192.0.2.10', sport: 3333, dst: '192.0.2.20', dport: 135, proto: 'tcp' },
      );
      const sent = (fromClient: boolean): number => c.steps.filter(([f]) => f === fromClient).reduce((n, [, , len]) => n + len, 0);
      assert.equal(ev.bytesIn, sent(true));
      assert.equal(ev.bytesOut, sent(false));
      assert.equal(stats.tcpConnections, 1);
    });
  }

  it('a retransmitted SYN (same sequence number) is the same attempt: one S0 conn event', () => {
    const [syn] = conn(T0, '192.0.2.10', '192.0.2.20', 3333, 135, [[true, F.SYN, 0]]);
    const path = writeCapture([syn, { ms: T0 + 3000, seg: syn.seg! }, { ms: T0 + 9000, seg: syn.seg! }]);
    const got: [ConnEvent, string][] = [];
    analyzeCapture(path, { onConnection: (ev, state) => got.push([ev, state]) });
    assert.deepEqual(got.map(([ev, state]) => [ev.ts, state, ev.outcome]), [[T0, 'S0', 'failure']]);
  });

  it('a connection seen from its SYN-ACK first keeps the SYN sender as originator', () => {
    const frames = conn(T0, '192.0.2.10', '192.0.2.20', 3333, 135, HANDSHAKE);
    const path = writeCapture([frames[1], frames[2]]); // the SYN was not captured
    const got: ConnEvent[] = [];
    analyzeCapture(path, { onConnection: (ev) => got.push(ev) });
    assert.equal(got.length, 1);
    assert.equal(got[0].src, '192.0.2.10');
    assert.equal(got[0].dport, 135);
  });
});

describe('pcap conn events: a TCP connection silent past tcp_idle_timeout_s', () => {
  // handshake and data, then ten minutes of silence, then more data on the same 4-tuple
  const frames = [...conn(T0, '192.0.2.10', '192.0.2.20', 1030, 135, [...HANDSHAKE, [true, F.PSH | F.ACK, 8]])];
  // the later segments continue the first connection's sequence numbers (client 1009, server 9001)
  const filler = new Uint8Array(8).fill(0x41);
  const later: Frame[] = [
    { ms: T0 + 600_000, seg: { src: '192.0.2.10', dst: '192.0.2.20', sport: 1030, dport: 135, seq: 1009, ack: 9001, flags: F.PSH | F.ACK, payload: filler } },
    { ms: T0 + 600_010, seg: { src: '192.0.2.20', dst: '192.0.2.10', sport: 135, dport: 1030, seq: 9001, ack: 1017, flags: F.PSH | F.ACK, payload: filler } },
  ];
  const path = writeCapture([...frames, ...later]);
  const states = (limits?: Record<string, number>): string[][] => {
    const got: string[][] = [];
    analyzeCapture(path, { onConnection: (ev, state) => got.push([String((ev.ts - T0) / 1000), state, ev.outcome]), ...(limits && { captureLimits: limits }) });
    return got;
  };

  it('is closed after five minutes as it stood (Zeek S1), and its later packets are a new connection picked up mid-stream (OTH)', () => {
    assert.deepEqual(states(), [['0', 'S1', 'success'], ['600', 'OTH', 'unknown']]);
  });

  it('--capture-limit tcp_idle_timeout_s=0 keeps it one connection; vigil replay refuses an unknown limit (exit 2)', { skip: existsSync(CLI_PATH) ? false : `${CLI_PATH} not built (npm run build)` }, () => {
    assert.deepEqual(states({ tcp_idle_timeout_s: 0 }), [['0', 'S1', 'success']]);
    assert.deepEqual(states({ tcp_idle_timeout_s: 900 }), [['0', 'S1', 'success']]);
    const ok = spawnSync(process.execPath, [CLI_PATH, 'replay', '--capture-limit', 'tcp_idle_timeout_s=0', path], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const bad = spawnSync(process.execPath, [CLI_PATH, 'replay', '--capture-limit', 'idle=0', path], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--capture-limit\.idle: unknown limit/);
  });
});

describe('pcap conn events: UDP flows as Zeek has them', () => {
  it('answered -> SF success, unanswered -> S0 failure, a new flow after a minute idle', () => {
    const path = writeCapture([
      { ms: T0, udp: ['192.0.2.10', '192.0.2.53', 5353, 53, 30] },
      { ms: T0 + 20, udp: ['192.0.2.53', '192.0.2.10', 53, 5353, 90] },
      { ms: T0 + 100, udp: ['192.0.2.10', '192.0.2.20', 1026, 135, 80] },
      { ms: T0 + 30_100, udp: ['192.0.2.10', '192.0.2.20', 1026, 135, 80] },
      { ms: T0 + 95_000, udp: ['192.0.2.10', '192.0.2.20', 1026, 135, 80] },
    ]);
    const got: [ConnEvent, string][] = [];
    analyzeCapture(path, { onConnection: (ev, state) => got.push([ev, state]) });
    const rows = got.map(([ev, state]) => [ev.proto, ev.ts - T0, ev.src, ev.dst, ev.dport, state, ev.outcome, ev.bytesIn, ev.bytesOut]).sort((a, b) => Number(a[1]) - Number(b[1]));
    assert.deepEqual(rows, [
      ['udp', 0, '192.0.2.10', '192.0.2.53', 53, 'SF', 'success', 30, 90],
      ['udp', 100, '192.0.2.10', '192.0.2.20', 135, 'S0', 'failure', 160, 0],
      ['udp', 95_000, '192.0.2.10', '192.0.2.20', 135, 'S0', 'failure', 80, 0],
    ]);
  });
});

/** One source sends SYNs to 30 addresses on port 135 (answered or not), 2 s apart. */
function sweep(answered: boolean): Frame[] {
  const frames: Frame[] = [];
  for (let i = 0; i < 30; i++) {
    const steps: (readonly [boolean, number, number])[] = answered
      ? [...HANDSHAKE, [true, F.PSH | F.ACK, 72], [false, F.PSH | F.ACK, 60], [true, F.FIN | F.ACK, 0], [false, F.FIN | F.ACK, 0]]
      : [[true, F.SYN, 0]];
    frames.push(...conn(T0 + i * 2000, SCANNER, `192.0.2.${i + 1}`, 4000 + i, 135, steps));
  }
  return frames.sort((a, b) => a.ms - b.ms);
}

describe('vigil replay of a capture runs the scanner detectors', () => {
  const dark = writeCapture(sweep(false));
  const answered = writeCapture(sweep(true));

  it('conn and call events come out in time order, one conn event per connection', () => {
    const { events } = captureEvents(dark);
    assert.equal(events.filter((e) => e.type === 'conn').length, 30);
    for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].ts <= events[i].ts, `event ${i} out of order`);
    assert.deepEqual(events.slice(0, 3).map((e) => e.dst), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });

  it('a real capture: conn events interleaved with its calls in time order, each call after its connection', { skip: skipWithoutCorpus('dcerpc', 'sv_dcerpc-ctxids.pcap') }, () => {
    const { events } = captureEvents(corpusPath('dcerpc', 'sv_dcerpc-ctxids.pcap'));
    for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].ts <= events[i].ts, `event ${i} out of order`);
    const calls = events.filter((e) => e.type === 'call');
    assert.ok(calls.length > 0 && events.some((e) => e.type === 'conn'));
    for (const c of calls) {
      const at = events.findIndex((e) => e.type === 'conn' && e.session === c.session);
      assert.ok(at >= 0 && at < events.indexOf(c), `call of ${c.session ?? '?'} has no earlier conn event`);
    }
  });

  it('30 unanswered SYNs to port 135: threshold scan and TRW scanner alerts name the source', async () => {
    const { alerts } = await replayFiles([dark]);
    const rules = new Set(alerts.filter((a) => JSON.stringify(a).includes(SCANNER)).map((a) => a.rule));
    assert.ok(rules.has('address_scan'), `rules: ${[...rules].join(', ')}`);
    assert.ok(rules.has('trw_scanner'), `rules: ${[...rules].join(', ')}`);
  });

  it('30 completed connections to the same addresses: no scanner alert', async () => {
    const { alerts } = await replayFiles([answered]);
    assert.deepEqual(alerts.filter((a) => a.rule === 'address_scan' || a.rule === 'trw_scanner' || a.rule === 'port_scan'), []);
  });

  it('CLI: `vigil replay` prints the scan alerts for the capture', { skip: existsSync(CLI_PATH) ? false : `${CLI_PATH} not built (npm run build)` }, () => {
    const r = spawnSync(process.execPath, [CLI_PATH, 'replay', dark], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rules = r.stdout.split('\n').filter((l) => l.length > 0).map((l) => (JSON.parse(l) as { rule: string }).rule);
    assert.ok(rules.includes('address_scan') && rules.includes('trw_scanner'), r.stdout);
  });
});
