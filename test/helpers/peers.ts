// Real peers for interop tests (tshark, nmap, impacket, Samba): find them, or give the skip reason.

import { spawnSync } from 'node:child_process';

export function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

/** `skip` option for node:test: false when the peer is installed, else the printed reason. */
export function skipWithoutPeer(cmd: string, pkg = cmd): false | string {
  return which(cmd) ? false : `${cmd} not installed (Debian package ${pkg}; .ci/run installs it)`;
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;
