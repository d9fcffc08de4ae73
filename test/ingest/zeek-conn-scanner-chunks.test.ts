// The conn.log byte scanner gives the same records, bad-line numbers and counters however a log
// (with damaged lines) is cut into chunks, and the same with CRLF line ends as with LF.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConnTsvScanner } from '../../src/ingest/zeek-conn-scanner.js';

const HEADER = [
  '#separator \\x09',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\thistory',
];
const GOOD = [
  '1060617600.123456\tC1\t10.0.0.5\t1042\t192.0.2.1\t135\ttcp\t-\t-\t-\t-\tS0\tS',
  '1060617601.5\tC2\t10.0.0.5\t1043\t2001:db8::1\t445\ttcp\t-\t1.0\t10\t20\tSF\tShADadFf',
  '1060617602\tC3\t255.255.255.255\t1044\t128.0.0.0\t135\ttcp\t-\t-\t0\t0\tRSTO\tR',
  '1060617603.0\tC4\t10.0.0.6\t0\t192.0.2.3\t8\ticmp\t-\t-\t-\t-\tOTH\t-',
  '1060617604.0\tC5\t10.0.0.7\t53\t192.0.2.53\t53\tudp\tdns\t0.1\t40\t80\tSF\tDd',
  '1060617607.0\tC8\t0.0.0.0\t2000\t192.0.2.10\t135\ttcp\t-\t-\t-\t-\tREJ\tSr',
];
// Lines a log may carry that the scanner must report or skip: too few fields, bad numbers, odd addresses.
const DAMAGED = [
  '1060617606.0\tC7\t10.0.0.8\t1\t192.0.2.9',
  'x1060617605\tC6\t10.0.0.8\t1\t192.0.2.9\t135\ttcp\t-\t-\t-\t-\tS0\tS',
  '1060617608.0\tC9\t10.0.0.256\t1\t192.0.2.9\t99999\ttcp\t-\t-\t-\t-\tS0\tS',
  '1060617609.0\tCa\t-\t1\t192.0.2.9\t135\ttcp\t-\t-\t-\t-\tS0\tS',
  '1060617610..0\tCb\t1.2.3.4\t1\t1.2.3\t135\ttcp\t-\t-\t-\t-\tSH\tS',
  '',
];

function scan(chunks: Buffer[]): unknown[] {
  const out: unknown[] = [];
  const s = new ConnTsvScanner((...rec) => out.push(rec), (line, message) => out.push(`bad ${line}: ${message}`));
  for (const c of chunks) s.push(c);
  s.end();
  out.push({ records: s.records, bad: s.bad, skipped: s.skipped });
  return out;
}

function cut(buf: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const n of sizes) {
    if (at >= buf.length) break;
    chunks.push(buf.subarray(at, at + n));
    at += n;
  }
  if (at < buf.length) chunks.push(buf.subarray(at));
  return chunks;
}

test('scanner output does not depend on chunk boundaries or on CRLF vs LF', () => {
  const line = fc.constantFrom(...GOOD, ...DAMAGED);
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 97 }), { maxLength: 60 }), fc.boolean(), (lines, sizes, finalNewline) => {
      const text = [...HEADER, ...lines].join('\n') + (finalNewline ? '\n' : '');
      const lf = Buffer.from(text, 'latin1');
      const whole = scan([lf]);
      assert.deepEqual(scan(cut(lf, sizes)), whole);
      const crlf = Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');
      assert.deepEqual(scan(cut(crlf, sizes)), whole);
    }),
    { numRuns: 150 },
  );
});

test('scanner reads the extreme IPv4 values and reports each damaged line with its number', () => {
  const out = scan([Buffer.from([...HEADER, GOOD[2], GOOD[5], ...DAMAGED.slice(0, 5)].join('\n'), 'latin1')]);
  assert.deepEqual(out[0], [1060617602000, -1, -0x80000000, 135, 'failure']); // 255.255.255.255 -> 128.0.0.0, reset without data
  assert.deepEqual(out[1], [1060617607000, 0, (192 << 24 | 2 << 8 | 10) | 0, 135, 'failure']);
  assert.deepEqual(out.slice(2, 7), [
    'bad 5: 5 field(s), the #fields header needs 12',
    'bad 6: bad ts "x1060617605"',
    'bad 7: bad id.resp_p "99999"',
    'bad 8: TSV record lacks id.orig_h or id.resp_h',
    'bad 9: bad ts "1060617610..0"',
  ]);
  assert.deepEqual(out[7], { records: 7, bad: 5, skipped: 0 });
});
