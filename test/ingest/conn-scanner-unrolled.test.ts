// The conn.log scanner's unrolled path for Zeek's own column order gives exactly what its
// per-column loop gives: records, bad-line messages and counters, on whole, cut and damaged lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConnTsvScanner } from '../../src/ingest/zeek-conn-scanner.js';

const FIELDS = '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\thistory';
const LINES = [
  '1060617600.123456\tC1\t10.0.0.5\t1042\t192.0.2.1\t135\ttcp\t-\t-\t-\t-\tS0\tS',
  '1060617601.5\tC2\t10.0.0.5\t1043\t2001:db8::1\t445\ttcp\t-\t1.0\t10\t20\tSF\tShADadFf',
  '1060617602\tC3\t255.255.255.255\t1044\t128.0.0.0\t135\ttcp\t-\t-\t0\t0\tRSTO\tR',
  '1060617602\tC3\t10.0.0.1\t1044\t10.0.0.2\t135\ttcp\t-\t-\t5\t0\tRSTR\tR',
  '1060617603.0\tC4\t10.0.0.6\t0\t192.0.2.3\t8\ticmp\t-\t-\t-\t-\tOTH\t-',
  '1060617604.0\tC5\t10.0.0.7\t53\t192.0.2.53\t53\tudp\tdns\t0.1\t40\t80\tSF\tDd',
  '1060617607.0\tC8\t0.0.0.0\t2000\t192.0.2.10\t135\t-\t-\t-\t-\t-\tREJ\tSr',
  '1060617607.0\tC8\t10.0.0.9\t2000\t192.0.2.10\t135\ttcp\t-\t-\t-\t-\t-\t-',
  '1060617607.0\tC8\t10.0.0.9\t2000\t192.0.2.10\t135\ttcp\t-\t-\t-\t-\tS\t-',
  '1060617608.0\tC9\t10.0.0.256\t1\t192.0.2.9\t99999\ttcp\t-\t-\t-\t-\tS0\tS',
  '1060617609.0\tCa\t-\t1\t192.0.2.9\t135\ttcp\t-\t-\t-\t-\tS0\tS',
  '1060617610..0\tCb\t1.2.3.4\t1\t1.2.3\t135\ttcp\t-\t-\t-\t-\tSH\tS',
  'x1060617605\tC6\t10.0.0.8\t1\t192.0.2.9\t135\ttcp\t-\t-\t-\t-\tS0\tS',
];

function scan(text: string, unrolled: boolean): unknown[] {
  const out: unknown[] = [];
  const s = new ConnTsvScanner((...rec) => out.push(rec), (line, message) => out.push(`bad ${line}: ${message}`), unrolled);
  s.push(Buffer.from(text, 'latin1'));
  s.end();
  out.push({ records: s.records, bad: s.bad, skipped: s.skipped });
  return out;
}

test('unrolled and per-column paths agree on every line cut at every length', () => {
  const cuts: string[] = [];
  for (const line of LINES) for (let n = 0; n <= line.length; n++) cuts.push(line.slice(0, n));
  const text = `${FIELDS}\n${cuts.join('\n')}\n`;
  const want = scan(text, false);
  assert.deepEqual(scan(text, true), want);
  assert.ok(want.some((r) => typeof r === 'string' && r.endsWith('7 field(s), the #fields header needs 12')));
});

test('unrolled and per-column paths agree on random mixes, and a non-standard #fields order goes the per-column way', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...LINES, FIELDS, '#fields\tuid\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state'), { maxLength: 60 }), (lines) => {
      const text = `${FIELDS}\n${lines.join('\n')}\n`;
      assert.deepEqual(scan(text, true), scan(text, false));
    }),
    { numRuns: 200 },
  );
});
