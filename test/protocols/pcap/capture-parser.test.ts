// Capture reader tests: hand-built pcap files in both byte orders and both time resolutions, pcapng
// with two interfaces, records cut at every offset, must-fail files with their offsets, truncation.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../../src/core/errors.js';
import type { Anomaly } from '../../../src/model/anomaly.js';
import { CaptureParser } from '../../../src/protocols/pcap/capture-parser.js';
import { LINKTYPE, type CapturedPacket } from '../../../src/protocols/pcap/capture-types.js';
import {
  concat, ethernet, ipTcp, pcapFileHeader, pcapRecord, pcapngInterface, pcapngPacket, pcapngSectionHeader, pcapngSimplePacket,
} from '../../helpers/capture-writer.js';

interface Seen {
  index: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  interfaceId: number;
  origLen: number;
  fileOffset: number;
  data: string;
}

/** Parse `file` fed in pieces cut at `cuts`, honouring the consumed contract like the file reader does. */
function parse(file: Uint8Array, cuts: readonly number[] = []): { packets: Seen[]; anomalies: Anomaly[]; parser: CaptureParser } {
  const packets: Seen[] = [];
  const anomalies: Anomaly[] = [];
  const parser = new CaptureParser(
    (p: CapturedPacket) => {
      const { index, tsSec, tsNsec, linkType, interfaceId, origLen, fileOffset } = p;
      packets.push({ index, tsSec, tsNsec, linkType, interfaceId, origLen, fileOffset, data: Buffer.from(p.data).toString('hex') });
    },
    { source: 'test.pcap', onAnomaly: (a) => anomalies.push(a) },
  );
  let carried = new Uint8Array(0);
  let from = 0;
  for (const to of [...cuts, file.length]) {
    const buf = concat([carried, file.subarray(from, to)]);
    const used = parser.feed(buf, 0, buf.length);
    carried = buf.slice(used);
    from = to;
  }
  parser.finish(carried.length);
  return { packets, anomalies, parser };
}

const frameA = ethernet(ipTcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1025, dport: 135, seq: 1, payload: new Uint8Array([5, 0, 11, 3]) }));
const frameB = ethernet(ipTcp({ src: '10.0.0.2', dst: '10.0.0.1', sport: 135, dport: 1025, seq: 9, payload: new Uint8Array([5, 0, 12, 3, 0x10]) }));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('pcap', () => {
  for (const bigEndian of [false, true]) {
    for (const nanoseconds of [false, true]) {
      it(`reads ${bigEndian ? 'big' : 'little'}-endian ${nanoseconds ? 'nanosecond' : 'microsecond'} files`, () => {
        const file = concat([
          pcapFileHeader({ linkType: LINKTYPE.ETHERNET, bigEndian, nanoseconds }),
          pcapRecord(1_058_400_000, nanoseconds ? 123_456_789 : 123_456, frameA, { bigEndian }),
          pcapRecord(1_058_400_001, 7, frameB, { bigEndian, origLen: 1500 }),
        ]);
        const { packets, anomalies, parser } = parse(file);
        assert.equal(parser.format, 'pcap');
        assert.deepEqual(anomalies, []);
        assert.deepEqual(packets.map((p) => [p.index, p.tsSec, p.tsNsec, p.linkType, p.origLen, p.fileOffset, p.data]), [
          [1, 1_058_400_000, nanoseconds ? 123_456_789 : 123_456_000, 1, frameA.length, 24, hex(frameA)],
          [2, 1_058_400_001, nanoseconds ? 7 : 7000, 1, 1500, 24 + 16 + frameA.length, hex(frameB)],
        ]);
      });
    }
  }

  it('keeps the link type of the header, ignoring the FCS bits above it', () => {
    const header = pcapFileHeader({ linkType: 0x10000000 | LINKTYPE.LINUX_SLL });
    const { packets } = parse(concat([header, pcapRecord(1, 0, frameA)]));
    assert.equal(packets[0].linkType, LINKTYPE.LINUX_SLL);
  });

  it('gives the same packets however the file is cut into blocks', () => {
    const file = concat([pcapFileHeader({ linkType: 1 }), pcapRecord(1, 2, frameA), pcapRecord(3, 4, frameB)]);
    const whole = parse(file).packets;
    for (let cut = 0; cut <= file.length; cut++) {
      assert.deepEqual(parse(file, [cut]).packets, whole, `cut at ${cut}`);
    }
  });

  it('reports a truncated last record as an anomaly after delivering the whole ones', () => {
    const file = concat([pcapFileHeader({ linkType: 1 }), pcapRecord(1, 2, frameA), pcapRecord(3, 4, frameB)]);
    const { packets, anomalies } = parse(file.subarray(0, file.length - 3));
    assert.equal(packets.length, 1);
    assert.deepEqual(anomalies.map((a) => [a.name, a.offset]), [['truncated_record', 24 + 16 + frameA.length]]);
  });
});

