// Where the SQLite store's write transactions run: on the caller's event loop (inline; ':memory:'
// stores) or on a writer thread (node:worker_threads) that acknowledges each commit by message.

import { Worker } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { CoreDatabase } from '../core-tables.js';
import type { OpenOptions } from './sqlite-open.js';
import { commitUnits, type UnitResult, type WriteUnit } from './sqlite-write-units.js';

export type WriterRequest = { readonly id: number; readonly op: 'commit'; readonly units: readonly WriteUnit[] } | { readonly id: number; readonly op: 'close' };
export type WriterReply = { readonly id: number; readonly ok: true; readonly results: UnitResult[] } | { readonly id: number; readonly ok: false; readonly error: string };

/** Commits a batch of units in one transaction; resolves only after the commit. */
export interface UnitWriter {
  commit(units: readonly WriteUnit[]): Promise<UnitResult[]>;
  close(): Promise<void>;
}

export function inlineWriter(db: Kysely<CoreDatabase>): UnitWriter {
  return { commit: (units) => commitUnits(db, units), close: async () => undefined };
}

/** Under tsx (tests from sources) the worker is a .ts file: register tsx's loader inside it first. */
function spawnWorker(data: OpenOptions): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './sqlite-writer-worker.ts' : './sqlite-writer-worker.js', import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: data });
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

export class WorkerWriter implements UnitWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(r: UnitResult[]): void; reject(e: Error): void }>();
  private nextId = 1;
  private failure: Error | undefined;
  private exited = false;
  private closing = false;

  private constructor(data: OpenOptions, private readonly logger?: Logger) {
    this.worker = spawnWorker(data);
    this.worker.on('message', (m: WriterReply) => this.settle(m));
    this.worker.on('error', (e) => this.fail(new AppError('VIGIL_ERR_STORE', `store writer thread failed: ${e.message}`, undefined, { cause: e })));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.fail(new AppError('VIGIL_ERR_STORE', `store writer thread exited (${code})`));
    });
  }

  /** Start the thread and wait until its connection is open. */
  static async start(data: OpenOptions, logger?: Logger): Promise<WorkerWriter> {
    const w = new WorkerWriter(data, logger);
    await new Promise<UnitResult[]>((resolve, reject) => w.waiting.set(0, { resolve, reject }));
    w.worker.unref(); // referenced again only while a commit is outstanding (see request)
    return w;
  }

  commit(units: readonly WriteUnit[]): Promise<UnitResult[]> {
    return this.request({ id: this.nextId++, op: 'commit', units });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.exited) return;
    if (!this.failure) await this.request({ id: this.nextId++, op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private request(req: WriterRequest): Promise<UnitResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(req.id, { resolve, reject });
      // A pending acknowledgement keeps the process alive; an idle writer does not.
      if (this.waiting.size === 1) this.worker.ref();
      this.worker.postMessage(req);
    });
  }

  private settle(m: WriterReply): void {
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (m.ok) w.resolve(m.results);
    else w.reject(new AppError('VIGIL_ERR_STORE', m.error));
  }

  private fail(e: Error): void {
    // After close() the thread's exit is expected; before it, every later write will fail: say why once.
    if (!this.failure && !this.closing) this.logger?.error({ err: e.message }, 'store writer thread stopped; writes fail from now on');
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
