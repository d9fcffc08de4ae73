// Entry of a probe thread (node:worker_threads): takes batches of hosts and their ports from the
// scanner, runs the bare-handle handshake probe on each, and sends the outcomes back in batches.

import { parentPort, workerData } from 'node:worker_threads';
import { handleProber, type ProbeOutcome } from './handle-probe.js';
import { codeOf, type OutcomeBatch, type ProbeBatch } from './probe-batch.js';

const timeoutMs = (workerData as { timeoutMs: number }).timeoutMs;
const prober = handleProber();
let ids: number[] = [];
let done: ProbeOutcome[][] = [];
let flushing = false;

function flush(): void {
  flushing = false;
  let total = 0;
  for (const o of done) total += o.length;
  const states = new Uint8Array(total);
  const counts = new Uint16Array(done.length);
  const errors: [number, string][] = [];
  let at = 0;
  for (let i = 0; i < done.length; i++) {
    counts[i] = done[i].length;
    for (const o of done[i]) {
      if (o.error !== undefined) errors.push([at, o.error]);
      states[at++] = codeOf(o);
    }
  }
  const out: OutcomeBatch = { ids: Int32Array.from(ids), counts, states, errors };
  parentPort!.postMessage(out);
  ids = [];
  done = [];
}

function deliver(id: number, o: ProbeOutcome[]): void {
  ids.push(id);
  done.push(o);
  // one message for every outcome that completed in this turn of the loop
  if (!flushing) {
    flushing = true;
    setImmediate(flush);
  }
}

parentPort!.on('message', (b: ProbeBatch) => {
  const hosts = b.hosts.split('\n');
  let at = 0;
  for (let i = 0; i < b.ids.length; i++) {
    const id = b.ids[i];
    const ports = Array.from(b.ports.subarray(at, at + b.counts[i]));
    at += b.counts[i];
    if (prober) prober.startMany(hosts[i], ports, timeoutMs, (o) => deliver(id, o));
    else deliver(id, ports.map((): ProbeOutcome => ({ state: 'filtered', error: 'no tcp_wrap in this thread' })));
  }
});
