// One process run, timed: wall seconds, and CPU seconds (user + system) from /usr/bin/time when it is
// there (else the wall time), with its stdout. The pcap and smb benches time vigil and tshark with it.

import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface Timing {
  wall: number;
  cpu: number;
  out: string;
}

const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Run a command; CPU time (user + sys) from /usr/bin/time when present, else wall time. */
export function timed(cmd: string, args: readonly string[]): Timing {
  const argv = TIME_BIN ? [TIME_BIN, '-f', 'CPU %U %S', cmd, ...args] : [cmd, ...args];
  const start = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : wall, out: r.stdout };
}
