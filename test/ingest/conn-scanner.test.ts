// The fast conn.log scanner (bench/replay hot path) agrees with the general reader record for record,
// across chunk boundaries at every offset, and reports the same bad lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnTsvScanner } from '../../src/ingest/zeek-conn-scanner.js';
import { applyTsvHeader, newTsvHeader, parseTsvConnLine } from '../../src/ingest/zeek-conn-reader.js';
import { isLineError } from '../../src/ingest/ingest-types.js';

const LOG = [
  '#separator \\x09',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state',
  '1060617600.123456\tC1\t10.0.0.5\t1042\t192.0.2.1\t135\ttcp\t-\t-\t-\t-\tS0',
  '1060617601.5\tC2\t10.0.0.5\t1043\t2001:db8::1\t445\ttcp\t-\t1.0\t10\t20\tSF',
  '1060617602\tC3\t10.0.0.6\t1044\t192.0.2.3\t135\ttcp\t-\t-\t0\t0\tRSTO',
  '1060617603.0\tC4\t10.0.0.6\t0\t192.0.2.3\t8\ticmp\t-\t-\t-\t-\tOTH',
  '1060617604.0\tC5\t10.0.0.7\t53\t192.0.2.53\t53\tudp\tdns\t0.1\t40\t80\tSF',
  'x1060617605\tC6\t10.0.0.8\t1\t192.0.2.9\t135\ttcp\t-\t-\t-\t-\tS0',
  '1060617606.0\tC7\t10.0.0.8\t1\t192.0.2.9',
  '1060617607.0\tC8\t10.0.0.9\t2000\t192.0.2.10\t135\ttcp\t-\t-\t-\t-\tREJ',
  '',
].join('\n');

function viaReader(text: string): unknown[] {
  const h = newTsvHeader();
  const out: unknown[] = [];
  text.split('\n').forEach((line) => {
    if (line === '') return;
    if (line.startsWith('#')) return void applyTsvHeader(h, line);
    const r = parseTsvConnLine(h, line);
    if (r === undefined) return;
    if (isLineError(r)) return void out.push('bad');
    if (r.type === 'conn') out.push([r.ts, ipv4Number(r.src), ipv4Number(r.dst), r.dport, r.outcome]);
  });
  return out;
}

/** The scanner's address form: dotted IPv4 as its 32-bit number, other text unchanged. */
function ipv4Number(a: string): number | string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  return m ? m.slice(1).reduce((n, p) => n * 256 + Number(p), 0) | 0 : a;
}

function viaScanner(chunks: string[]): { recs: unknown[]; bad: number[] } {
  const recs: unknown[] = [];
  const bad: number[] = [];
  const s = new ConnTsvScanner((ts, src, dst, dport, outcome) => recs.push([ts, src, dst, dport, outcome]), (line) => {
    bad.push(line);
    recs.push('bad');
  });
  for (const c of chunks) s.push(Buffer.from(c, 'latin1'));
  s.end();
  return { recs, bad };
}

test('scanner and general reader agree on every record and bad line', () => {
  const want = viaReader(LOG);
  const got = viaScanner([LOG]);
  assert.equal(want.length, 7); // 5 records, 2 bad lines, the icmp record skipped
  assert.deepEqual(got.recs.length, want.length);
  got.recs.forEach((r, i) => {
    const w = want[i];
    if (Array.isArray(r) && Array.isArray(w)) {
      assert.ok(Math.abs((r[0] as number) - (w[0] as number)) < 1e-3, `ts of record ${i}`);
      assert.deepEqual(r.slice(1), w.slice(1));
    } else assert.equal(r, w);
  });
  assert.deepEqual(got.bad, [8, 9]);
  assert.deepEqual(got.recs[0], [1060617600123.456, 167772165, 3221225985 | 0, 135, 'failure']); // 10.0.0.5 -> 192.0.2.1
  assert.equal((got.recs[1] as unknown[])[2], '2001:db8::1');
});

test('scanner gives the same records however the text is cut into chunks', () => {
  const whole = viaScanner([LOG]).recs;
  for (let cut = 1; cut < LOG.length; cut++) assert.deepEqual(viaScanner([LOG.slice(0, cut), LOG.slice(cut)]).recs, whole, `cut at ${cut}`);
});
