// Port-state probes on other threads: the handshake and the close of each attempt (the syscalls,
// most of a connect scan's CPU) run in worker threads, so a scan uses more than one core, as zmap
// uses several send threads. The scanner's own thread keeps the order, the pacing and everything
// else; requests and outcomes cross in batches, one message per turn of each event loop.

import { Worker } from 'node:worker_threads';
import { socketProbe, type Connector } from './tcp-connect.js';
import { connect as netConnect } from 'node:net';
import type { OutcomeBatch, ProbeBatch } from './probe-worker.js';
import type { ProbeOutcome } from './handle-probe.js';

const openSocket = (host: string, port: number) => netConnect({ host, port, noDelay: true });

export class ProbeThreads {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, (o: ProbeOutcome[]) => void>();
  private readonly batches: ProbeBatch[];
  private nextId = 0;
  private next = 0;
  private scheduled = false;

  constructor(threads: number, timeoutMs: number) {
    const url = new URL('./probe-worker.js', import.meta.url);
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(url, { workerData: { timeoutMs } });
      w.on('message', (m: OutcomeBatch) => {
        for (let i = 0; i < m.ids.length; i++) {
          const resolve = this.pending.get(m.ids[i]);
          this.pending.delete(m.ids[i]);
          resolve?.(m.outcomes[i]);
        }
      });
      return w;
    });
    this.batches = this.workers.map(() => ({ ids: [], hosts: [], ports: [] }));
  }

  probe(host: string, port: number): Promise<ProbeOutcome> {
    return this.probeMany(host, [port]).then((o) => o[0]);
  }

  probeMany(host: string, ports: readonly number[]): Promise<ProbeOutcome[]> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      // round robin over the threads; a batch leaves when this turn of the loop is over
      const b = this.batches[this.next];
      this.next = (this.next + 1) % this.workers.length;
      b.ids.push(id);
      b.hosts.push(host);
      b.ports.push([...ports]);
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
      this.workers[i].postMessage(b);
      this.batches[i] = { ids: [], hosts: [], ports: [] };
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
