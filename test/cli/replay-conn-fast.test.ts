// `vigil replay` reads Zeek TSV conn.logs on the fast path (reader thread, column batches,
// DetectPipeline.pushConn): it must give exactly what the general reader gives (event objects
// through DetectPipeline.push): the same alerts in the same order, the same bad lines with their
// line numbers, the same counts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayFiles } from '../../src/cli/commands/replay.js';
import type { IngestProblem } from '../../src/ingest/ingest-types.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { mulberry32 } from '../helpers/prng.js';

const HEADER = [
  '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tmissed_bytes\thistory',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tcount\tstring',
];
const STATES = ['SF', 'S0', 'REJ', 'RSTO', 'RSTR', 'SH', 'OTH', 'S1', 'RSTOS0', '-'];

/**
 * Four days of mixed traffic, ~150k lines (more than two reader batches, several 1 MiB reads):
 * ordinary clients, sweeping scanners on 135/445 (TRW, address_scan, surge), a port scanner
 * (port_scan), IPv6 and udp/icmp records, unset fields, and bad lines of several kinds.
 */
function mixedLog(seed: number): string {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const lines = [...HEADER];
  let ts = 1060617600;
  for (let i = 0; i < 150_000; i++) {
    ts += rnd() * 4.6; // about four days: the surge detector needs days of baseline
    const r = rnd();
    const t = ts.toFixed(6);
    if (i % 40_000 === 39_999) {
      // Bursts the thresholds must see: 30 hosts on 135 and 20 ports on one host within seconds.
      for (let k = 1; k <= 30; k++) lines.push(`${(ts + k / 100).toFixed(6)}\tCb${i}.${k}\t192.0.2.66\t4000${k % 10}\t10.9.0.${k}\t135\ttcp\t-\t-\t-\t-\tS0\t0\tS`);
      for (let k = 1; k <= 20; k++) lines.push(`${(ts + k / 100).toFixed(6)}\tCq${i}.${k}\t203.0.113.10\t5000\t10.2.0.8\t${k * 7}\ttcp\t-\t-\t-\t-\tREJ\t0\tSr`);
    }
    if (r < 0.002) {
      lines.push(pick([`${t}\tCbad\t10.0.0.1`, `notatime\tC\t10.0.0.1\t1\t10.0.0.2\t80\ttcp\t-\t-\t-\t-\tSF\t0\tS`, '', `${t}\tC\t10.0.0.1\t1\t10.0.0.2\t99999\ttcp\t-\t-\t-\t-\tSF\t0\tS`]));
    } else if (r < 0.12) {
      const s = Math.floor(rnd() * 300);
      // Surge: in the last fifth of the file five times the scanning, from thousands of sources
      // (a surge must be significant at the baseline rate, not only a CUSUM drift: issue 12 item 4).
      if (i < 120_000 && s > 60) continue;
      for (let k = 0; k < (i < 120_000 ? 1 : 5); k++) {
        const src = k === 0 ? s : 300 + Math.floor(rnd() * 5000);
        lines.push(`${t}\tCs${i}.${k}\t198.51.${src >> 8}.${src & 255}\t${1024 + Math.floor(rnd() * 60000)}\t10.1.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}\t${rnd() < 0.5 ? 135 : 445}\ttcp\t-\t-\t-\t-\t${pick(['S0', 'REJ', 'S0', 'RSTOS0'])}\t0\tS`);
      }
    } else if (r < 0.125) {
      lines.push(`${t}\tCp${i}\t203.0.113.9\t5555\t10.2.0.7\t${1 + Math.floor(rnd() * 40)}\ttcp\t-\t-\t-\t-\tREJ\t0\tSr`);
    } else if (r < 0.14) {
      lines.push(`${t}\tC6${i}\t2001:db8::${Math.floor(rnd() * 64).toString(16)}\t40000\t2001:db8:1::${Math.floor(rnd() * 4096).toString(16)}\t135\ttcp\t-\t-\t-\t-\t${pick(STATES)}\t0\tS`);
    } else if (r < 0.15) {
      lines.push(`${t}\tCu${i}\t10.0.3.${Math.floor(rnd() * 256)}\t53\t10.2.0.1\t${pick(['53', '0'])}\t${pick(['udp', 'icmp'])}\tdns\t0.01\t40\t80\tSF\t0\tDd`);
    } else {
      const c = Math.floor(rnd() * 500);
      const bytes = rnd() < 0.1 ? '-' : String(Math.floor(rnd() * 5000));
      lines.push(`${t}\tCc${i}\t10.0.${c >> 8}.${c & 255}\t${1024 + Math.floor(rnd() * 60000)}\t10.2.0.${Math.floor(rnd() * 50)}\t${pick([443, 80, 135, 445])}\ttcp\tssl\t0.5\t${bytes}\t${bytes}\t${pick(STATES)}\t0\tShADadFf`);
    }
  }
  lines.push('#close\t2003-08-11-20-00-00');
  return `${lines.join('\n')}\n`;
}

