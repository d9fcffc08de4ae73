// Zeek conn_state from what each side sent (tcp-conn-state.ts), per Zeek's conn_state(): the
// states the capture tests do not reach through whole connections.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SENT, tcpConnState } from '../../../src/protocols/pcap/tcp-conn-state.js';

const { SYN, SYN_ACK, FIN, RST, ANY } = SENT;
const sent = (...bits: number[]): number => bits.reduce((a, b) => a | b, ANY);

describe('tcpConnState', () => {
  const cases: [string, number, number, number, number, string][] = [
    ['nothing answered', sent(SYN), 0, 0, 0, 'S0'],
    ['originator SYN then RST, no answer', sent(SYN, RST), 0, 0, 0, 'RSTOS0'],
    ['responder SYN-ACK then RST, originator never seen', 0, sent(SYN_ACK, RST), 0, 0, 'RSTRH'],
    ['responder SYN-ACK then FIN, originator never seen', 0, sent(SYN_ACK, FIN), 0, 0, 'SHR'],
    ['both reset, nothing sent', sent(SYN, RST), sent(SYN_ACK, RST), 0, 0, 'REJ'],
    ['both reset after data', sent(SYN, RST), sent(SYN_ACK, RST), 5, 0, 'RSTR'],
    ['established, originator closed only', sent(SYN, FIN), sent(SYN_ACK), 0, 0, 'S2'],
    ['established, responder closed only', sent(SYN), sent(SYN_ACK, FIN), 0, 0, 'S3'],
    ['mid-stream, both FIN', sent(FIN), sent(FIN), 10, 10, 'SF'],
    ['mid-stream, no FIN', sent(), sent(), 10, 10, 'OTH'],
  ];
  for (const [name, orig, resp, ob, rb, want] of cases) {
    it(`${name} -> ${want}`, () => assert.equal(tcpConnState(orig, resp, ob, rb), want));
  }
});
