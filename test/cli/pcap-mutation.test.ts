// Seeded mutation loop over the packets of a capture: whatever the bytes of the frames (link, IP,
// TCP and DCE/RPC headers, payload), the pipeline never throws, reads every record, and accounts
// for every packet; the record framing itself is left intact (a broken record is a bad file).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeCapture } from '../../src/ingest/capture/pcap-driver.js';
import { encodeBind, encodeRequest } from '../../src/protocols/dcerpc/pdu-encode.js';
import { concat, ethernet, ipTcp, pcapFileHeader, pcapRecord } from '../helpers/capture-writer.js';
import { mulberry32 } from '../helpers/prng.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-pcap-mutation-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rng = mulberry32;

const NDR = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', versionMajor: 2, versionMinor: 0 };
const stream = concat([
  encodeBind({ callId: 1, contexts: [{ ctxId: 0, abstractSyntax: { uuid: '000001a0-0000-0000-c000-000000000046', versionMajor: 0, versionMinor: 0 }, transferSyntaxes: [NDR] }] }),
  encodeRequest({ callId: 2, ctxId: 0, opnum: 4, stub: new Uint8Array(200).fill(0x41) }),
]);
const frames = [0, 40, 90, 150, 230].map((from, i, cuts) =>
  ethernet(ipTcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 3000, dport: 135, seq: 1000 + from, payload: stream.subarray(from, cuts[i + 1] ?? stream.length) })));

describe('capture pipeline under mutation', () => {
  it('never throws and accounts for every packet (500 seeded mutants)', () => {
    const random = rng(0x5eed);
    for (let round = 0; round < 500; round++) {
      const mutated = frames.map((f) => {
        const m = f.slice();
        const flips = 1 + Math.floor(random() * 4);
        for (let i = 0; i < flips; i++) m[Math.floor(random() * m.length)] = Math.floor(random() * 256);
        return m;
      });
      const order = random() < 0.3 ? [...mutated].reverse() : mutated;
      const path = join(dir, 'm.pcap');
      writeFileSync(path, concat([pcapFileHeader({ linkType: 1 }), ...order.map((f, i) => pcapRecord(1, i, f))]));
      const s = analyzeCapture(path);
      const decoded = s.tcpPackets + s.udpPackets + Object.values(s.notDecoded).reduce((a, b) => a + b, 0);
      assert.equal(s.packets, frames.length, `round ${round}`);
      assert.equal(decoded, s.packets, `round ${round}: every packet is decoded or counted as not decoded`);
      assert.ok(s.pdus >= s.pdusRejected, `round ${round}`);
    }
  });
});
