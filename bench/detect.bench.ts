// Detection benchmark: Zeek conn.log records/s through TRW + Zeek-style thresholds beside a plain
// Node line-splitting read of the same generated file, and the exploit detector vs the signature baseline.

import { createReadStream, mkdtempSync, openSync, closeSync, writeSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DetectPipeline } from '../src/detect/detect-pipeline.js';
import { ThresholdDetector } from '../src/detect/scan-threshold-detector.js';
import { TrwDetector } from '../src/detect/scan-trw-detector.js';
import { eachConnRecord } from '../src/ingest/conn-batch.js';
import { readConnBatches, type ConnReadStats } from '../src/ingest/conn-batch-reader.js';
import { ConnTsvScanner } from '../src/ingest/zeek-conn-scanner.js';
import { exploitComparisonTable, sharedVariantTable } from './signature-baseline.js';

export const title = 'Detection: conn.log through TRW + thresholds; exploit detector vs signature rules';

const LINES = Number(process.env['VIGIL_BENCH_CONN_LINES'] ?? 10_000_000);
const RUNS = Number(process.env['VIGIL_BENCH_RUNS'] ?? 5);
const HEADER = [
  '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', '#open\t2003-08-11-16-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]',
].join('\n');

/**
 * A telescope-plus-enterprise mix at 1,000 connections/s: 90% from 2,000 ordinary clients to 50
 * servers (SF), 10% from 2,000 scanners sweeping 135 and 445 over a /16 (S0). Deterministic (LCG).
 */
export function generate(path: string, lines: number): void {
  const fd = openSync(path, 'w');
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  let batch = `${HEADER}\n`;
  for (let i = 0; i < lines; i++) {
    const ts = (1060617600 + i / 1000).toFixed(6);
    if (rnd(10) === 0) {
      const s = rnd(2000);
      batch += `${ts}\tC${i.toString(36)}\t198.51.${s >> 8}.${s & 255}\t${1024 + rnd(60000)}\t10.1.${rnd(256)}.${rnd(256)}\t${rnd(2) ? 135 : 445}\ttcp\t-\t-\t-\t-\tS0\t0\tS\t1\t48\t0\t0\t-\n`;
    } else {
      const c = rnd(2000);
      batch += `${ts}\tC${i.toString(36)}\t10.0.${c >> 8}.${c & 255}\t${1024 + rnd(60000)}\t10.2.0.${rnd(50)}\t443\ttcp\tssl\t0.512000\t517\t4120\tSF\t0\tShADadFf\t8\t937\t7\t4492\t-\n`;
    }
    if (batch.length > 1 << 22) {
      writeSync(fd, batch);
      batch = '';
    }
  }
  writeSync(fd, batch);
  closeSync(fd);
}

const STREAM = { encoding: 'latin1' as const, highWaterMark: 1 << 20 };
const RAW = { highWaterMark: 1 << 20 };

/** The peer: read the file and split it into lines (a string per line), doing nothing else. */
async function plainRead(path: string): Promise<number> {
  let n = 0;
  let rest = '';
  for await (const chunk of createReadStream(path, STREAM)) {
    const s = rest + (chunk as string);
    let start = 0;
    for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', start)) {
      if (s.slice(start, nl).length >= 0) n++;
      start = nl + 1;
    }
    rest = s.slice(start);
  }
  return n;
}

/** Ours without the detectors: the same read and parse, each record handed to a no-op (the parser's share). */
async function parseRead(path: string): Promise<{ records: number; failures: number }> {
  let failures = 0;
  const scanner = new ConnTsvScanner((_ts, _src, _dst, _dport, outcome) => {
    if (outcome === 'failure') failures++;
  });
  for await (const chunk of createReadStream(path, RAW)) scanner.push(chunk as Buffer);
  scanner.end();
  return { records: scanner.records, failures }; // the outcome is read, as ours reads it
}

