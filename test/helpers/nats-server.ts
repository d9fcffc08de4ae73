// A throwaway nats-server with JetStream for tests and benchmarks (Debian's nats-server 2.9):
// `-js -a 127.0.0.1 -p PORT -sd DIR`, killed and restarted on the same port and store directory.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './pg-cluster.js';
import { which } from './peers.js';

export function skipWithoutNats(): false | string {
  return which('nats-server') ? false : 'nats-server not installed (Debian package nats-server; .ci/run installs it)';
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export class NatsServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly extraArgs: readonly string[],
  ) {}

  /** On `port` when given (a sensor configured before its broker exists), else a free one. */
  static async start(extraArgs: readonly string[] = [], port?: number): Promise<NatsServer> {
    const s = new NatsServer(port ?? (await freePort()), mkdtempSync(join(tmpdir(), 'vigil-nats-')), extraArgs);
    await s.startProcess();
    return s;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async startProcess(): Promise<void> {
    this.child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.dir, ...this.extraArgs], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await accepting(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('nats-server did not start');
  }

  /** SIGKILL: the broker dies as in a crash (JetStream recovers its file store at the next start). */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill('SIGKILL');
    });
    this.child = undefined;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
