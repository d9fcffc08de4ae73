// Real peers for interop tests (tshark, nmap, impacket, Samba): find them, or give the skip reason.

import { spawn, spawnSync } from 'node:child_process';

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

/** A peer's environment: Debian's binaries first, whatever PATH the test runner had. */
export const PEER_ENV = { ...process.env, PATH: `/usr/bin:/bin:${process.env.PATH ?? ''}` };

export interface PeerRun {
  readonly code: number | null;
  /** stdout alone. */
  readonly stdout: string;
  /** stdout and stderr as they arrived. */
  readonly out: string;
}

/** Run a peer asynchronously (a node under test may share this process's event loop), killed after `timeoutMs`. */
export function runPeer(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<PeerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { env: PEER_ENV, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, out }));
  });
}
