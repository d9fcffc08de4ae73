// `vigil pcap --count` beside tshark on DCE/RPC carried in SMB named pipes: the corpus's SMB
// connections (zeek_mapi, sv_dcerpc-ctxids, sv_zerologon, ...) repeated on fresh addresses to
// >= 100 MB (bench/make-capture.ts, carrier 'smb'), both tools on the same file in the same run,
// medians of wall and CPU time, and the PDU counts each found.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCapture, captureTemplate } from './make-capture.js';
import { median, timed, type Timing } from './timed-process.js';

export const title = 'smb: `vigil pcap --count` vs tshark on a 100 MB DCE/RPC-over-SMB capture';

const MIN_BYTES = 100 * 1024 * 1024;
const TOOL_RUNS = 3;
const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = join(here, '..', '..', '..', 'shared', 'corpus', 'dcerpc');
const CLI = join(here, '..', 'src', 'cli', 'main.js');
const TSHARK_FILTER = 'dcerpc && (smb || smb2)';




/** tshark prints one line per frame, PDU types comma-separated (several PDUs share a frame). */
const countTsharkPdus = (out: string): number => out.split('\n').filter(Boolean).reduce((n, l) => n + l.split(',').length, 0);

export async function run(): Promise<string> {
  if (!existsSync(CORPUS)) return `skipped: shared corpus not found at ${CORPUS}`;
  const hasTshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-smb-bench-'));
  try {
    const template = captureTemplate(CORPUS, 'smb');
    const big = buildCapture(join(dir, 'smb.pcap'), template, MIN_BYTES);
    const tsharkArgs = ['-r', big.path, '-Y', TSHARK_FILTER, '-T', 'fields', '-e', 'dcerpc.pkt_type'];
    const cli: Timing[] = [];
    const tshark: Timing[] = [];
    for (let i = 0; i < TOOL_RUNS; i++) {
      cli.push(timed(process.execPath, [CLI, 'pcap', '--count', '--json', big.path]));
      if (hasTshark) tshark.push(timed('tshark', tsharkArgs));
    }
    const ours = (JSON.parse(cli[0].out) as { pdus: number }).pdus;
    const theirs = hasTshark ? countTsharkPdus(tshark[0].out) : 0;
    const mb = big.bytes / 1e6;
    const row = (name: string, t: Timing[], pdus: number): string =>
      `| ${name} | ${median(t.map((x) => x.wall)).toFixed(2)} | ${(mb / median(t.map((x) => x.wall))).toFixed(1)} | ${median(t.map((x) => x.cpu)).toFixed(2)} | ${pdus.toLocaleString('en-US')} | ${t.length} |`;
    const lines = [
      `File: ${mb.toFixed(1)} MB, ${big.copies} copies of the corpus's SMB connections (${template.sources.join(', ')}).`,
      '',
      '| tool | median wall s | MB/s (wall) | median CPU s | DCE/RPC PDUs | runs |',
      '|---|---|---|---|---|---|',
      row('`vigil pcap --count --json`', cli, ours),
      ...(hasTshark ? [row(`\`tshark -Y '${TSHARK_FILTER}' -T fields -e dcerpc.pkt_type\``, tshark, theirs)] : []),
    ];
    if (hasTshark) {
      const ratio = (f: (t: Timing) => number): string => (median(tshark.map(f)) / median(cli.map(f))).toFixed(1);
      lines.push('', `Ratio tshark / vigil: **${ratio((t) => t.wall)}x** by wall time, **${ratio((t) => t.cpu)}x** by CPU time (target >= 10x). PDU counts ${ours === theirs ? 'equal' : `differ by ${ours - theirs}`}.`);
    } else lines.push('', 'tshark not installed: no peer figures.');
    lines.push('', 'Run: `npm run bench -- smb`.');
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