async function bothPaths(file: string): Promise<{ fast: unknown; general: unknown }> {
  const run = async (fastConn: boolean): Promise<unknown> => {
    const problems: IngestProblem[] = [];
    const { alerts, stats } = await replayFiles([file], { fastConn, onProblem: (p) => problems.push(p) });
    return { alerts, stats, problems };
  };
  return { fast: await run(true), general: await run(false) };
}

test('conn.log fast path: same alerts, bad lines and counts as the general reader on mixed traffic', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-conn-fast-'));
  try {
    const file = join(dir, 'conn.log');
    writeFileSync(file, mixedLog(7));
    const { fast, general } = await bothPaths(file);
    assert.deepEqual(fast, general);
    const g = general as { alerts: { detector: string }[]; problems: unknown[] };
    // The file must exercise what it claims to, or the equality proves little.
    const detectors = new Set(g.alerts.map((a) => a.detector));
    for (const d of ['trw', 'threshold', 'surge']) assert.ok(detectors.has(d), `no ${d} alert in the mixed file: ${[...detectors].join(', ')}`);
    assert.ok(g.problems.length > 100, `bad lines reported: ${g.problems.length}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('conn.log fast path: same result on the golden scan-conn.log and on a header-only file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-conn-fast-'));
  try {
    const empty = join(dir, 'empty.log');
    writeFileSync(empty, `${HEADER.join('\n')}\n`);
    for (const file of [join(REPO_ROOT, 'test', 'golden', 'replay', 'scan-conn.log'), empty]) {
      const { fast, general } = await bothPaths(file);
      assert.deepEqual(fast, general, file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** 30 failed contacts of one source on 135 (enough for TRW and the address threshold), one field set per case. */
function sweep(ts: number, row: (t: string, k: number) => string): string[] {
  const out: string[] = [];
  for (let k = 1; k <= 30; k++) out.push(row((ts + k / 100).toFixed(6), k));
  return out;
}

test('conn.log fast path: same result as the general reader on odd fields (unset proto, markers, loose numbers)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-conn-fast-'));
  const row = (ts: string, src: string, dst: string, dport: string, proto: string, state: string): string =>
    `${ts}\tC\t${src}\t4000\t${dst}\t${dport}\t${proto}\t-\t-\t-\t-\t${state}\t0\tS`;
  const cases: Record<string, string[]> = {
    // The general reader takes a record without a transport for no port contact.
    unsetProto: [...HEADER, ...sweep(1000, (t, k) => row(t, '192.0.2.66', `10.9.0.${k}`, '135', '-', 'S0'))],
    emptyProto: [...HEADER, ...sweep(1000, (t, k) => row(t, '192.0.2.66', `10.9.0.${k}`, '135', '(empty)', 'S0'))],
    noProtoColumn: [
      '#separator \\x09', '#fields\tts\tid.orig_h\tid.resp_h\tid.resp_p\tconn_state',
      ...sweep(1000, (t, k) => `${t}\t192.0.2.66\t10.9.0.${k}\t135\tS0`),
    ],
    // Markers of the file's own header are missing values, whatever they are.
    otherUnset: [...HEADER, '#unset_field\tNA', ...sweep(1000, (t, k) => row(t, k % 2 ? 'NA' : '-', `10.9.0.${k}`, '135', 'tcp', 'S0'))],
    emptyMarkers: [...HEADER, ...sweep(1000, (t, k) => row(t, k % 3 ? '(empty)' : '', `10.9.0.${k}`, '135', 'tcp', k % 2 ? '(empty)' : 'S0'))],
    // Numbers the general reader's Number() takes: exponent, sign, blanks, hex, empty.
    looseNumbers: [...HEADER, ...sweep(1000, (t, k) => row([`${t}e0`, ` ${t}`, '0x10', '', `+${t}`][k % 5]!, '192.0.2.66', `10.9.0.${k}`, ['135', '+135', ' 135', '1.35e2', ''][k % 5]!, 'tcp', 'S0'))],
    looseBytes: [...HEADER, ...sweep(1000, (t, k) => `${t}\tC\t192.0.2.66\t4000\t10.9.0.${k}\t135\ttcp\t-\t-\t${['1e1', ' 5', '0x1', '-'][k % 4]}\t0\tRSTO\t0\tS`)],
  };
  try {
    for (const [name, lines] of Object.entries(cases)) {
      const file = join(dir, `${name}.log`);
      writeFileSync(file, `${lines.join('\n')}\n`);
      const { fast, general } = await bothPaths(file);
      assert.deepEqual(fast, general, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