describe('pcapng', () => {
  for (const bigEndian of [false, true]) {
    it(`reads two interfaces with their own link types and resolutions (${bigEndian ? 'big' : 'little'}-endian)`, () => {
      const raw = ipTcp({ src: '192.0.2.1', dst: '192.0.2.2', sport: 40000, dport: 49155, seq: 7 });
      const file = concat([
        pcapngSectionHeader(bigEndian),
        pcapngInterface(LINKTYPE.ETHERNET, { bigEndian }), // default resolution: microseconds
        pcapngInterface(LINKTYPE.RAW, { tsresol: 9, bigEndian }),
        pcapngPacket(0, 1_600_000_000_123_456n, frameA, { bigEndian }),
        pcapngPacket(1, 1_600_000_001_987_654_321n, raw, { bigEndian, origLen: 9000 }),
        pcapngSimplePacket(frameB, bigEndian),
      ]);
      const { packets, anomalies, parser } = parse(file);
      assert.equal(parser.format, 'pcapng');
      assert.deepEqual(anomalies, []);
      assert.deepEqual(packets.map((p) => [p.index, p.interfaceId, p.linkType, p.tsSec, p.tsNsec, p.origLen, p.data]), [
        [1, 0, LINKTYPE.ETHERNET, 1_600_000_000, 123_456_000, frameA.length, hex(frameA)],
        [2, 1, LINKTYPE.RAW, 1_600_000_001, 987_654_321, 9000, hex(raw)],
        [3, 0, LINKTYPE.ETHERNET, 0, 0, frameB.length, hex(frameB)],
      ]);
    });
  }

  it('decodes power-of-two resolutions', () => {
    const file = concat([pcapngSectionHeader(), pcapngInterface(1, { tsresol: 0x80 | 10 }), pcapngPacket(0, (5n << 10n) + 512n, frameA)]);
    const [p] = parse(file).packets;
    assert.deepEqual([p.tsSec, p.tsNsec], [5, 500_000_000]);
  });

  it('flags a packet on an undeclared interface and goes on', () => {
    const file = concat([pcapngSectionHeader(), pcapngInterface(1), pcapngPacket(3, 0n, frameA), pcapngPacket(0, 0n, frameB)]);
    const { packets, anomalies } = parse(file);
    assert.deepEqual(packets.map((p) => p.data), [hex(frameB)]);
    assert.deepEqual(anomalies.map((a) => a.name), ['pcapng_unknown_interface']);
  });

  it('gives the same packets however the file is cut into blocks', () => {
    const file = concat([pcapngSectionHeader(), pcapngInterface(1), pcapngPacket(0, 1n, frameA), pcapngPacket(0, 2n, frameB)]);
    const whole = parse(file).packets;
    for (let cut = 0; cut <= file.length; cut++) assert.deepEqual(parse(file, [cut]).packets, whole, `cut at ${cut}`);
  });
});

describe('bad files are rejected with their path and byte offset', () => {
  const good = concat([pcapFileHeader({ linkType: 1 }), pcapRecord(1, 2, frameA)]);
  const hugeRecord = concat([good, pcapRecord(1, 2, new Uint8Array(0))]);
  new DataView(hugeRecord.buffer).setUint32(good.length + 8, 0x7fffffff, true);
  const ng = concat([pcapngSectionHeader(), pcapngInterface(1)]);
  const badTrailer = concat([ng, pcapngPacket(0, 0n, frameA)]);
  new DataView(badTrailer.buffer).setUint32(badTrailer.length - 4, 12, true);
  const badOrder = pcapngSectionHeader();
  badOrder[8] = 0;
  const cases: readonly [string, Uint8Array, RegExp][] = [
    ['not a capture', new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), /test\.pcap: not a pcap or pcapng file \(magic 0x47455420\) at byte offset 0/],
    ['too short', new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]), /file too short .* at byte offset 0/],
    ['pcap version 3', (() => { const b = pcapFileHeader({ linkType: 1 }); b[4] = 3; return b; })(), /unsupported pcap version 3 at byte offset 4/],
    ['record over max_record_bytes', hugeRecord, new RegExp(`claims 2147483647 captured bytes .* at byte offset ${good.length}`)],
    ['pcapng trailing length differs', badTrailer, new RegExp(`trailing length .* at byte offset ${badTrailer.length - 4}`)],
    ['pcapng bad byte-order magic', badOrder, /bad byte-order magic .* at byte offset 8/],
    ['pcapng length not a multiple of 4', (() => { const b = concat([ng]); new DataView(b.buffer).setUint32(pcapngSectionHeader().length + 4, 21, true); return b; })(), /length 21 is not a multiple of 4 .* at byte offset 32/],
  ];
  for (const [name, file, message] of cases) {
    it(name, () => {
      assert.throws(() => parse(file), (e: unknown) => isAppError(e, 'VIGIL_ERR_BAD_FILE') && message.test(e.message) && (e.details?.path === 'test.pcap'));
    });
  }
});