/** Ours on one thread: the same read, every record parsed from the #fields columns and run through both detectors. */
async function detectRead(path: string): Promise<{ records: number; alerts: number }> {
  const trw = new TrwDetector();
  const thr = new ThresholdDetector();
  let alerts = 0;
  const scanner = new ConnTsvScanner((ts, src, dst, dport, outcome) => {
    if (outcome === 'unknown') return;
    alerts += trw.observe(ts, src, dst, outcome === 'success', dport).length;
    if (outcome === 'failure') alerts += thr.observe(ts, src, dst, dport).length;
  });
  let lastExpire = 0;
  for await (const chunk of createReadStream(path, RAW)) {
    scanner.push(chunk as Buffer);
    if (scanner.records - lastExpire > 1_000_000) {
      lastExpire = scanner.records;
      trw.expire(1060617600000 + scanner.records); // 1 record per ms in the generated file
    }
  }
  scanner.end();
  return { records: scanner.records, alerts };
}

/**
 * Ours as `vigil replay` reads a Zeek TSV conn.log (src/cli/commands/replay.ts): read and parse on
 * the reader thread (conn-batch-reader.ts), each record into DetectPipeline.pushConn on this thread,
 * here with only TRW and the thresholds switched on (the measure; the CLI row adds the rest).
 * The pipeline expires TRW state every 60 s of event time (no source of the file is idle long enough).
 */
async function detectThreaded(path: string): Promise<{ records: number; alerts: number }> {
  const pipeline = new DetectPipeline({ surge: false, exploit: false });
  let alerts = 0;
  const onRecord = (ts: number, src: number | string, dst: number | string, dport: number, outcome: 'success' | 'failure' | 'unknown'): void => {
    alerts += pipeline.pushConn(ts, src, dst, dport, outcome).length;
  };
  const stats: ConnReadStats = { records: 0, bad: 0, skipped: 0 };
  for await (const b of readConnBatches(path, stats)) eachConnRecord(b.view, b.message, onRecord);
  return { records: stats.records, alerts };
}

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** The product as a user runs it: `vigil replay --no-dedup FILE`, every detector, alerts printed (to /dev/null). */
function cliReplay(path: string): Timing & { alerts: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, CLI, 'replay', '--no-dedup', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`vigil replay failed: ${r.stderr}`);
  const [wall, user, sys] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number];
  return { wall, cpu: user + sys, alerts: r.stdout.split('\n').filter((l) => l.length > 0).length };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

interface Timing {
  /** Wall seconds. */
  wall: number;
  /** CPU seconds of the process (user + system, all threads): less sensitive to other tenants. */
  cpu: number;
}

async function timed<T>(f: () => Promise<T>): Promise<{ t: Timing; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const value = await f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { t: { wall, cpu: (c.user + c.system) / 1e6 }, value };
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' / ');
const rate = (n: number, s: number): string => Math.round(n / s).toLocaleString('en');

