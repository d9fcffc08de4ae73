// A throwaway PostgreSQL 15 cluster for tests and benchmarks: initdb in a temporary directory, a
// free loopback port, its unix socket in the same directory, run as the `postgres` user when we are root.

import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot } from './peers.js';

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

export function pgBinDir(): string | undefined {
  return BIN_DIRS.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
}

/** `skip` option for node:test: false when a cluster can be started here, else the printed reason. */
export function skipWithoutPostgres(): false | string {
  if (!pgBinDir()) return 'PostgreSQL server binaries not installed (Debian package postgresql-15; .ci/run installs it)';
  if (isRoot() && spawnSync('id', ['postgres']).status !== 0) return 'running as root and no `postgres` user to run the cluster as';
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export class PgCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  /** initdb (trust auth on loopback and the socket: a throwaway cluster) and start. */
  static async start(): Promise<PgCluster> {
    const bin = pgBinDir();
    if (!bin) throw new Error('PostgreSQL binaries not found');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
    if (isRoot()) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    const c = new PgCluster(dir, await freePort(), bin);
    c.run('initdb', ['-D', c.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    c.startServer();
    return c;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  url(db = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }

  /** A fresh empty database; returns its URL. */
  createDatabase(name: string): string {
    this.run('psql', ['-h', this.dir, '-p', String(this.port), '-U', 'postgres', '-q', '-c', `create database "${name}"`]);
    return this.url(name);
  }

  /** Run psql and return its unaligned output. */
  psql(db: string, query: string): string {
    return this.run('psql', ['-h', this.dir, '-p', String(this.port), '-U', 'postgres', '-d', db, '-At', '-c', query]);
  }

  startServer(): void {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=60`;
    this.run('pg_ctl', ['-D', this.dataDir, '-o', opts, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
  }

  /** `fast`: a clean shutdown; `immediate`: like a crash (recovery from the WAL at the next start). */
  stopServer(mode: 'fast' | 'immediate' = 'fast'): void {
    this.run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  async dispose(): Promise<void> {
    try {
      this.stopServer('immediate');
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  run(tool: string, args: readonly string[]): string {
    const path = join(this.bin, tool);
    const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: this.dir, timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${tool} failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  }
}
