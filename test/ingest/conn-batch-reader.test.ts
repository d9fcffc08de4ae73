// The conn.log reader thread hands over exactly the records, bad lines and counts that ConnTsvScanner
// gives on one thread, in order, whatever the batch and read sizes; errors and early stops end it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnBatchView, ConnBatchWriter, eachConnRecord, newConnBatchBuffer } from '../../src/ingest/conn-batch.js';
import { readConnBatches, type ConnReadStats } from '../../src/ingest/conn-batch-reader.js';
import { ConnTsvScanner } from '../../src/ingest/zeek-conn-scanner.js';
import { AppError } from '../../src/core/errors.js';
import { mulberry32 } from '../helpers/prng.js';

const HEADER = [
  '#separator \\x09',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state',
];

/** A log with every kind of line: IPv4 and IPv6 ends, S0/SF/other states, icmp (skipped), bad lines, CRLF. */
function sampleLog(n: number, seed: number): string {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const lines = [...HEADER];
  for (let i = 0; i < n; i++) {
    const ts = (1060617600 + i * 0.25).toFixed(6);
    const src = rnd() < 0.1 ? `2001:db8::${i % 7}` : `10.0.${i % 3}.${Math.floor(rnd() * 256)}`;
    const dst = rnd() < 0.1 ? `2001:db8::a${i % 5}` : `192.0.2.${Math.floor(rnd() * 256)}`;
    const kind = rnd();
    if (kind < 0.03) lines.push(`${ts}\tC${i}\t${src}\t1\t${dst}`); // too few fields
    else if (kind < 0.06) lines.push(`x${ts}\tC${i}\t${src}\t1\t${dst}\t135\ttcp\t-\t-\t-\t-\tS0`); // bad ts
    else {
      const proto = pick(['tcp', 'tcp', 'udp', 'icmp', '-']);
      const state = pick(['S0', 'SF', 'REJ', 'RSTO', 'OTH', '-']);
      lines.push(`${ts}\tC${i}\t${src}\t${1024 + i}\t${dst}\t${pick([135, 445, 80])}\t${proto}\t-\t0.1\t${pick(['0', '10', '-'])}\t${pick(['0', '20', '-'])}\t${state}${rnd() < 0.1 ? '\r' : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

type Rec = [number, number | string, number | string, number, string];

function oneThread(text: string): { recs: Rec[]; bad: number[]; stats: ConnReadStats } {
  const recs: Rec[] = [];
  const bad: number[] = [];
  const s = new ConnTsvScanner((...r) => recs.push(r), (line) => bad.push(line));
  s.push(Buffer.from(text, 'latin1'));
  s.end();
  return { recs, bad, stats: { records: s.records, bad: s.bad, skipped: s.skipped } };
}

async function threaded(path: string, opts: Parameters<typeof readConnBatches>[2]): Promise<{ recs: Rec[]; bad: number[]; stats: ConnReadStats; batches: number }> {
  const recs: Rec[] = [];
  const bad: number[] = [];
  const stats: ConnReadStats = { records: 0, bad: 0, skipped: 0 };
  let batches = 0;
  for await (const b of readConnBatches(path, stats, { ...opts, onProblem: (p) => bad.push(p.line) })) {
    eachConnRecord(b.view, b.message, (...r) => recs.push(r));
    batches++;
  }
  return { recs, bad, stats, batches };
}

function withFile(text: string, f: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-conn-batch-'));
  const path = join(dir, 'conn.log');
  writeFileSync(path, text, 'latin1');
  return f(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('reader thread: same records, bad lines and counts as the scanner on one thread', async () => {
  const text = sampleLog(3000, 7);
  const want = oneThread(text);
  assert.ok(want.recs.some((r) => typeof r[1] === 'string') && want.recs.some((r) => typeof r[2] === 'string'), 'sample has IPv6 ends');
  assert.ok(want.bad.length > 50 && want.stats.skipped > 50, 'sample has bad and skipped lines');
  await withFile(text, async (path) => {
    for (const opts of [{}, { batchRecords: 1, readBytes: 7, maxInFlight: 1 }, { batchRecords: 97, readBytes: 4096, maxInFlight: 2 }]) {
      const got = await threaded(path, opts);
      assert.deepEqual(got.recs, want.recs, JSON.stringify(opts));
      assert.deepEqual(got.bad, want.bad, JSON.stringify(opts));
      assert.deepEqual(got.stats, want.stats, JSON.stringify(opts));
      if (opts.batchRecords === 97) assert.equal(got.batches, Math.ceil(want.recs.length / 97));
    }
  });
});

test('reader thread: an empty file and a header-only file give no batch and zero counts', async () => {
  for (const text of ['', `${HEADER.join('\n')}\n`]) {
    await withFile(text, async (path) => {
      const got = await threaded(path, {});
      assert.deepEqual(got, { recs: [], bad: [], stats: { records: 0, bad: 0, skipped: 0 }, batches: 0 });
    });
  }
});

test('reader thread: a missing file is a VIGIL_ERR_BAD_FILE error', async () => {
  await assert.rejects(
    async () => {
      for await (const _ of readConnBatches(join(tmpdir(), 'vigil-no-such-dir', 'conn.log'))) assert.fail('no batch expected');
    },
    (e: unknown) => e instanceof AppError && e.code === 'VIGIL_ERR_BAD_FILE' && /ENOENT/.test(e.message),
  );
});

test('reader thread: stopping after the first batch ends the thread (no hang, buffers not needed back)', async () => {
  await withFile(sampleLog(2000, 3), async (path) => {
    let seen = 0;
    for await (const b of readConnBatches(path, undefined, { batchRecords: 10, maxInFlight: 1 })) {
      seen += b.message.count;
      break;
    }
    assert.equal(seen, 10);
  });
});

test('batch columns: a writer and eachConnRecord round-trip the values exactly, text addresses in order', () => {
  const writer = new ConnBatchWriter(new ConnBatchView(newConnBatchBuffer(4)));
  const recs: Rec[] = [
    [1060617600123.456, -1062731775, 167772165, 65535, 'failure'],
    [1.5, '2001:db8::1', 3, 0, 'success'],
    [2, 4, '2001:db8::2', 135, 'unknown'],
    [3, 'fe80::1', 'fe80::2', 445, 'failure'],
  ];
  for (const r of recs) writer.add(...(r as Parameters<ConnBatchWriter['add']>));
  assert.ok(writer.full);
  const msg = writer.take();
  const back: Rec[] = [];
  eachConnRecord(new ConnBatchView(msg.buffer), msg, (...r) => back.push(r));
  assert.deepEqual(back, recs);
  assert.throws(() => new ConnBatchView(new ArrayBuffer(21)), RangeError);
});
