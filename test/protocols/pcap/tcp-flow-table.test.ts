// Flow table tests: both directions find one entry, IPv4 entries whose hashes collide stay apart
// and can be removed from any place in their chain, IPv6 entries by text key.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipTcp } from '../../helpers/capture-writer.js';
import { DecodedPacket, decodePacket } from '../../../src/protocols/pcap/packet-decoder.js';
import { type FlowEntry, FlowTable, fromClient } from '../../../src/protocols/pcap/tcp-flow-table.js';

class Entry implements FlowEntry {
  clientIp4 = 0;
  serverIp4 = 0;
  clientPort = 0;
  serverPort = 0;
  clientV6 = '';
  serverV6 = '';
  v6Key = '';
  bucketHash = 0;
  bucketNext: FlowEntry | undefined = undefined;
  constructor(readonly name: string) {}
}

function packet(src: string, sport: number, dst: string, dport: number): { d: Uint8Array; p: DecodedPacket } {
  const d = ipTcp({ src, dst, sport, dport, seq: 0 });
  const p = new DecodedPacket();
  decodePacket(101, d, p);
  return { d, p };
}

function add(t: FlowTable<Entry>, name: string, src: string, sport: number, dst: string, dport: number): Entry {
  const e = new Entry(name);
  e.clientPort = sport;
  e.serverPort = dport;
  const { d, p } = packet(src, sport, dst, dport);
  t.add(d, p, e, true);
  return e;
}

const find = (t: FlowTable<Entry>, src: string, sport: number, dst: string, dport: number): string | undefined => {
  const { d, p } = packet(src, sport, dst, dport);
  return t.find(d, p)?.name;
};

describe('FlowTable', () => {
  it('finds an IPv4 connection from both directions and tells which end sent', () => {
    const t = new FlowTable<Entry>();
    const e = add(t, 'a', '10.0.0.1', 40000, '10.0.0.2', 135);
    assert.equal(find(t, '10.0.0.1', 40000, '10.0.0.2', 135), 'a');
    assert.equal(find(t, '10.0.0.2', 135, '10.0.0.1', 40000), 'a');
    assert.equal(find(t, '10.0.0.2', 135, '10.0.0.1', 40001), undefined);
    const back = packet('10.0.0.2', 135, '10.0.0.1', 40000);
    const forth = packet('10.0.0.1', 40000, '10.0.0.2', 135);
    assert.deepEqual([fromClient(e, back.d, back.p), fromClient(e, forth.d, forth.p)], [false, true]);
  });

  it('keeps colliding IPv4 connections apart and removes from any place in the chain', () => {
    // Each end is mixed on its own and the two added, so connections from one client end to server
    // ends whose mix agrees in the low 30 bits share a bucket; these three were found by searching
    // 10.0.0.0/10 port 2000 for such ends.
    const t = new FlowTable<Entry>();
    const a = add(t, 'a', '1.0.0.1', 1000, '10.2.108.234', 2000);
    const b = add(t, 'b', '1.0.0.1', 1000, '10.6.158.201', 2000);
    const c = add(t, 'c', '1.0.0.1', 1000, '10.13.84.164', 2000);
    assert.deepEqual([b.bucketHash, c.bucketHash], [a.bucketHash, a.bucketHash]);
    assert.deepEqual([find(t, '10.2.108.234', 2000, '1.0.0.1', 1000), find(t, '10.6.158.201', 2000, '1.0.0.1', 1000), find(t, '10.13.84.164', 2000, '1.0.0.1', 1000)], ['a', 'b', 'c']);
    t.remove(b); // the middle of the chain
    assert.deepEqual([find(t, '1.0.0.1', 1000, '10.2.108.234', 2000), find(t, '1.0.0.1', 1000, '10.6.158.201', 2000), find(t, '1.0.0.1', 1000, '10.13.84.164', 2000)], ['a', undefined, 'c']);
    t.remove(c); // the head
    t.remove(a);
    assert.equal(find(t, '1.0.0.1', 1000, '10.2.108.234', 2000), undefined);
  });

  it('finds IPv6 connections by text key from both directions', () => {
    const t = new FlowTable<Entry>();
    const e = add(t, 'v6', '2001:db8::1', 5000, '2001:db8::2', 135);
    assert.equal(find(t, '2001:db8::2', 135, '2001:db8::1', 5000), 'v6');
    assert.equal(e.clientV6, '2001:db8::1.5000');
    t.remove(e);
    assert.equal(find(t, '2001:db8::1', 5000, '2001:db8::2', 135), undefined);
  });
});
