// Test helper: TCP payloads of a capture, per stream and direction in delivery order, as tshark's
// `follow,tcp,raw` reassembles them; an independent peer, so connection tests need not trust our own
// pcap reader. Node 0 (the first endpoint tshark saw) is taken as the client.

import { spawnSync } from 'node:child_process';
import type { Direction } from '../../../../src/model/flow.js';

export interface FollowedSegment {
  readonly dir: Direction;
  readonly bytes: Uint8Array;
}
export interface FollowedStream {
  readonly index: number;
  readonly client: string;
  readonly server: string;
  readonly segments: readonly FollowedSegment[];
}

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Indexes of the TCP streams in a capture. */
export function tcpStreams(file: string): number[] {
  const out = tshark(['-r', file, '-Y', 'tcp', '-T', 'fields', '-e', 'tcp.stream']);
  return [...new Set(out.split('\n').filter(Boolean).map(Number))].sort((a, b) => a - b);
}

export function followTcp(file: string, index: number): FollowedStream {
  return followAll(file, [index])[0];
}

/** Every listed stream (default: all) in one tshark run. */
export function followAll(file: string, indexes = tcpStreams(file)): FollowedStream[] {
  if (indexes.length === 0) return [];
  const args = ['-r', file, '-q'];
  for (const i of indexes) args.push('-z', `follow,tcp,raw,${i}`);
  const blocks = tshark(args).split(/^Filter: tcp\.stream eq /m).slice(1);
  return blocks.map((block) => {
    const lines = block.split('\n');
    const node = (n: number): string => (lines.find((l) => l.startsWith(`Node ${n}: `)) ?? '').slice(8);
    const segments: FollowedSegment[] = [];
    for (const line of lines) {
      const m = /^(\t?)([0-9a-f]+)$/.exec(line);
      if (m) segments.push({ dir: m[1] ? 'to_client' : 'to_server', bytes: new Uint8Array(Buffer.from(m[2], 'hex')) });
    }
    return { index: Number(lines[0]), client: node(0), server: node(1), segments };
  });
}

/** tshark's own per-PDU facts, one tab-separated line per DCE/RPC PDU over TCP. */
export function tsharkPduFacts(file: string, fields: readonly string[]): string[][] {
  const args = ['-r', file, '-Y', 'dcerpc && tcp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of fields) args.push('-e', f);
  return tshark(args).split('\n').filter(Boolean).map((l) => l.split('\t'));
}