/** The conn.log section: plain read, ours and ours without detectors alternated RUNS times on one generated file. */
async function connSection(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-conn-'));
  const path = join(dir, 'conn.log');
  try {
    generate(path, LINES);
    const size = statSync(path).size;
    const loadBefore = load();
    const plain: Timing[] = [];
    const ours: Timing[] = [];
    const single: Timing[] = [];
    const parse: Timing[] = [];
    const cli: Timing[] = [];
    let cliAlerts = 0;
    let last = { records: 0, alerts: 0 };
    let lastSingle = { records: 0, alerts: 0 };
    for (let r = 0; r < RUNS; r++) {
      plain.push((await timed(() => plainRead(path))).t);
      const o = await timed(() => detectThreaded(path));
      ours.push(o.t);
      last = o.value;
      const s = await timed(() => detectRead(path));
      single.push(s.t);
      lastSingle = s.value;
      parse.push((await timed(() => parseRead(path))).t);
      const c = cliReplay(path);
      cli.push(c);
      cliAlerts = c.alerts;
    }
    if (lastSingle.alerts !== last.alerts || lastSingle.records !== last.records) throw new Error(`reader thread and one thread disagree: ${JSON.stringify({ last, lastSingle })}`);
    const pw = median(plain.map((t) => t.wall));
    const pc = median(plain.map((t) => t.cpu));
    const ow = median(ours.map((t) => t.wall));
    const oc = median(ours.map((t) => t.cpu));
    const sw = median(single.map((t) => t.wall));
    const sc = median(single.map((t) => t.cpu));
    const qw = median(parse.map((t) => t.wall));
    const qc = median(parse.map((t) => t.cpu));
    const cw = median(cli.map((t) => t.wall));
    const cc = median(cli.map((t) => t.cpu));
    const ratioWall = pw / ow;
    const ratioCpu = pc / oc;
    const ourRate = last.records / ow;
    return [
      `Generated conn.log: ${LINES.toLocaleString('en')} records, ${(size / 2 ** 20).toFixed(0)} MiB (90% ordinary SF clients, 10% S0 scanners on 135/445).`,
      `Median of ${RUNS} runs each, alternated (plain, ours, ours on one thread, parse only, vigil replay, plain, ...); load average (1/5/15 min) ${loadBefore} before, ${load()} after. Command: \`npx tsc -p tsconfig.json && node dist/bench/run-all.js detect\` (VIGIL_BENCH_CONN_LINES, VIGIL_BENCH_RUNS to change the size and runs).`,
      'Records/s by wall time (the target) and by the process\'s CPU time (user + system, all threads; steadier when the machine is shared).',
      'Ours is the path `vigil replay` takes for a Zeek TSV conn.log: read and parse on a reader thread (src/ingest/conn-batch-reader.ts) while this thread runs the detectors (DetectPipeline.pushConn, TRW + thresholds on), so it needs a second free core: its CPU time is the sum of both threads. The one-thread row is the same parser and detectors without the reader thread (a library path). CPU of the CLI row from /usr/bin/time.',
      '',
      '| path | median wall s | records/s (wall) | vs plain (wall) | median CPU s | records/s (CPU) | vs plain (CPU) |',
      '|---|---:|---:|---:|---:|---:|---:|',
      `| plain Node read + line split (peer) | ${pw.toFixed(2)} | ${rate(LINES, pw)} | 1.00 | ${pc.toFixed(2)} | ${rate(LINES, pc)} | 1.00 |`,
      `| read + parse #fields on the reader thread, TRW + thresholds on this one (Vigil) | ${ow.toFixed(2)} | ${rate(last.records, ow)} | ${ratioWall.toFixed(2)} | ${oc.toFixed(2)} | ${rate(last.records, oc)} | ${ratioCpu.toFixed(2)} |`,
      `| \`vigil replay --no-dedup FILE\` (CLI process: start-up, every detector incl. surge, alerts printed) | ${cw.toFixed(2)} | ${rate(last.records, cw)} | ${(pw / cw).toFixed(2)} | ${cc.toFixed(2)} | ${rate(last.records, cc)} | ${(pc / cc).toFixed(2)} |`,
      `| the same on one thread | ${sw.toFixed(2)} | ${rate(last.records, sw)} | ${(pw / sw).toFixed(2)} | ${sc.toFixed(2)} | ${rate(last.records, sc)} | ${(pc / sc).toFixed(2)} |`,
      `| read + parse #fields only, no detectors (Vigil's parser share) | ${qw.toFixed(2)} | ${rate(last.records, qw)} | ${(pw / qw).toFixed(2)} | ${qc.toFixed(2)} | ${rate(last.records, qc)} | ${(pc / qc).toFixed(2)} |`,
      '',
      `Wall runs, s: plain ${plain.map((t) => t.wall.toFixed(2)).join(', ')}; ours ${ours.map((t) => t.wall.toFixed(2)).join(', ')}; one thread ${single.map((t) => t.wall.toFixed(2)).join(', ')}.`,
      `Targets: >= 1,000,000 records/s (${ourRate >= 1e6 ? 'met' : 'NOT met'}) and >= 50% of the plain read (${ratioWall >= 0.5 ? 'met' : 'NOT met'} by wall time, ${ratioCpu >= 0.5 ? 'met' : 'NOT met'} by CPU time). Alerts raised in the last run: ${last.alerts.toLocaleString('en')} (the same count on one thread); \`vigil replay\` printed ${cliAlerts.toLocaleString('en')} (surge alerts included).`,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<string> {
  return [
    await connSection(),
    '',
    '### Exploit detection by decoding vs content signatures',
    '',
    exploitComparisonTable(),
    '',
    sharedVariantTable(),
  ].join('\n');
}
