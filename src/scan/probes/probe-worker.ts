// Entry of a probe thread (node:worker_threads): takes batches of (id, host, port) from the scanner,
// runs the bare-handle handshake probe on each, and sends the outcomes back in batches.

import { parentPort, workerData } from 'node:worker_threads';
import { handleProber, type ProbeOutcome } from './handle-probe.js';

/** Per id one host and its ports (a host's ports go together, as probeMany sends them). */
export interface ProbeBatch {
  readonly ids: number[];
  readonly hosts: string[];
  readonly ports: number[][];
}
export interface OutcomeBatch {
  readonly ids: number[];
  readonly outcomes: ProbeOutcome[][];
}

const timeoutMs = (workerData as { timeoutMs: number }).timeoutMs;
const prober = handleProber();
let ids: number[] = [];
let outcomes: ProbeOutcome[][] = [];
let flushing = false;

function flush(): void {
  flushing = false;
  parentPort!.postMessage({ ids, outcomes } satisfies OutcomeBatch);
  ids = [];
  outcomes = [];
}

parentPort!.on('message', (b: ProbeBatch) => {
  for (let i = 0; i < b.ids.length; i++) {
    const id = b.ids[i];
    const p = prober ? prober.probeMany(b.hosts[i], b.ports[i], timeoutMs) : Promise.resolve(b.ports[i].map((): ProbeOutcome => ({ state: 'filtered', error: 'no tcp_wrap in this thread' })));
    void p.then((o) => {
      ids.push(id);
      outcomes.push(o);
      // one message for every outcome that completed in this turn of the loop
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    });
  }
});
