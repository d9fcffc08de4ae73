// Port-state probes on other threads: the handshake and the close of each attempt (the syscalls,
// most of a connect scan's CPU) run in worker threads, so a scan uses more than one core, as zmap
// uses several send threads. The scanner's own thread keeps the order, the pacing and everything
// else; requests and outcomes cross in batches, one message per turn of each event loop.

import { Worker } from 'node:worker_threads';
import { socketProbe, type Connector } from './tcp-connect.js';
import { connect as netConnect } from 'node:net';
import type { ProbeOutcome } from './handle-probe.js';
import { outcomeFor, type OutcomeBatch, type ProbeBatch } from './probe-batch.js';

const openSocket = (host: string, port: number) => netConnect({ host, port, noDelay: true });

/** Requests for one thread, gathered during one turn of the loop. */
class PendingBatch {
  ids: number[] = [];
  hosts: string[] = [];
  counts: number[] = [];
  ports: number[] = [];

  encode(): ProbeBatch {
    return { ids: Int32Array.from(this.ids), hosts: this.hosts.join('\n'), counts: Uint16Array.from(this.counts), ports: Uint16Array.from(this.ports) };
  }
}

export class ProbeThreads {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, (o: ProbeOutcome[]) => void>();
  private batches: PendingBatch[];
  private nextId = 0;
  private next = 0;
  private scheduled = false;

  constructor(threads: number, timeoutMs: number) {
    const url = new URL('./probe-worker.js', import.meta.url);
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(url, { workerData: { timeoutMs } });
      w.on('message', (m: OutcomeBatch) => this.receive(m));
      return w;
    });
    this.batches = this.workers.map(() => new PendingBatch());
  }

  private receive(m: OutcomeBatch): void {
    const errors = new Map(m.errors);
    let at = 0;
    for (let i = 0; i < m.ids.length; i++) {
      const out = new Array<ProbeOutcome>(m.counts[i]);
      for (let k = 0; k < out.length; k++, at++) out[k] = outcomeFor(m.states[at], errors.get(at));
      const resolve = this.pending.get(m.ids[i]);
      this.pending.delete(m.ids[i]);
      resolve?.(out);
    }
  }

  probe(host: string, port: number): Promise<ProbeOutcome> {
    return this.probeMany(host, [port]).then((o) => o[0]);
  }

  probeMany(host: string, ports: readonly number[]): Promise<ProbeOutcome[]> {
    return new Promise((resolve) => {
      const id = this.nextId;
      this.nextId = (this.nextId + 1) | 0;
      this.pending.set(id, resolve);
      // round robin over the threads; a batch leaves when this turn of the loop is over
      const b = this.batches[this.next];
      this.next = (this.next + 1) % this.workers.length;
      b.ids.push(id);
      b.hosts.push(host);
      b.counts.push(ports.length);
      for (const p of ports) b.ports.push(p);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.scheduled = false;
    for (let i = 0; i < this.workers.length; i++) {
      const b = this.batches[i];
      if (b.ids.length === 0) continue;
      const m = b.encode();
      this.workers[i].postMessage(m);
      this.batches[i] = new PendingBatch();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** A connector whose port-state probes run on `threads` worker threads (with the given timeout);
 * conversations stay on this thread. `close()` ends the threads. */
export function threadedConnector(threads: number, timeoutMs: number): Connector & { close(): Promise<void> } {
  const t = new ProbeThreads(threads, timeoutMs);
  return {
    probe: (host, port) => t.probe(host, port),
    probeMany: (host, ports) => t.probeMany(host, ports),
    open: openSocket,
    close: () => t.close(),
  };
}

export { socketProbe };
