// What crosses between the scanner's thread and its probe threads (probe-threads.ts,
// probe-worker.ts): flat typed arrays and one joined string, copied as a few buffers instead of a
// structured clone of an object per host.

import { CLOSED, FILTERED, OPEN, type ProbeOutcome } from './handle-probe.js';

/** Per id one host and its ports (a host's ports go together, as probeMany sends them). */
export interface ProbeBatch {
  readonly ids: Int32Array;
  /** The hosts joined by '\n'. */
  readonly hosts: string;
  /** How many ports each host has, and all the ports one host after the other. */
  readonly counts: Uint16Array;
  readonly ports: Uint16Array;
}

/** Per id its outcomes in port order: states as codes, and the few errors as (position, errno name). */
export interface OutcomeBatch {
  readonly ids: Int32Array;
  readonly counts: Uint16Array;
  readonly states: Uint8Array;
  readonly errors: [number, string][];
}

const STATES = ['open', 'closed', 'filtered'] as const;

export const codeOf = (o: ProbeOutcome): number => STATES.indexOf(o.state);

/** The outcome of a state code (the shared constants unless an error goes with it). */
export const outcomeFor = (code: number, error: string | undefined): ProbeOutcome =>
  error !== undefined ? { state: STATES[code], error } : code === 0 ? OPEN : code === 1 ? CLOSED : FILTERED;
